"""OpenAI's own browser client, the Agents SDK (`@openai/agents-realtime`, its WebRTC transport),
pointed at the embedded engine's `POST /v1/realtime/calls` instead of api.openai.com: it
connects (waiting, as it does, for `session.updated`); a command typed, or said into its own
microphone track, makes the engine call the SDK's tool; the SDK runs it, sends the output back,
and gets the engine's spoken answer.

The SDK's published browser bundle is fetched from the npm registry by set-up (pinned version,
checked against npm's sha512, kept in the environment) and served from the bridge's origin by
Playwright, so the page reaches the engine same-origin, as a page served by the bridge would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Route, sync_playwright

from bridge.browser.chromium import choose_chromium, launch_args, write_silence
from bridge.config import Settings
from bridge.drive.synthesis import synthesize_utterance_wav
from bridge.drive.thread import BridgeThread
from tests.assets import agents_sdk_bundle
from tests.network_safety import CHROMIUM_SAFETY_ARGS

pytestmark = pytest.mark.e2e


# A page written as the SDK's documentation shows: an agent with one tool whose parameters are a
# JSON schema, a session on the WebRTC transport, an ephemeral-looking key (the SDK refuses
# others in a browser; the local engine accepts any bearer token unless it has a key set).
AGENT_PAGE = """<!doctype html><html><head><title>agent</title></head><body><h1>Agent</h1>
<script type="module">
import { RealtimeAgent, RealtimeSession, tool } from './openai-realtime-agents.mjs';
window.sdkLog = [];
const note = (kind, data) => window.sdkLog.push({ kind, data: JSON.parse(JSON.stringify(data ?? null)) });
const changeBackgroundColor = tool({
  name: 'changeBackgroundColor',
  description: 'Change the background colour of the page',
  parameters: { type: 'object', properties: { color: { type: 'string', description: 'a CSS colour' } },
                required: ['color'], additionalProperties: false },
  strict: true,
  execute: async ({ color }) => {
    document.body.style.backgroundColor = color;
    return JSON.stringify({ ok: true, backgroundColor: getComputedStyle(document.body).backgroundColor });
  },
});
const agent = new RealtimeAgent({ name: 'Assistant', instructions: 'Change the page when asked.',
                                  tools: [changeBackgroundColor] });
const session = new RealtimeSession(agent, { transport: 'webrtc', model: 'gpt-realtime' });
session.on('agent_tool_start', (_c, _a, t, details) =>
  note('tool_start', { name: t.name, arguments: details?.toolCall?.arguments }));
session.on('agent_tool_end', (_c, _a, t, result) => note('tool_end', { name: t.name, result }));
session.on('error', (e) => note('failed', String(e?.error?.message ?? e?.error ?? e)));
session.on('transport_event', (e) => note('event', { type: e.type, transcript: e.transcript ?? null }));
window.sdkRun = async (text) => {
  try {
    await session.connect({ apiKey: 'ek_local', url: location.origin + '/v1/realtime/calls' });
    note('connected', true);
    if (text) session.sendMessage(text);
  } catch (e) { note('failed', String(e?.stack ?? e)); }
};
window.sdkReady = true;
</script></body></html>"""


@pytest.fixture(scope="module")
def sdk_bundle() -> Path:
    """The SDK's browser bundle (`dist/bundle/*.mjs`), which set-up fetched from the npm registry
    (`scripts/fetch_test_assets.py`): no test reaches a registry."""
    return agents_sdk_bundle()


@pytest.fixture(scope="module")
def engine_url() -> Iterator[str]:
    """A bridge on the embedded engine, speech on, with no controlled browser of its own."""
    settings = Settings.from_env({}, port=0, headless=True, open_browser=False, upstream="local")
    thread = BridgeThread(settings).start()
    try:
        assert thread.server is not None
        yield thread.server.url
    finally:
        thread.stop()


def run_agent(sdk: Path, engine_url: str, microphone: Path, typed: str | None) -> tuple[list[Any], str]:
    """The agent page in its own Chromium whose microphone plays `microphone`; `typed` is sent as
    a text message once connected. Returns the page's log once the engine has answered a tool's
    output aloud (or something failed), and the page's background colour."""
    def serve(route: Route) -> None:
        name = route.request.url.rsplit("/sdk/", 1)[-1]
        if name == "agent.html":
            route.fulfill(body=AGENT_PAGE, content_type="text/html")
        else:
            route.fulfill(body=(sdk / name).read_bytes(), content_type="text/javascript")

    with sync_playwright() as playwright:
        choice = choose_chromium(None, playwright.chromium.executable_path)
        browser = playwright.chromium.launch(
            **choice.launch_options(),
            args=launch_args(fake_mic=microphone, extra=CHROMIUM_SAFETY_ARGS))
        try:
            page = browser.new_page()
            page.route(f"{engine_url}/sdk/**", serve)
            page.goto(f"{engine_url}/sdk/agent.html")
            page.wait_for_function("window.sdkReady === true", timeout=30_000)
            page.evaluate("text => window.sdkRun(text)", typed)
            page.wait_for_function(
                """() => window.sdkLog.some(e => e.kind === 'failed') || window.sdkLog.some(
                    (e, i) => e.kind === 'event' && e.data.type === 'response.output_audio_transcript.done'
                    && window.sdkLog.slice(0, i).some(f => f.kind === 'tool_end'))""",
                timeout=30_000)
            log: list[dict[str, Any]] = page.evaluate("window.sdkLog")
            background: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
            return log, background
        finally:
            browser.close()


@pytest.mark.parametrize("said", [False, True], ids=["typed", "spoken"])
def test_openai_agents_sdk_runs_its_tool_through_the_engine(
    sdk_bundle: Path, engine_url: str, tmp_path: Path, said: bool
) -> None:
    command = "change the background color to blue"
    if said:  # the SDK's own microphone track carries the command, after its connection is up
        microphone = synthesize_utterance_wav(command, tmp_path / "command.wav",
                                              lead_silence_s=1.5, tail_silence_s=20.0)
    else:
        microphone = write_silence(tmp_path / "silence.wav")
    # In a thread of its own: pytest-playwright leaves an event loop running on the main
    # thread, and Playwright's sync API refuses to start where a loop runs.
    with ThreadPoolExecutor(1) as pool:
        log, background = pool.submit(run_agent, sdk_bundle, engine_url, microphone,
                                      None if said else command).result(timeout=120)

    entries = {entry["kind"]: entry["data"] for entry in log}
    assert "failed" not in entries, entries["failed"]
    assert entries["connected"] is True
    assert entries["tool_start"]["name"] == "changeBackgroundColor"
    assert json.loads(entries["tool_start"]["arguments"]) == {"color": "blue"}
    assert json.loads(entries["tool_end"]["result"])["backgroundColor"] == "rgb(0, 0, 255)"
    assert background == "rgb(0, 0, 255)"
    events = [entry["data"]["type"] for entry in log if entry["kind"] == "event"]
    assert events[:2] == ["session.created", "session.updated"]
    if said:
        assert "input_audio_buffer.speech_stopped" in events
        heard = [e["data"]["transcript"] for e in log if e["kind"] == "event" and e["data"]["type"]
                 == "conversation.item.input_audio_transcription.completed"]
        assert heard and "blue" in heard[0]
    answer = [entry["data"]["transcript"] for entry in log if entry["kind"] == "event"
              and entry["data"]["type"] == "response.output_audio_transcript.done"]
    assert answer and "background color to blue" in answer[-1]
