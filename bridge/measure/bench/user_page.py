"""A user's page against the bridge's own, in the same run: navigation until its channel is
open, and the tool round trip. The user's page is the seed's kind (its own origin on loopback,
its backend's address hard-coded, channel `response`, beta `session.update`, tools run on
`response.function_call_arguments.done`, no `response.create`), so its signalling is routed,
its channel instrumented and its tools checked after its own output, as `--page` does.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .stats import ratio, rounded, summary

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bench user page</title></head>
<body><h1>Bench</h1><button id="button">Button</button><script>
const tools = {
  changeBackgroundColor: ({ color }) => { document.body.style.backgroundColor = color; },
  changeTextColor: ({ color }) => { document.body.style.color = color; },
  changeButtonStyle: ({ size, color }) => {
    const button = document.getElementById("button");
    if (size) button.style.fontSize = size === "bigger" ? "larger" : size === "smaller" ? "smaller" : size;
    if (color) button.style.backgroundColor = color;
  },
};
const color = { type: "object", properties: { color: { type: "string",
  description: "A CSS color name or hex code" } } };
const definitions = [
  { type: "function", name: "changeBackgroundColor", description: "Change the background color",
    parameters: color },
  { type: "function", name: "changeTextColor", description: "Change the text color",
    parameters: color },
  { type: "function", name: "changeButtonStyle", description: "Change the size and color of the button",
    parameters: { type: "object", properties: {
      size: { type: "string", description: "A CSS font size, or bigger or smaller" },
      color: { type: "string", description: "A CSS color name or hex code" } } } },
];
window.bench = { callId: null };
(async () => {
  const pc = new RTCPeerConnection();
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  pc.addTrack(mic.getAudioTracks()[0], mic);
  const dc = pc.createDataChannel("response");
  dc.onopen = () => dc.send(JSON.stringify({ type: "session.update",
    session: { modalities: ["text", "audio"], tools: definitions } }));
  dc.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type !== "response.function_call_arguments.done") return;
    tools[msg.name]?.(JSON.parse(msg.arguments));
    dc.send(JSON.stringify({ type: "conversation.item.create", item: {
      type: "function_call_output", call_id: msg.call_id, output: JSON.stringify({ success: true }) } }));
  };
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await fetch("http://127.0.0.1:5058/session", { method: "POST",
    body: pc.localDescription.sdp, headers: { "Content-Type": "application/sdp" } });
  window.bench.callId = (answer.headers.get("Location") || "").split("/").pop();
  await pc.setRemoteDescription({ type: "answer", sdp: await answer.text() });
})();
</script></body></html>
"""

# What the bench's user page's tools should change: the same checks a user would declare.
CHECKS: dict[str, Any] = {"tools": {
    "changeBackgroundColor": {"checks": [{"selector": "body",
                                          "style": {"background-color": "{color}"}}]},
    "changeTextColor": {"checks": [{"selector": "body", "style": {"color": "{color}"}}]},
}}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The bench prints figures, not requests."""


@contextmanager
def user_site() -> Iterator[str]:
    """The bench's user page, served from its own origin on loopback; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="rtc-bridge-bench-page-") as folder:
        Path(folder, "index.html").write_text(PAGE, encoding="utf-8")
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=folder))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            server.server_close()


def user_page_figures(nav: Mapping[str, list[float]], rtt: Mapping[str, list[float]],
                      ) -> dict[str, Any]:
    """The figures of both pages ("own", "user") and the user's page's ratios to the own."""
    figures: dict[str, Any] = {}
    for name in ("own", "user"):
        figures.update(summary(f"{name}_page_nav_to_channel_open", nav[name], 50, 99))
        figures.update(summary(f"{name}_page_tool_rtt", rtt[name], 50, 99))
    figures["user_page_nav_over_own_ratio"] = rounded(ratio(
        figures["user_page_nav_to_channel_open_p50_ms"],
        figures["own_page_nav_to_channel_open_p50_ms"]))
    figures["user_page_tool_rtt_over_own_ratio"] = rounded(ratio(
        figures["user_page_tool_rtt_p50_ms"], figures["own_page_tool_rtt_p50_ms"]))
    return figures
