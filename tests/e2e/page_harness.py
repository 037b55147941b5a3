"""The voice page (`pages/`) in a real Chromium without the bridge: served as static files,
connected to a stand-in upstream that a test scripts.

Test modules take the fixtures by assignment (`pages_url = page_harness.pages_url`, and likewise
`upstream`), so that they stay the module's own. The fake microphone comes with every browser
pytest-playwright launches (`tests/conftest.py`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

PAGES = Path(__file__).resolve().parents[2] / "pages"


class _StaticPages(SimpleHTTPRequestHandler):
    def guess_type(self, path: str | os.PathLike[str]) -> str:
        # Module scripts need a JavaScript MIME type whatever the host's mime.types says.
        return "text/javascript" if str(path).endswith(".js") else super().guess_type(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    """The pages/ folder over HTTP on 127.0.0.1 (a secure context for getUserMedia)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_StaticPages, directory=str(PAGES)))
    thread = threading.Thread(target=server.serve_forever, name="static-pages", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# A second page in the same browser plays the upstream's part: the app page's POST is answered
# (through a Playwright route) with that page's real SDP answer, so the app talks real WebRTC to
# a peer whose events the test scripts and whose received events it reads.

FAKE_UPSTREAM_JS = """
window.fake = {
  received: [],
  pcs: [],
  closed: [],
  async answer(offer) {
    const pc = new RTCPeerConnection({iceServers: []});
    this.pcs.push(pc);
    pc.ondatachannel = (e) => {
      this.dc = e.channel;
      e.channel.onmessage = (m) => this.received.push(JSON.parse(m.data));
      e.channel.onclose = () => this.closed.push(performance.now());
    };
    await pc.setRemoteDescription({type: 'offer', sdp: offer});
    const ctx = new AudioContext();
    const tone = ctx.createOscillator();
    const out = ctx.createMediaStreamDestination();
    tone.connect(out);
    tone.start();
    const transceiver = pc.getTransceivers()[0];
    transceiver.direction = 'sendrecv';
    await transceiver.sender.replaceTrack(out.stream.getAudioTracks()[0]);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise((resolve) => {
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
        setTimeout(resolve, 2000);
      });
    }
    return pc.localDescription.sdp;
  },
  // Waits for a channel still opening; a closed one fails with the state of every peer, so a
  // failure says whether the app hung up, reconnected or never opened a channel.
  async ready() {
    const dc = this.dc;
    if (dc?.readyState === 'connecting') {
      await new Promise((resolve) => {
        dc.addEventListener('open', resolve, {once: true});
        setTimeout(resolve, 5000);
      });
    }
    if (dc?.readyState !== 'open') {
      const peers = this.pcs.map((pc) => pc.connectionState).join(', ');
      throw new Error(`no open channel: channel ${dc?.readyState}, peers [${peers}], ` +
                      `channels closed at [${this.closed.join(', ')}] ms, now ${performance.now()}`);
    }
  },
  async send(event) {
    await this.ready();
    this.dc.send(typeof event === 'string' ? event : JSON.stringify(event));
  },
  hangUp() { this.dc.close(); },
};
"""


class FakeUpstream:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.calls = 0

    def answer(self, route: Any) -> None:
        self.calls += 1
        sdp = self.page.evaluate("offer => window.fake.answer(offer)", route.request.post_data)
        route.fulfill(
            status=201,
            headers={"Location": f"/v1/realtime/calls/rtc_test{self.calls}"},
            content_type="application/sdp",
            body=sdp,
        )

    def send(self, event: dict[str, Any] | str) -> None:
        self.page.evaluate("event => window.fake.send(event)", event)

    def received(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.page.evaluate("() => window.fake.received")
        return events

    def types(self) -> list[str]:
        return [event["type"] for event in self.received()]

    def wait_for_count(self, event_type: str, count: int, timeout_ms: int = 5_000) -> None:
        self.page.wait_for_function(
            "([type, n]) => window.fake.received.filter((e) => e.type === type).length >= n",
            arg=[event_type, count],
            timeout=timeout_ms,
        )

    def outputs(self) -> list[dict[str, Any]]:
        return [
            {"call_id": e["item"]["call_id"], **json.loads(e["item"]["output"])}
            for e in self.received()
            if e["type"] == "conversation.item.create"
            and e["item"]["type"] == "function_call_output"
        ]


@pytest.fixture
def upstream(page: Page) -> FakeUpstream:
    peer = page.context.new_page()
    peer.set_content("<title>fake upstream</title>")
    peer.add_script_tag(content=FAKE_UPSTREAM_JS)
    fake = FakeUpstream(peer)
    page.route("**/fake-connect", fake.answer)
    return fake


def connect_to(page: Page, pages_url: str, upstream: FakeUpstream, *, query: str = "") -> None:
    """Open the voice page (`query`: more of its query, e.g. `&type_while_speaking=queue`) and
    wait until its session.update reached the stand-in upstream."""
    page.goto(f"{pages_url}?endpoint=fake-connect&autoconnect=1{query}")
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "connected")
    upstream.wait_for_count("session.update", 1)


def function_call(
    call_id: str, name: str, arguments: str, status: str = "completed"
) -> dict[str, Any]:
    return {
        "id": f"item_{call_id}",
        "type": "function_call",
        "status": status,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }


def response_created(response_id: str) -> dict[str, Any]:
    return {"type": "response.created", "response": {"id": response_id, "status": "in_progress"}}


def response_done(response_id: str, status: str, output: list[Any]) -> dict[str, Any]:
    return {
        "type": "response.done",
        "response": {"id": response_id, "status": status, "output": output},
    }
