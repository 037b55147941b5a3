"""Browser faults: the controlled page crashes, Chromium is killed, the upstream hangs up.
Each is noticed and logged, the page is reopened (Chromium relaunched) and connects again, and
a typed command is still run and verified in the DOM."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from bridge.drive.handle import BridgeHandle
from bridge.events.records import PageLost, all_of
from tests.fakes.openai_server import FakeOpenAI
from tests.hardening.conftest import (
    assert_typed_tool_verifies,
    crash_page,
    recovered,
    wait_connected,
)

pytestmark = pytest.mark.e2e


def chromium_processes(handle: BridgeHandle) -> list[int]:
    """PIDs of the controlled Chromium's main process (its fake microphone file is in the
    browser's own temporary folder, so this finds this bridge's Chromium and no other)."""
    marker = handle.browser._tmp.name
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        text = b" ".join(argv).decode(errors="replace")
        if marker in text and "--type=" not in text and state != "Z":
            found.append(int(entry.name))
    return found


def test_crashed_page_is_reopened_and_reconnects(openai_bridge: BridgeHandle) -> None:
    handle = openai_bridge
    mark = handle.event_log.last_seq
    before = handle.browser.call_id

    crash_page(handle)
    assert recovered(handle, mark, "the page crashed").browser_relaunched is False
    assert handle.browser.call_id != before
    assert_typed_tool_verifies(handle, "navy", "rgb(0, 0, 128)")


def test_killed_chromium_is_relaunched_and_reconnects(openai_bridge: BridgeHandle) -> None:
    handle = openai_bridge
    [pid] = chromium_processes(handle)
    mark = handle.event_log.last_seq
    os.kill(pid, signal.SIGKILL)
    # Its page's close may be reported first; either way Chromium must be relaunched.
    assert recovered(handle, mark, "chromium exited", "the page was closed").browser_relaunched
    deadline = time.monotonic() + 10
    while pid in chromium_processes(handle) and time.monotonic() < deadline:
        time.sleep(0.1)
    after = chromium_processes(handle)
    assert len(after) == 1 and pid not in after  # one new Chromium, not two
    assert_typed_tool_verifies(handle, "olive", "rgb(128, 128, 0)")


def test_page_reconnects_when_the_upstream_hangs_up(
    openai_bridge: BridgeHandle, fake_openai: FakeOpenAI
) -> None:
    handle = openai_bridge
    before = handle.browser.call_id
    mark = handle.event_log.last_seq

    async def hang_up() -> bool:
        return await fake_openai.engine.hangup(str(before))

    assert fake_openai.call(hang_up) is True
    wait_connected(handle, after=mark, timeout_s=30)  # the page's own reconnect
    assert handle.browser.call_id not in (None, before)
    assert not all_of(PageLost, handle.events(after=mark))  # no reload was needed
    assert_typed_tool_verifies(handle, "maroon", "rgb(128, 0, 0)")
