"""The controlled browser elsewhere, on loopback: a Playwright browser server started from the
installed package (`run-server --unsafe`), and a Chromium with a CDP port and no fake-media
flag. The bridge listens on 127.0.0.2 while the page is opened at http://127.0.0.1:PORT, where
nothing listens: every request of the page's own origin is relayed through routing. The
engine offers 127.0.0.1 in its candidates (`rtc_host`). The bridge starts no Chromium itself."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from bridge.browser.chromium import MEDIA_FLAGS
from bridge.browser.remote import _bounded, connect_browser_server
from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from bridge.errors import BrowserError
from tests.conftest import run_async
from tests.e2e.remote_browsers import (
    BrowserServer,
    CdpChromium,
    chromium_pids,
    executable,
    free_port,
)

pytestmark = pytest.mark.e2e

# Only the bridge passes this flag: a Chromium with it under this process is one it asked for.
MARKER = MEDIA_FLAGS[-1]
REMOTE_CANDIDATES = """() => [...window.rtcBridge.pc.remoteDescription.sdp.matchAll(
  /^a=candidate:\\S+ \\d+ \\S+ \\d+ (\\S+) \\d+ typ host/gm)].map((m) => m[1])"""


@dataclass
class Remote:
    server: BrowserServer
    handle: BridgeHandle
    launched_here: set[int]


def _bridge(**settings: Any) -> BridgeHandle:
    thread = BridgeThread(Settings.from_env(port=0, headless=True, upstream="local",
                                            **settings)).start()
    try:
        return BridgeHandle(thread).wait_ready(timeout_s=30)
    except BaseException:
        thread.stop()
        raise


@pytest.fixture(scope="module")
def remote() -> Iterator[Remote]:
    server = BrowserServer().start()
    try:
        assert server.process is not None
        before = chromium_pids(MARKER, outside=server.process.pid)
        handle = _bridge(host="127.0.0.2", browser_ws=server.url, chromium_path=executable(),
                         rtc_host="127.0.0.1")
    except BaseException:  # nothing left running when the setup itself fails
        server.stop()
        raise
    try:
        pid = server.process.pid if server.process is not None else None
        yield Remote(server, handle, chromium_pids(MARKER, outside=pid) - before)
    finally:
        handle.thread.stop()
        server.stop()


def test_the_bridge_starts_no_chromium_of_its_own(remote: Remote) -> None:
    assert remote.handle.browser.source == "remote"
    assert remote.launched_here == set()


def test_the_page_keeps_its_secure_origin_through_the_relay(remote: Remote) -> None:
    handle = remote.handle
    assert handle.url.startswith("http://127.0.0.2:")
    port = handle.url.rsplit(":", 1)[1]
    assert handle.evaluate("() => location.origin") == f"http://127.0.0.1:{port}"
    assert handle.evaluate("() => window.isSecureContext") is True
    relayed = [r for r in handle.browser.router.requests() if r.url.endswith("/app.js")]
    assert relayed and relayed[-1].detail == f"200 from {handle.url}"
    # The engine's host candidates all offer the address it was told to.
    assert set(handle.evaluate(REMOTE_CANDIDATES)) == {"127.0.0.1"}


def test_a_typed_command_reaches_a_verified_tool_call(remote: Remote) -> None:
    mark = remote.handle.type("change the background color to blue")
    call = remote.handle.wait_for_tool("changeBackgroundColor", {"color": "blue"}, after=mark,
                                       timeout_s=15)
    assert call.observed["backgroundColor"] == "rgb(0, 0, 255)"


def test_a_spoken_command_reaches_a_verified_tool_call(remote: Remote) -> None:
    utterance = remote.handle.say("make the text yellow")
    remote.handle.wait_for_tool("changeTextColor", {"color": "yellow"}, after=utterance.mark,
                                timeout_s=20)


def test_a_server_dropped_mid_session_is_reconnected(remote: Remote) -> None:
    handle, log = remote.handle, remote.handle.event_log
    mark = log.last_seq
    remote.server.stop()
    lost = log.wait_for(lambda r: r.type == "bridge.page_lost", timeout_s=10, after=mark)
    # Its pages close as the connection drops, before Playwright reports the browser gone.
    assert lost.event["reason"] in ("the page was closed", "the remote browser disconnected")
    remote.server.start()  # on the same port, as a restarted container would be
    reopened = log.wait_for(lambda r: r.type in ("bridge.page_reopened",
                                                 "bridge.page_reopen_failed"),
                            timeout_s=30, after=lost.seq)
    assert reopened.type == "bridge.page_reopened", reopened.event
    assert reopened.event["browser_relaunched"] is True
    handle.wait_ready(timeout_s=20)
    mark = handle.type("change the background color to red")
    handle.wait_for_tool("changeBackgroundColor", {"color": "red"}, after=mark, timeout_s=15)


def test_a_server_that_is_down_at_start_is_a_clear_error() -> None:
    url = f"ws://127.0.0.1:{free_port()}/"
    started = time.monotonic()
    thread = BridgeThread(Settings.from_env(port=0, headless=True, upstream="local",
                                            browser_ws=url)).start()
    try:
        assert thread.server is not None
        failed = thread.server.event_log.wait_for(lambda r: r.type == "bridge.browser_failed",
                                                  timeout_s=10)
    finally:
        thread.stop()
    assert time.monotonic() - started < 10
    assert f"the browser server at {url}" in failed.event["error"]
    assert "ECONNREFUSED" in failed.event["error"]


def test_a_cdp_chromium_without_fake_media_flags(tmp_path_factory: pytest.TempPathFactory) -> None:
    chromium = CdpChromium(executable())
    try:
        handle = _bridge(cdp_url=chromium.url)
        try:
            assert handle.browser.source == "remote"
            status = handle.evaluate("() => document.querySelector('[data-testid=status]')"
                                     ".textContent")
            assert re.search(r"no microphone device", status), status
            mark = handle.type("make the text yellow")
            handle.wait_for_tool("changeTextColor", {"color": "yellow"}, after=mark,
                                 timeout_s=15)
            # The page's microphone is the bridge's own: what it says is heard.
            utterance = handle.say("change the background color to blue")
            handle.wait_for_tool("changeBackgroundColor", {"color": "blue"},
                                 after=utterance.mark, timeout_s=20)
        finally:
            handle.thread.stop()
    finally:
        chromium.close()


def test_a_version_mismatch_names_both_versions(remote: Remote) -> None:
    async def connect() -> None:
        async with async_playwright() as playwright:
            # What an older client says of itself; the server answers 428 and both versions.
            await _bounded(playwright.chromium.connect(
                remote.server.url, headers={"User-Agent": "Playwright/1.2.3 (x64; linux)"}),
                remote.server.url, timeout_s=10, what="the browser server")

    with pytest.raises(BrowserError) as raised:
        run_async(connect())
    message = raised.value.message
    assert message.startswith("Playwright version mismatch: the browser server at ws://127.0.0.1:")
    assert "runs Playwright 1.65" in message and "(it reported 1.2)" in message


def test_a_server_without_unsafe_is_asked_for_its_own_browser(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Without --unsafe the server drops the bridge's args and executablePath; with no browser
    # of its own (an empty PLAYWRIGHT_BROWSERS_PATH) it cannot launch one either way.
    server = BrowserServer(unsafe=False, browsers_path=tmp_path).start()

    async def connect() -> None:
        async with async_playwright() as playwright:
            await connect_browser_server(playwright.chromium, server.url, headless=True,
                                         args=["--no-first-run"], executable=executable())

    try:
        with caplog.at_level(logging.WARNING), pytest.raises(BrowserError) as raised:
            run_async(connect())
    finally:
        server.stop()
    assert f"could not connect to the browser server at {server.url}" in raised.value.message
    assert "Executable doesn't exist" in raised.value.message
    assert any("asking for its own defaults" in r.getMessage() for r in caplog.records)
