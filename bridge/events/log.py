"""The session event log: every data-channel event and every verification, one JSON object a line.

Schema of a line: `{"t": seconds since the bridge started (monotonic), "session": call id,
"dir": "client" | "server" | "bridge", "type": event type, "event": the whole event}`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar, Literal, Protocol

Direction = Literal["client", "server", "bridge"]
Listener = Callable[["Record"], None]
_DIRECTIONS: tuple[Direction, ...] = ("client", "server", "bridge")


class BridgeEntry(Protocol):
    """One of the bridge's own records (`records`): its type and the event it writes."""

    TYPE: ClassVar[str]

    def to_event(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Record:
    t: float
    session: str | None
    dir: Direction
    type: str
    event: dict[str, Any]
    seq: int

    def as_json(self) -> dict[str, Any]:
        return {
            "t": round(self.t, 6),
            "session": self.session,
            "dir": self.dir,
            "type": self.type,
            "event": self.event,
        }

    @classmethod
    def from_json(cls, line: Any, *, seq: int = 0) -> Record | None:
        """A line of a JSONL event log (parsed) as a record; None if it is not one."""
        if not isinstance(line, dict) or line.get("dir") not in _DIRECTIONS:
            return None
        t, event, session = line.get("t"), line.get("event"), line.get("session")
        return cls(t=float(t) if isinstance(t, int | float) else 0.0,
                   session=session if isinstance(session, str) else None,
                   dir=line["dir"], type=str(line.get("type")),
                   event=event if isinstance(event, dict) else {}, seq=seq)


class EventLog:
    """Appends records to an optional JSONL file, keeps recent ones, and tells listeners.

    Records are appended on the event loop; listeners may be other threads' waiters (the test
    fixtures), so appends and reads are guarded by a condition variable.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        keep: int = 100_000,
    ) -> None:
        self._clock = clock
        self._start = clock()
        self._records: deque[Record] = deque(maxlen=keep)
        self._listeners: list[Listener] = []
        self._changed = threading.Condition()
        self._seq = 0
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Line-buffered: each record reaches the file whole, even if the process is killed.
            self._file = path.open("a", encoding="utf-8", buffering=1)

    @property
    def started_at(self) -> float:
        return self._start

    def now(self) -> float:
        """Seconds since the log started, on the same clock as the records' `t`."""
        return self._clock() - self._start

    def append(
        self,
        *,
        dir: Direction,
        type: str,
        event: dict[str, Any],
        session: str | None = None,
        t: float | None = None,
    ) -> Record:
        """Append a record; `t` (on this log's clock, not later than now) says when it
        happened if that was before it reached the log, as for events a page reports."""
        with self._changed:
            self._seq += 1
            now = self.now()
            record = Record(now if t is None else min(t, now), session, dir, type, event,
                            self._seq)
            self._records.append(record)
            if self._file is not None:
                self._file.write(json.dumps(record.as_json(), separators=(",", ":")) + "\n")
            self._changed.notify_all()
            listeners = tuple(self._listeners)
        for listener in listeners:
            listener(record)
        return record

    def append_bridge(self, entry: BridgeEntry, *, session: str | None = None) -> Record:
        """Append one of the bridge's own records (`dir: "bridge"`)."""
        return self.append(dir="bridge", type=entry.TYPE, event=entry.to_event(),
                           session=session)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each new record; returns a function that unsubscribes."""
        with self._changed:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._changed:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def records(self, *, after: int = 0) -> list[Record]:
        with self._changed:
            return [r for r in self._records if r.seq > after]

    @property
    def last_seq(self) -> int:
        with self._changed:
            return self._seq

    def wait_for(
        self, predicate: Callable[[Record], bool], *, timeout_s: float, after: int = 0
    ) -> Record:
        """Block (in a thread that is not the event loop) until a record matches; TimeoutError."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                found = next((r for r in self._iter_after(after) if predicate(r)), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no matching event within {timeout_s:.1f} s")
                self._changed.wait(remaining)

    def _iter_after(self, seq: int) -> Iterator[Record]:
        return (r for r in self._records if r.seq > seq)

    def close(self) -> None:
        with self._changed:
            if self._file is not None:
                self._file.close()
                self._file = None
