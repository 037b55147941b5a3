"""The inspector from a second browser: the controlled page's picture, its event log with each
tool call's verdict, a message typed or said into the page, reload and reconnect; it keeps
working when the page is reopened after a crash and beside a demo recording, and captures
nothing while nobody watches."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bridge.config import Settings
from bridge.demo.recording import PageRecorder
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from bridge.events.records import UserAudio, all_of
from tests.e2e.inspector_view import ANIMATE, distinct_frames, open_inspector, tool_line
from tests.hardening.conftest import crash_page, recovered

pytestmark = pytest.mark.e2e

STYLE = "p => getComputedStyle(document.querySelector(p[0])).getPropertyValue(p[1])"
JPEG = re.compile(r"^data:image/jpeg;base64,")


@pytest.fixture
def inspector(browser: Browser, voice_page: BridgeHandle) -> Iterator[Page]:
    context, page = open_inspector(browser, voice_page)
    try:
        yield page
    finally:
        context.close()


def test_a_typed_message_shows_its_call_and_verdict_within_2_s(
        voice_page: BridgeHandle, inspector: Page) -> None:
    box = inspector.get_by_test_id("inspect-input")
    box.fill("make the background blue")
    mark = voice_page.event_log.last_seq
    started = time.monotonic()
    box.press("Enter")
    line = tool_line(inspector, "changeBackgroundColor", "verified", after=mark, timeout_ms=2000)
    shown_s = time.monotonic() - started
    print(f"typed in the inspector → its verdict in the inspector's log: {shown_s:.2f} s")
    assert shown_s < 2.0
    assert line.startswith("VERIFIED ") and "rgb(0, 0, 255)" in line, line
    assert voice_page.evaluate(STYLE, ["body", "background-color"]) == "rgb(0, 0, 255)"
    # It went the way a typed message goes: into the page's text box, sent by the page.
    typed = inspector.get_by_test_id("inspect-log").locator("li[data-kind=user]")
    expect(typed.last).to_contain_text("user typed: make the background blue")


def test_an_animated_page_shows_at_least_10_distinct_frames_in_2_s(
        voice_page: BridgeHandle, inspector: Page) -> None:
    voice_page.evaluate(ANIMATE)
    expect(inspector.get_by_test_id("inspect-screen")).to_have_attribute("src", JPEG)
    assert distinct_frames(inspector, 2000) >= 10


def test_a_message_said_into_the_microphone_is_heard_and_run(
        voice_page: BridgeHandle, inspector: Page) -> None:
    mark = voice_page.event_log.last_seq
    inspector.get_by_test_id("inspect-mode").select_option("say")
    inspector.get_by_test_id("inspect-input").fill("change the background color to green")
    inspector.get_by_test_id("inspect-input").press("Enter")
    line = tool_line(inspector, "changeBackgroundColor", "verified", after=mark,
                     timeout_ms=20_000)
    assert "rgb(0, 128, 0)" in line, line
    [said] = all_of(UserAudio, voice_page.events(after=mark))
    assert (said.kind, said.text) == ("say", "change the background color to green")
    heard = inspector.get_by_test_id("inspect-log").locator("li[data-kind=user]")
    expect(heard.last).to_contain_text("user said:")


def test_reconnect_makes_a_new_call_and_keeps_the_dom_reload_does_not(
        voice_page: BridgeHandle, inspector: Page) -> None:
    voice_page.evaluate("() => document.body.dataset.marker = 'kept'")
    first = voice_page.browser.call_id
    inspector.get_by_test_id("inspect-reconnect").click()
    expect(inspector.get_by_test_id("inspect-status")).not_to_contain_text(str(first),
                                                                            timeout=20_000)
    voice_page.wait_ready(timeout_s=20)
    second = voice_page.browser.call_id
    assert second not in (None, first)
    assert voice_page.evaluate("() => document.body.dataset.marker") == "kept"
    inspector.get_by_test_id("inspect-reload").click()
    expect(inspector.get_by_test_id("inspect-status")).not_to_contain_text(str(second),
                                                                            timeout=20_000)
    voice_page.wait_ready(timeout_s=20)
    assert voice_page.evaluate("() => document.body.dataset.marker ?? null") is None
    expect(inspector.get_by_test_id("inspect-notice")).to_be_empty()


@pytest.fixture
def unwatched_bridge() -> Iterator[BridgeHandle]:
    """A bridge of its own, which no earlier test's inspector ever watched."""
    thread = BridgeThread(Settings.from_env(port=0, headless=True, upstream="local")).start()
    try:
        yield BridgeHandle(thread).wait_ready(timeout_s=60)
    finally:
        thread.stop()


