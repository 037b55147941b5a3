"""The inspector of a user's own page (`--page`, the seed's kind, served from its own origin):
the same picture, log and actions as for the bridge's page, the message sent on the page's own
channel, its verdict from the declared checks; reconnect opens the page afresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from tests.e2e.inspector_view import ANIMATE, distinct_frames, open_inspector, tool_line
from tests.e2e.user_pages.backend import Site

pytestmark = pytest.mark.e2e

CHECKS = {"tools": {"changeBackgroundColor": {"checks": [
    {"selector": "body", "style": {"background-color": "{color}"}}]}}}


@pytest.fixture(scope="module")
def seed_page() -> Iterator[BridgeHandle]:
    site = Site("seed")
    settings = Settings.from_env(port=0, headless=True, upstream="local", page=site.url,
                                 start_selector="#toggle")
    thread = BridgeThread(settings).start()
    try:
        handle = BridgeHandle(thread).wait_ready(timeout_s=60)
        handle.declare_checks(CHECKS)
        yield handle
    finally:
        thread.stop()
        site.close()


@pytest.fixture
def inspector(browser: Browser, seed_page: BridgeHandle) -> Iterator[Page]:
    context, page = open_inspector(browser, seed_page)
    try:
        yield page
    finally:
        context.close()


def test_a_typed_message_is_verified_by_the_declared_check(seed_page: BridgeHandle,
                                                           inspector: Page) -> None:
    expect(inspector.get_by_test_id("inspect-status")).to_contain_text("your page http://127.0.0.1")
    mark = seed_page.event_log.last_seq
    inspector.get_by_test_id("inspect-input").fill("make the background blue")
    inspector.get_by_test_id("inspect-input").press("Enter")
    line = tool_line(inspector, "changeBackgroundColor", "verified", after=mark, timeout_ms=5000)
    assert "rgb(0, 0, 255)" in line, line
    # Sent on the page's own channel (its `response` channel), not typed into a text box.
    [sent] = [r for r in seed_page.events(after=mark, type="conversation.item.create")
              if r.event.get("item", {}).get("type") == "message"]
    assert sent.dir == "client"


def test_its_picture_moves_with_the_page(seed_page: BridgeHandle, inspector: Page) -> None:
    seed_page.evaluate(ANIMATE)
    assert distinct_frames(inspector, 2000) >= 10


def test_reconnect_opens_the_page_afresh_with_a_new_call(seed_page: BridgeHandle,
                                                         inspector: Page) -> None:
    first = seed_page.browser.call_id
    inspector.get_by_test_id("inspect-reconnect").click()
    expect(inspector.get_by_test_id("inspect-status")).not_to_contain_text(str(first),
                                                                            timeout=20_000)
    seed_page.wait_ready(timeout_s=30)
    assert seed_page.browser.call_id not in (None, first)
    expect(inspector.get_by_test_id("inspect-notice")).to_be_empty()
