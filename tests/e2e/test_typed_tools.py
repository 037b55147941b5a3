"""The whole path in a real Chromium: typed command → engine → function call → page runs it →
Python verifies the DOM → function_call_output + response.create → spoken answer."""

from __future__ import annotations

import json
import time

import pytest

from bridge.drive.handle import BridgeHandle
from bridge.events.records import ToolRefused, ToolVerified, all_of
from tests.conftest import function_call_output

pytestmark = pytest.mark.e2e

BODY_STYLE = "p => getComputedStyle(document.querySelector(p[0])).getPropertyValue(p[1])"


@pytest.mark.parametrize("text, tool, args, selector, prop, expected", [
    ("change the background color to blue", "changeBackgroundColor", {"color": "blue"},
     "body", "background-color", "rgb(0, 0, 255)"),
    ("make the text white", "changeTextColor", {"color": "white"},
     "body", "color", "rgb(255, 255, 255)"),
    ("make the button red", "changeButtonStyle", {"color": "red"},
     "[data-testid=connect-button]", "background-color", "rgb(255, 0, 0)"),
])
def test_typed_command_changes_the_dom_and_is_verified(
    voice_page: BridgeHandle, text: str, tool: str, args: dict[str, str], selector: str,
    prop: str, expected: str,
) -> None:
    mark = voice_page.type(text)
    call = voice_page.wait_for_tool(tool, args, after=mark)
    assert call.verified is True
    assert expected in call.observed.values()
    # Read the DOM once more, independently of the bridge's own verification.
    assert voice_page.evaluate(BODY_STYLE, [selector, prop]) == expected


def test_relative_button_size_verified_as_grown(voice_page: BridgeHandle) -> None:
    before = voice_page.evaluate(BODY_STYLE, ["[data-testid=connect-button]", "font-size"])
    mark = voice_page.type("make the button bigger")
    call = voice_page.wait_for_tool("changeButtonStyle", {"size": "bigger"}, after=mark)
    after = voice_page.evaluate(BODY_STYLE, ["[data-testid=connect-button]", "font-size"])
    assert float(after.rstrip("px")) == pytest.approx(float(before.rstrip("px")) * 1.25, rel=0.01)
    assert call.observed["fontSize"] == after


def test_page_html_is_read_and_verified_against_the_live_dom(voice_page: BridgeHandle) -> None:
    mark = voice_page.type("what is on the page")
    call = voice_page.wait_for_tool("getPageHTML", after=mark)
    assert call.verified is True
    output = function_call_output(voice_page.event_log, call.call_id, after=mark)
    assert output["ok"] is True and output["verified"] is True and output["verdict"] == "verified"
    assert "<h1" in output["html"] and len(json.dumps(output)) < 64_000


def test_output_then_response_create_reach_the_engine(voice_page: BridgeHandle) -> None:
    mark = voice_page.type("change the background color to green")
    call = voice_page.wait_for_tool("changeBackgroundColor", {"color": "green"}, after=mark)
    answer = voice_page.event_log.wait_for(
        lambda r: r.dir == "server" and r.type == "response.output_audio_transcript.done",
        timeout_s=10, after=mark)
    assert "background color to green" in answer.event["transcript"]
    sent = [r for r in voice_page.events(after=mark) if r.dir == "client"]
    kinds = [(r.type, (r.event.get("item") or {}).get("type")) for r in sent]
    output_at = kinds.index(("conversation.item.create", "function_call_output"))
    assert ("response.create", None) in kinds[output_at + 1:]
    # The engine itself holds the output in its conversation, under the same call id.
    engine = voice_page.server.bridge.engine
    assert engine is not None and voice_page.browser.call_id is not None
    session = engine.sessions[voice_page.browser.call_id]
    outputs = [i for i in session.items if i["type"] == "function_call_output"]
    assert outputs and outputs[-1]["call_id"] == call.call_id


def test_agent_voice_reaches_the_page(voice_page: BridgeHandle) -> None:
    mark = voice_page.type("make the text yellow")
    voice_page.wait_for_tool("changeTextColor", {"color": "yellow"}, after=mark)
    voice_page.event_log.wait_for(
        lambda r: r.dir == "server" and r.type == "output_audio_buffer.started",
        timeout_s=10, after=mark)
    energy = 0.0
    deadline = time.monotonic() + 5
    while energy <= 0 and time.monotonic() < deadline:
        energy = voice_page.evaluate("""async () => {
            const stats = await window.rtcBridge.pc.getStats();
            let energy = 0;
            stats.forEach(s => { if (s.type === "inbound-rtp" && s.kind === "audio")
                energy = s.totalAudioEnergy || 0; });
            return energy; }""")
        time.sleep(0.2)
    assert energy > 0, "the agent's spoken answer carried no audio energy to the page"


def test_unknown_tool_gets_an_error_output_and_nothing_runs(voice_page: BridgeHandle) -> None:
    mark = voice_page.event_log.last_seq
    result = voice_page.evaluate("""() => window.rtcBridge.tools.length""")
    assert result == 4
    output = voice_page.evaluate("""() => window.rtcBridge.handleFunctionCall(
        {call_id: "call_eval", name: "eval", arguments: "{}"})""")
    assert output["ok"] is False and "unknown tool" in output["error"]
    [refused] = all_of(ToolRefused, voice_page.events(after=mark))
    assert refused.name == "eval" and refused.call_id == "call_eval"
    assert not all_of(ToolVerified, voice_page.events(after=mark))


def test_the_handle_fills_clicks_and_reaches_the_playwright_page(voice_page: BridgeHandle) -> None:
    voice_page.fill("[data-testid=message-input]", "make the background orange")
    mark = voice_page.click("[data-testid=send-button]")
    call = voice_page.wait_for_tool("changeBackgroundColor", {"color": "orange"}, after=mark)
    assert call.verdict == "verified"
    page = voice_page.page
    assert voice_page.run(lambda: page.evaluate("getComputedStyle(document.body).backgroundColor")
                          ) == "rgb(255, 165, 0)"
