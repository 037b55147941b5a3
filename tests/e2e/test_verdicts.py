"""Verdicts other than `verified`, in a real Chromium on the voice page: a change the DOM does
not show (`not_verified`), and a tool that declares nothing to check (`unchecked`). The page's
output to the upstream carries the bridge's verdict next to `verified`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bridge.browser.tools import ToolRegistry, pages_dir
from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from tests.conftest import function_call_output

pytestmark = pytest.mark.e2e

# A tool the page implements itself: nothing in its `x-bridge` says what to read back.
SCROLL: dict[str, Any] = {
    "type": "function", "name": "scrollToTop", "description": "Scroll to the top of the page.",
    "parameters": {"type": "object", "properties": {"smooth": {"type": "boolean"}},
                   "required": [], "additionalProperties": False},
    "x-bridge": {"custom": True},
}
ADD_SCROLL = """async (definition) => {
    const tools = await import("./tools.js");
    tools.registerTool(definition.name, (args) => {
        window.scrollTo({top: 0, behavior: args.smooth ? "smooth" : "instant"});
        return {ok: true, smooth: args.smooth === true};
    });
    window.rtcBridge.tools.push(definition);
}"""
# The page's body keeps a white background whatever a tool sets.
PIN_BACKGROUND = """() => {
    const style = document.createElement("style");
    style.textContent = "body { background-color: rgb(255, 255, 255) !important; }";
    document.head.append(style);
}"""


@pytest.fixture(scope="module")
def rtc_bridge(bridge_settings: Settings) -> Iterator[BridgeHandle]:
    """The plugin's bridge, with `scrollToTop` in its registry."""
    tools = json.loads((pages_dir() / "tools.json").read_text(encoding="utf-8"))["tools"]
    thread = BridgeThread(bridge_settings, registry=ToolRegistry([*tools, SCROLL])).start()
    try:
        yield BridgeHandle(thread).wait_ready(timeout_s=60)
    finally:
        thread.stop()


def test_a_change_the_dom_does_not_show_is_not_verified(voice_page: BridgeHandle) -> None:
    voice_page.evaluate(PIN_BACKGROUND)
    mark = voice_page.type("change the background color to blue")
    call = voice_page.wait_for_tool("changeBackgroundColor", {"color": "blue"}, after=mark,
                                    verdict="not_verified")
    assert call.verified is False and call.ok is True
    assert call.observed == {"backgroundColor": "rgb(255, 255, 255)"}
    assert call.reason is not None and "expected rgb(0, 0, 255) (blue)" in call.reason
    output = function_call_output(voice_page.event_log, call.call_id, after=mark)
    assert output["verified"] is False and output["verdict"] == "not_verified"
    assert output["reason"] == call.reason
    # Waiting for a verified call fails, naming the call it saw and its verdict.
    with pytest.raises(AssertionError, match=r'changeBackgroundColor \{"color": ?"blue"\} '
                                             r"not_verified \(background-color is"):
        voice_page.wait_for_tool("changeBackgroundColor", after=mark, timeout_s=0.5)


def test_a_tool_that_declares_nothing_to_check_is_unchecked(voice_page: BridgeHandle) -> None:
    voice_page.evaluate(ADD_SCROLL, SCROLL)
    mark = voice_page.event_log.last_seq
    output = voice_page.evaluate("""() => window.rtcBridge.handleFunctionCall(
        {call_id: "call_scroll", name: "scrollToTop", arguments: '{"smooth": true}'})""")
    call = voice_page.wait_for_tool("scrollToTop", {"smooth": True}, after=mark,
                                    verdict="unchecked")
    assert call.call_id == "call_scroll" and call.verified is None and call.ok is True
    assert call.reason is not None and "declares nothing for the bridge to check" in call.reason
    assert output == {"ok": True, "smooth": True, "verified": None, "verdict": "unchecked",
                      "observed": {}, "reason": call.reason}
    assert output == function_call_output(voice_page.event_log, "call_scroll", after=mark)