def test_it_captures_nothing_while_nobody_watches(browser: Browser,
                                                  unwatched_bridge: BridgeHandle) -> None:
    voice_page = unwatched_bridge
    inspector = voice_page.server.bridge.inspector
    assert inspector is not None and inspector.screencast is not None
    cast = inspector.screencast
    assert not cast.casting
    voice_page.evaluate(ANIMATE)
    before = cast.frames_captured
    time.sleep(1.0)
    assert cast.frames_captured == before and not cast.casting
    context, page = open_inspector(browser, voice_page)
    try:
        expect(page.get_by_test_id("inspect-screen")).to_have_attribute("src", JPEG)
        assert cast.casting
        assert distinct_frames(page, 2000) >= 10
    finally:
        context.close()
    left = time.monotonic()
    deadline = left + 5  # the server hears of the closed stream at its next write
    while cast.casting and time.monotonic() < deadline:
        time.sleep(0.1)
    print(f"the screencast stopped {time.monotonic() - left:.2f} s after its watcher left")
    assert not cast.casting and cast.watchers == 0
    stopped = cast.frames_captured
    time.sleep(1.0)
    assert cast.frames_captured == stopped


def test_beside_a_demo_recording_neither_starves(voice_page: BridgeHandle,
                                                 inspector: Page) -> None:
    voice_page.evaluate(ANIMATE)
    recorder = PageRecorder(voice_page.page, voice_page.event_log)
    voice_page.run(recorder.start)
    try:
        time.sleep(0.5)
        shown = distinct_frames(inspector, 2000)
    finally:
        capture = voice_page.run(recorder.stop)
    recorded_fps = len(capture.frames) / capture.duration_s
    print(f"beside a recording: {shown} distinct inspector frames in 2 s, "
          f"recording {recorded_fps:.1f} fps")
    # Starved is no frame at all. The rates themselves move with the machine's load (an idle
    # machine shows 15 and 60; a loaded one has shown 6 and 4.6): the animated-page test holds
    # the inspector's rate, and `make bench ARGS="--only inspect"` the ratios beside each other.
    assert shown >= 4, shown
    # The recording paces itself by the page's repaints, not by the inspector's frame rate.
    assert recorded_fps >= 2, recorded_fps


def test_it_survives_the_page_reopening_after_a_crash(voice_page: BridgeHandle,
                                                      inspector: Page) -> None:
    mark = voice_page.event_log.last_seq
    crash_page(voice_page)
    recovered(voice_page, mark, "the page crashed")
    log = inspector.get_by_test_id("inspect-log")
    expect(log.locator("li", has_text="bridge.page_reopened")).to_have_count(1, timeout=10_000)
    expect(inspector.get_by_test_id("inspect-status")).to_contain_text(
        f"call {voice_page.browser.call_id}", timeout=10_000)
    voice_page.evaluate(ANIMATE)
    assert distinct_frames(inspector, 2000) >= 10
    box = inspector.get_by_test_id("inspect-input")
    box.fill("make the text white")
    mark = voice_page.event_log.last_seq
    box.press("Enter")
    assert "rgb(255, 255, 255)" in tool_line(inspector, "changeTextColor", "verified", after=mark,
                                             timeout_ms=10_000)
