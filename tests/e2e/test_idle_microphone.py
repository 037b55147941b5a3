"""With the embedded engine, the controlled page's microphone, which carries only what the
bridge plays, pauses between clips: the engine receives nothing while the bridge says nothing,
a command said after a pause still ends its turn and is acted on, and the microphone pauses
again after it. On the bridge's own page and on a user's page (the seed's)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread

pytestmark = pytest.mark.e2e

SEED_PAGE = Path(__file__).resolve().parent / "user_pages" / "seed"
SEED_CHECKS = {"tools": {"changeBackgroundColor": {"checks": [
    {"selector": "body", "style": {"background-color": "{color}"}}]}}}
# The page's hangover (1 s) and the time a suspend takes, with room for a loaded machine.
PAUSED_WITHIN_S = 10.0


@pytest.fixture(scope="module", params=["own", "seed"])
def handle(request: pytest.FixtureRequest) -> Iterator[BridgeHandle]:
    seed = request.param == "seed"
    settings = Settings.from_env(port=0, headless=True, upstream="local",
                                 page=str(SEED_PAGE) if seed else None,
                                 start_selector="#toggle" if seed else None)
    thread = BridgeThread(settings).start()
    try:
        driven = BridgeHandle(thread).wait_ready(timeout_s=60)
        if seed:
            driven.declare_checks(SEED_CHECKS)
        yield driven
    finally:
        thread.stop()


def _frames_received(handle: BridgeHandle) -> int:
    engine, call_id = handle.server.bridge.engine, handle.browser.call_id
    assert engine is not None and call_id is not None
    return engine.sessions[call_id].stats.frames_received


def _seconds_until_paused(handle: BridgeHandle) -> float:
    """How long until a whole second passes with no frame from the page's microphone."""
    start = time.monotonic()
    while time.monotonic() - start < PAUSED_WITHIN_S:
        before = _frames_received(handle)
        time.sleep(1.0)
        if _frames_received(handle) == before:
            return time.monotonic() - start
    pytest.fail(f"the page's microphone still sent frames after {PAUSED_WITHIN_S:g} s")


def test_nothing_is_sent_while_the_bridge_says_nothing(handle: BridgeHandle) -> None:
    _seconds_until_paused(handle)
    before = _frames_received(handle)
    time.sleep(2.0)
    assert _frames_received(handle) == before


def test_a_command_after_a_pause_is_acted_on_and_the_microphone_pauses_again(
    handle: BridgeHandle,
) -> None:
    _seconds_until_paused(handle)
    said = handle.say("change the background color to green")
    call = handle.wait_for_tool("changeBackgroundColor", {"color": "green"}, after=said.mark,
                                timeout_s=20)
    assert call.verified
    paused_s = _seconds_until_paused(handle)
    print(f"\nend of words → verified call after a pause: {said.latency_ms(call.t):.0f} ms; "
          f"paused again {paused_s:.1f} s after")
