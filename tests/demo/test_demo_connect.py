"""Before a demo records, its page must connect: a browser that could not start (a `start:` with
nothing to click) ends the wait at once with its reason; a page that never connects ends it
after the timeout, saying what the bridge saw."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import cast

import pytest

from bridge.demo.runner import wait_connected
from bridge.drive.handle import BridgeHandle
from bridge.errors import BrowserError
from bridge.events.log import EventLog
from bridge.events.records import BrowserFailed, RequestBlocked


@dataclass
class Browser:
    connected: bool = False


@dataclass
class Bridge:
    browser: Browser = field(default_factory=Browser)
    event_log: EventLog = field(default_factory=EventLog)


def _wait(bridge: Bridge, timeout_s: float = 5.0) -> BridgeHandle:
    return wait_connected(cast(BridgeHandle, bridge), timeout_s=timeout_s)


def test_a_connected_page_is_ready_at_once() -> None:
    bridge = Bridge(Browser(connected=True))
    assert _wait(bridge) is cast(BridgeHandle, bridge)


def test_a_browser_that_failed_to_start_ends_the_wait_with_its_reason() -> None:
    bridge = Bridge()
    bridge.event_log.append_bridge(BrowserFailed(error="--start '#go': nothing to click"))
    started = time.monotonic()
    with pytest.raises(BrowserError, match="could not start: --start '#go': nothing to click"):
        _wait(bridge)
    assert time.monotonic() - started < 1


def test_a_page_that_never_connects_is_given_up_saying_what_was_seen() -> None:
    bridge = Bridge()
    with pytest.raises(BrowserError, match=r"did not connect within 0\.2 s; the bridge saw no "
                                           "signalling from it"):
        _wait(bridge, timeout_s=0.2)
    bridge.event_log.append_bridge(RequestBlocked(url="https://api.example.com/v1/connect",
                                                  method="POST", reason="outside loopback"))
    with pytest.raises(BrowserError, match=r"saw .*https://api\.example\.com/v1/connect"):
        _wait(bridge, timeout_s=0.2)
