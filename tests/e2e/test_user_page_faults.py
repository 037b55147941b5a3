"""A user's page that does not connect: the bridge says what the page did — microphone, peers,
channels, the requests it made — instead of waiting in silence."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from bridge.errors import BrowserError
from bridge.events.records import PageWarning, all_of
from tests.e2e.user_pages.backend import Site
from tests.fakes.openai_server import FakeOpenAI
from tests.hardening.conftest import crash_page, recovered

pytestmark = pytest.mark.e2e


@pytest.fixture
def start_bridge() -> Iterator[Callable[..., BridgeHandle]]:
    threads: list[BridgeThread] = []

    def start(*, env: dict[str, str] | None = None, **settings: Any) -> BridgeHandle:
        settings.setdefault("upstream", "local")
        thread = BridgeThread(Settings.from_env(env, port=0, headless=True, **settings)).start()
        threads.append(thread)
        return BridgeHandle(thread)

    yield start
    for thread in threads:
        thread.stop()


def test_a_local_page_that_never_connects_says_it_asked_for_nothing(
    tmp_path: Path, start_bridge: Callable[..., BridgeHandle]
) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>quiet</title><h1>No voice</h1>")
    handle = start_bridge(page=str(tmp_path))
    _wait_until_open(handle, title="quiet")  # the 3 s below are the page's, not Chromium's start
    with pytest.raises(BrowserError) as failed:
        handle.wait_ready(timeout_s=3)
    message = str(failed.value)
    assert "did not connect within 3 s" in message
    assert "no getUserMedia" in message and "no RTCPeerConnection" in message
    assert "/page/index.html -> passed" in message  # served by the bridge under its prefix


def _wait_until_open(handle: BridgeHandle, *, title: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if handle.evaluate("document.title") == title:
                return
        except Exception:  # not open yet, or navigating: both mean "ask again"
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"the page titled {title!r} did not open in {timeout_s:g} s")
        time.sleep(0.1)


def test_an_offer_sent_where_the_bridge_does_not_look_is_listed(
    start_bridge: Callable[..., BridgeHandle],
) -> None:
    site = Site("stray")
    try:
        handle = start_bridge(page=site.url, route_offers=False)
        with pytest.raises(BrowserError) as failed:
            handle.wait_ready(timeout_s=8)
    finally:
        site.close()
    message = str(failed.value)
    assert "POST http://127.0.0.1:5061/signal -> passed" in message
    assert re.search(r"peer 1: \w+, no answer applied, oai-events \(connecting\)", message)
    assert "--route GLOB" in message


def test_a_beta_shaped_page_gets_a_warning_when_openai_is_the_upstream(
    start_bridge: Callable[..., BridgeHandle],
) -> None:
    fake = FakeOpenAI(key="fake-warning-key-0123456789").start()
    site = Site("seed")
    try:
        env = {**os.environ, "OPENAI_API_KEY": fake.key, "OPENAI_BASE_URL": fake.base_url}
        handle = start_bridge(env=env, upstream="openai", page=site.url, start_selector="#toggle")
        handle.wait_ready(timeout_s=30)  # the stand-in for OpenAI tolerates it; OpenAI would not
        [warning] = all_of(PageWarning, handle.events())
        assert "beta" in warning.message and "modalities" in warning.message
        assert fake.seen and fake.seen[-1].authorization == f"Bearer {fake.key}"
    finally:
        site.close()
        fake.stop()


def test_a_page_behind_a_login_connects_with_the_saved_storage_state(
    tmp_path: Path, start_bridge: Callable[..., BridgeHandle],
) -> None:
    seed = Path(__file__).resolve().parent / "user_pages" / "seed"
    site = tmp_path / "site"
    site.mkdir()
    (site / "app.js").write_text((seed / "app.js").read_text())
    # The page starts its voice session only for a logged-in visitor.
    (site / "index.html").write_text(
        (seed / "index.html").read_text().replace(
            '<script src="app.js"></script>',
            "<script>if (document.cookie.includes('session=signed-in')) {"
            " const s = document.createElement('script'); s.src = 'app.js';"
            " s.onload = () => document.getElementById('toggle').click();"
            " document.body.append(s); }</script>"))
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [{
        "name": "session", "value": "signed-in", "domain": "127.0.0.1", "path": "/",
        "expires": -1, "httpOnly": False, "secure": False, "sameSite": "Lax"}], "origins": []}))
    logged_out = start_bridge(page=str(site))
    with pytest.raises(BrowserError, match="no RTCPeerConnection"):
        logged_out.wait_ready(timeout_s=3)
    logged_in = start_bridge(page=str(site), storage_state=state)
    logged_in.wait_ready(timeout_s=30)
    assert logged_in.events(type="session.updated")


def test_a_crashed_user_page_is_reopened_started_and_checked_again(
    tmp_path: Path, start_bridge: Callable[..., BridgeHandle],
) -> None:
    checks = tmp_path / "checks.yaml"
    checks.write_text("tools:\n  changeBackgroundColor:\n    checks:\n"
                      "      - {selector: body, style: {background-color: '{color}'}}\n")
    site = Site("seed")
    try:
        handle = start_bridge(page=site.url, start_selector="#toggle", checks_path=checks)
        handle.wait_ready(timeout_s=30)
        mark = handle.event_log.last_seq
        crash_page(handle)
        assert recovered(handle, mark, "the page crashed").browser_relaunched is False
        mark = handle.type("make the background navy")  # the page was started again: it works
        call = handle.wait_for_tool("changeBackgroundColor", {"color": "navy"}, after=mark)
        assert call.observed["body background-color"] == "rgb(0, 0, 128)"
    finally:
        site.close()
