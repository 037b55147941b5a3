"""Per-session limits of the embedded engine: how fast a client may send events, how long a
call may last. The engine applies them; a session never sees an event over the rate."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# OpenAI ends a Realtime session after 60 minutes; the engine does the same by default.
DEFAULT_MAX_SESSION_S = 3600.0
# A page sends a handful of events a second at most (session.update, items, response.create).
DEFAULT_MAX_EVENTS_PER_S = 50.0


@dataclass(frozen=True)
class SessionLimits:
    """`max_events_per_s` sustained, with bursts up to `burst_events`; `max_session_s` per call."""

    max_events_per_s: float = DEFAULT_MAX_EVENTS_PER_S
    burst_events: int = 0  # 0: twice the rate, at least 20
    max_session_s: float = DEFAULT_MAX_SESSION_S

    def __post_init__(self) -> None:
        if self.max_events_per_s <= 0 or self.max_session_s <= 0 or self.burst_events < 0:
            raise ValueError("session limits must be positive")

    @property
    def burst(self) -> int:
        return self.burst_events or max(20, int(2 * self.max_events_per_s))

    def event_rate(self, *, clock: Callable[[], float] = time.monotonic) -> EventRate:
        return EventRate(self.max_events_per_s, self.burst, clock=clock)


class EventRate:
    """A token bucket over one session's client events.

    `admit()` says whether the next event may be handled. Events over the rate are dropped;
    `dropped_report()` gives the number dropped since the last report, at most once a second,
    so that a flood is answered with a few `error` events rather than one per message.
    """

    REPORT_EVERY_S = 1.0

    def __init__(self, per_s: float, burst: int, *, clock: Callable[[], float] = time.monotonic):
        self._per_s = per_s
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._dropped = 0
        self._reported_at: float | None = None
        self.dropped_total = 0

    def admit(self) -> bool:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._per_s)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        self._dropped += 1
        self.dropped_total += 1
        return False

    def dropped_report(self) -> int | None:
        """The count dropped since the last report, when a report is due; else None."""
        now = self._clock()
        if self._dropped == 0 or (
            self._reported_at is not None and now - self._reported_at < self.REPORT_EVERY_S
        ):
            return None
        dropped, self._dropped, self._reported_at = self._dropped, 0, now
        return dropped
