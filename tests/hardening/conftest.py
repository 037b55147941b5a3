"""Bridges for the hardening tests.

- `engine_bridge(...)`: a bridge on the embedded engine with no controlled browser and no
  speech (HTTP and data-channel tests); limits are passed in.
- `openai_bridge` (package scope): a bridge whose upstream is a local server playing OpenAI's
  part, with its controlled Chromium, an event log file and every `bridge.*` log line kept;
  shared by the browser-fault, security and tool-injection tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from bridge.engine import Engine
from bridge.engine.limits import SessionLimits
from bridge.events.records import PageLost, PageReopened, all_of
from tests.fakes.openai_server import FakeOpenAI
from tests.network_safety import SAFETY_ENV

# Obviously not a real key; the tests look for it everywhere the bridge writes.
KEY = "fake-test-key-hardening-0123456789abcdef"
ERROR_FIELDS = {"type", "code", "message", "param"}


@contextmanager
def engine_bridge(
    *, max_sessions: int = 32, limits: SessionLimits | None = None, **flags: Any
) -> Iterator[BridgeThread]:
    """A running bridge on its own embedded engine (no speech, no browser)."""
    engine = Engine(max_sessions=max_sessions, limits=limits)
    settings = Settings.from_env({}, port=0, headless=True, open_browser=False, upstream="local",
                                 max_sessions=max_sessions, **flags)
    thread = BridgeThread(settings, engine=engine).start()
    try:
        yield thread
    finally:
        thread.stop()


def engine_of(thread: BridgeThread) -> Engine:
    assert thread.server is not None and thread.server.bridge.engine is not None
    return thread.server.bridge.engine


def url_of(thread: BridgeThread) -> str:
    assert thread.server is not None
    return thread.server.url


def assert_openai_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is `status` with OpenAI's error body and nothing that looks like a trace."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_FIELDS, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    for trace in ("Traceback", 'File "', "site-packages", "bridge/"):
        assert trace not in response.text, response.text
    error: dict[str, Any] = body["error"]
    return error


class KeptLog(logging.Handler):
    """Every log record of the bridge, formatted with its traceback, kept for the key check."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="package")
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(key=KEY).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def kept_log() -> Iterator[KeptLog]:
    handler = KeptLog()
    logger = logging.getLogger("bridge")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture(scope="package")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hardening") / "events.jsonl"


@pytest.fixture(scope="package")
def openai_bridge(
    fake_openai: FakeOpenAI, kept_log: KeptLog, events_file: Path
) -> Iterator[BridgeHandle]:
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake_openai.base_url, **SAFETY_ENV}
    settings = Settings.from_env(env, port=0, headless=True, events_path=events_file,
                                 upstream_read_timeout_s=2.0)
    thread = BridgeThread(settings).start()
    try:
        yield BridgeHandle(thread).wait_ready(timeout_s=60)
    finally:
        thread.stop()


def wait_connected(handle: BridgeHandle, *, after: int, timeout_s: float = 30.0) -> None:
    """Wait for the controlled page's next `session.updated` after log position `after`."""
    handle.event_log.wait_for(lambda r: r.dir == "server" and r.type == "session.updated",
                              timeout_s=timeout_s, after=after)


def assert_typed_tool_verifies(handle: BridgeHandle, colour: str, rgb: str) -> None:
    """A typed command still reaches the upstream, runs in the page and is verified."""
    mark = handle.type(f"change the background color to {colour}")
    call = handle.wait_for_tool("changeBackgroundColor", {"color": colour}, after=mark,
                                timeout_s=20)
    assert call.verified is True and call.observed["backgroundColor"] == rgb


def recovered(handle: BridgeHandle, mark: int, *reasons: str) -> PageReopened:
    """Wait for page_lost (for one of `reasons`), page_reopened and a connected page."""
    lost = handle.event_log.wait_for(lambda r: r.type == PageLost.TYPE, timeout_s=20,
                                     after=mark)
    assert PageLost.from_record(lost).reason in reasons
    reopened = handle.event_log.wait_for(lambda r: r.type == PageReopened.TYPE,
                                         timeout_s=40, after=lost.seq)
    wait_connected(handle, after=reopened.seq, timeout_s=40)
    health = httpx.get(handle.url + "/api/health", timeout=10).json()
    assert health["page"]["connected"] is True
    # Exactly one loss: the crashed page's close and Chromium's exit start no second recovery.
    assert len(all_of(PageLost, handle.events(after=mark))) == 1
    assert len(all_of(PageReopened, handle.events(after=mark))) == 1
    return PageReopened.from_record(reopened)


def crash_page(handle: BridgeHandle) -> None:
    """Crash the controlled page's renderer, as an out-of-memory kill would."""

    async def crash() -> None:
        page = handle.browser.page
        cdp = await page.context.new_cdp_session(page)
        with contextlib.suppress(Exception):  # the target dies under the command
            await asyncio.wait_for(cdp.send("Page.crash"), 5)

    handle.thread.call(crash)
