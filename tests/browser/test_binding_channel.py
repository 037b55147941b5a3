"""The binding's `channel` reports (what the instrument saw on a page's data channels): events
logged at the page's time in the call their ufrag names, everything else left out without
a crash, and a flood logged whole while the loop keeps running."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest

from bridge.browser.binding import ChannelMessage, PageReports
from bridge.browser.tools import ToolRegistry
from bridge.events.log import EventLog
from tests.conftest import run_async


class NoPage:
    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        raise AssertionError("a channel report never reads the page")


def entry(direction: str, text: Any, *, ufrag: str | None = "uf1", at: float | None = None,
          label: str = "oai-events") -> dict[str, Any]:
    return {"dir": direction, "label": label, "peer": 1, "ufrag": ufrag,
            "at": time.time() * 1000 if at is None else at, "text": text}


def reports(calls: dict[str, str] | None = None) -> tuple[PageReports, EventLog, list[str]]:
    log = EventLog()
    seen: list[str] = []
    page_reports = PageReports(NoPage(), registry=ToolRegistry.load(), event_log=log,
                               on_event=lambda d, e: seen.append(f"{d} {e['type']}"),
                               call_for_ufrag=None if calls is None else calls.get)
    return page_reports, log, seen


def test_events_are_logged_in_the_call_their_ufrag_names() -> None:
    page_reports, log, seen = reports({"uf1": "rtc_one", "uf2": "rtc_two"})
    batch = [entry("client", '{"type":"session.update","session":{}}'),
             entry("server", '{"type":"session.created"}', ufrag="uf2"),
             entry("server", '{"type":"response.done"}', ufrag="unknown"),
             entry("server", '{"type":"response.created"}', ufrag=None)]
    assert run_async(page_reports.handle("channel", json.dumps(batch))) is None
    assert [(r.dir, r.type, r.session) for r in log.records()] == [
        ("client", "session.update", "rtc_one"), ("server", "session.created", "rtc_two"),
        # An unknown or missing ufrag: the last call known.
        ("server", "response.done", "rtc_two"), ("server", "response.created", "rtc_two")]
    assert log.records()[0].event == {"type": "session.update", "session": {}}
    assert seen == ["client session.update", "server session.created", "server response.done",
                    "server response.created"]
    assert page_reports.call_id == "rtc_two"


def test_the_time_is_when_the_page_saw_it() -> None:
    page_reports, log, _ = reports()
    now_ms = time.time() * 1000
    batch = [entry("server", '{"type":"a"}', at=now_ms - 1500), entry("server", '{"type":"b"}',
                                                                       at=now_ms + 60_000)]
    run_async(page_reports.handle("channel", json.dumps(batch)))
    first, second = log.records()
    assert first.t == pytest.approx(log.now() - 1.5, abs=0.2)
    assert second.t <= log.now()  # never later than it reached the log


@pytest.mark.parametrize("payload", [
    None, 42, "not json", "{}", '{"dir":"client"}', "[1, null, \"x\", []]",
    json.dumps([entry("client", "plain text"), entry("server", "[1, 2]"),
                entry("server", '{"no_type": 1}'), entry("server", '{"type": 7}'),
                entry("server", "{broken"), entry("sideways", '{"type":"x"}'),
                entry("client", {"type": "an object, not a text"}),
                {"dir": "client", "text": '{"type":"t"}', "at": "later", "peer": True}]),
])
def test_anything_else_is_left_out_without_a_crash(payload: Any) -> None:
    page_reports, log, _ = reports()
    assert run_async(page_reports.handle("channel", payload)) is None
    assert [r.type for r in log.records()] in ([], ["t"])


def test_a_message_entry_is_read_strictly() -> None:
    message = ChannelMessage.from_entry({"dir": "client", "text": '{"type":"t"}', "at": "later",
                                         "peer": True, "ufrag": "", "label": "x"})
    assert message == ChannelMessage(dir="client", label="x", peer=None, ufrag=None, at_ms=None,
                                     text='{"type":"t"}')
    assert message.event() == {"type": "t"}
    assert ChannelMessage.from_entry({"dir": "client", "text": b"binary"}) is None


def test_reports_the_page_had_to_drop_are_told(caplog: pytest.LogCaptureFixture) -> None:
    page_reports, log, _ = reports()
    with caplog.at_level(logging.WARNING, logger="bridge.browser.binding"):
        run_async(page_reports.handle("channel", json.dumps(
            [{"dropped": 12, "at": 1.0}, entry("server", '{"type":"x"}')])))
    assert "dropped 12 data-channel messages" in caplog.text
    assert [r.type for r in log.records()] == ["x"]


def test_a_flood_is_logged_whole_while_the_loop_keeps_running() -> None:
    count = 5_000
    batch = json.dumps([entry("server", json.dumps({"type": "response.output_audio_transcript.delta",
                                                    "i": i, "delta": "word "}))
                        for i in range(count)])
    page_reports, log, _ = reports()

    async def run() -> tuple[float, float, int]:
        stalls: list[float] = []
        done = False

        async def tick() -> None:
            # The CPU the loop's thread spent between two turns: the handler's own hold of the
            # loop, whatever else the machine runs meanwhile.
            while not done:
                before = time.thread_time()
                await asyncio.sleep(0)
                stalls.append(time.thread_time() - before)

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        started = time.perf_counter()
        await page_reports.handle("channel", batch)
        elapsed = time.perf_counter() - started
        turns = len(stalls)
        done = True
        await ticker
        return elapsed, max(stalls), turns

    elapsed, worst, turns = run_async(run())
    assert [r.event["i"] for r in log.records()] == list(range(count))
    print(f"\n{count} channel events logged in {elapsed * 1000:.0f} ms, "
          f"longest hold of the loop {worst * 1000:.1f} ms, given back {turns} times")
    # The loop is given back every few hundred events (a hold's length also counts the
    # interpreter's own garbage collection, which a big process can make 100 ms long).
    assert turns >= count // 200 - 1
