"""One watcher's Server-Sent Events: the page's picture, the log and the status on one
connection (a browser opens few connections per host, and two streams a tab would soon use
them up).

Events: `status` (JSON, first and whenever it changes), `log` (a feed entry as JSON), `frame`
(a base64 JPEG), `closing` (the bridge is stopping); a comment line every KEEPALIVE_S. A watcher
that reads slowly gets the newest frame once it is ready for one, never a queue of old ones
(writing waits for the connection to drain); log entries wait for it up to MAX_QUEUED, past
which the oldest give way to a line saying how many were skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..events.log import Record
from .feed import FeedEntry, entry_of

if TYPE_CHECKING:
    from .inspector import Inspector

__all__ = ["KEEPALIVE_S", "watch"]

# The server hears that a watcher left only when a write to it fails (an HTTP/1.1 server reads
# nothing more from a connection while its response streams), so a still page is written to
# this often: the screencast stops within about two of these after the last watcher left.
KEEPALIVE_S = 2.0
MAX_QUEUED = 2000
# On connecting, the last entries of the log so far, found among this many last records.
BACKLOG_ENTRIES = 200
BACKLOG_RECORDS = 5000
RETRY_MS = 2000


def sse(event: str, data: str) -> bytes:
    """One event; `data` must hold no line break (JSON and base64 do not)."""
    return f"event: {event}\ndata: {data}\n\n".encode()


class _Watcher:
    """What one watcher has yet to be sent; records may arrive from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.wake = asyncio.Event()
        self.records: deque[Record] = deque()
        self.skipped = 0

    def on_record(self, record: Record) -> None:
        try:
            same_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            same_loop = False
        if same_loop:
            self._add(record)
        else:
            self.loop.call_soon_threadsafe(self._add, record)

    def _add(self, record: Record) -> None:
        if len(self.records) >= MAX_QUEUED:
            self.records.popleft()
            self.skipped += 1
        self.records.append(record)
        self.wake.set()

    def take(self, after: int) -> tuple[list[Record], int]:
        records = [r for r in self.records if r.seq > after]
        skipped, self.skipped = self.skipped, 0
        self.records.clear()
        return records, skipped


async def watch(inspector: Inspector) -> AsyncIterator[bytes]:
    """The event stream of one watcher, until it goes away or the bridge stops."""
    watcher = _Watcher()
    unsubscribe = inspector.event_log.subscribe(watcher.on_record)
    inspector.add_waker(watcher.wake)
    try:
        async with _watching(inspector, watcher.wake):
            yield f"retry: {RETRY_MS}\n\n".encode()
            status = inspector.status()
            yield sse("status", json.dumps(status))
            last_seq = inspector.event_log.last_seq
            for entry in _backlog(inspector, upto=last_seq):
                yield sse("log", json.dumps(entry.to_json()))
            sent_frame = 0
            loop = asyncio.get_running_loop()
            while not inspector.closing:
                # Woken by news or, at the latest, after KEEPALIVE_S. Not `asyncio.wait_for`: on
                # Python 3.11 a cancellation that lands as the wait ends (frames wake it 15 times
                # a second) can be lost, and the stream then wrote on to a watcher long gone.
                keepalive = loop.call_later(KEEPALIVE_S, watcher.wake.set)
                try:
                    await watcher.wake.wait()
                finally:
                    keepalive.cancel()
                watcher.wake.clear()
                if inspector.closing:
                    break
                out, last_seq = _new_entries(inspector, watcher, last_seq)
                now = inspector.status()
                if now != status:
                    status = now
                    out.append(sse("status", json.dumps(status)))
                frame = inspector.screencast.latest if inspector.screencast else None
                if frame is not None and frame.seq != sent_frame:
                    sent_frame = frame.seq
                    out.append(sse("frame", frame.jpeg_b64))
                for chunk in out or [b": keepalive\n\n"]:
                    yield chunk
            yield sse("closing", json.dumps({"reason": "the bridge is stopping"}))
    finally:
        inspector.remove_waker(watcher.wake)
        unsubscribe()


@contextlib.asynccontextmanager
async def _watching(inspector: Inspector, wake: asyncio.Event) -> AsyncIterator[None]:
    if inspector.screencast is None:  # no controlled browser: the log alone
        yield
        return
    async with inspector.screencast.watching(wake):
        yield


def _backlog(inspector: Inspector, *, upto: int) -> list[FeedEntry]:
    records = inspector.event_log.records(after=max(0, upto - BACKLOG_RECORDS))
    entries = [entry_of(r) for r in records if r.seq <= upto]
    kept = [inspector.redactor.entry(e) for e in entries if e is not None]
    return kept[-BACKLOG_ENTRIES:]


def _new_entries(inspector: Inspector, watcher: _Watcher, after: int) -> tuple[list[bytes], int]:
    records, skipped = watcher.take(after)
    chunks: list[bytes] = []
    if skipped:
        note: dict[str, Any] = {"seq": 0, "t": None, "kind": "status", "verdict": None,
                                "tool": None, "text": f"{skipped} events skipped: this watcher "
                                                      "read too slowly"}
        chunks.append(sse("log", json.dumps(note)))
    for record in records:
        entry = entry_of(record)
        if entry is not None:
            chunks.append(sse("log", json.dumps(inspector.redactor.entry(entry).to_json())))
    return chunks, max([after, *(r.seq for r in records)])
