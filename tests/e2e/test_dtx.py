"""DTX through a real Chromium: the engine's answer asks for it, so a quiet microphone sends a
few packets a second instead of fifty, and a command spoken after a quiet spell still ends its
turn on time and is acted on. The page's microphone sends its silence here (`send`); by default
it pauses instead (tests/e2e/test_idle_microphone.py)."""

from __future__ import annotations

import time

import pytest

from bridge.config import Settings
from bridge.drive.handle import BridgeHandle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bridge_settings() -> Settings:
    return Settings.from_env(port=0, headless=True, upstream="local", idle_microphone="send")


def _frames_received(handle: BridgeHandle) -> int:
    engine, call_id = handle.server.bridge.engine, handle.browser.call_id
    assert engine is not None and call_id is not None
    return engine.sessions[call_id].stats.frames_received


def test_a_quiet_microphone_sends_a_few_packets_a_second(rtc_bridge: BridgeHandle) -> None:
    time.sleep(1.0)  # DTX starts after a moment of silence
    before = _frames_received(rtc_bridge)
    time.sleep(2.0)
    received = _frames_received(rtc_bridge) - before
    print(f"\nquiet microphone: {received} frames in 2 s (100 without DTX)")
    assert 0 < received <= 25


def test_a_command_after_a_quiet_spell_is_heard_and_acted_on(rtc_bridge: BridgeHandle) -> None:
    time.sleep(1.5)
    said = rtc_bridge.say("change the background color to blue")
    call = rtc_bridge.wait_for_tool("changeBackgroundColor", {"color": "blue"}, after=said.mark,
                                    timeout_s=20)
    assert call.observed["backgroundColor"] == "rgb(0, 0, 255)"
    print(f"\nend of words → verified call after DTX: {said.latency_ms(call.t):.0f} ms")
