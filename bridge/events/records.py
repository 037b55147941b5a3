"""The bridge's own records (`dir: "bridge"`), typed: what it writes to the event log and reads
back, so that no other module reads them by string keys.

Each record class has `TYPE` (the record's `type`), `to_event()` (the dict written as the
record's `event`) and `from_record(record)`, which reads a logged record back and never raises:
a missing or malformed field takes its default. `read(record)` gives the typed record of any
`bridge.*` record, or None.

    event_log.append_bridge(PageLost(reason="the page crashed"), session=call_id)
    lost = PageLost.from_record(record)

A `bridge.tool_verified` record carries the call's verdict (`verdicts`) and, derived from it,
the `verified` field it has always had.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from .log import Record
from .record_base import BridgeRecord
from .tool_records import ToolRefused, ToolVerified

__all__ = [
    "BridgeRecord", "BrowserFailed", "PageLost", "PageWarning", "PageReopenFailed", "PageReopened",
    "RequestBlocked", "ResponseRefused", "SignallingRouted", "Stopped", "ToolRefused",
    "ToolVerified", "UserAudio", "all_of", "read",
]


@dataclass(frozen=True)
class PageLost(BridgeRecord):
    """`bridge.page_lost`: the controlled page crashed or closed, or Chromium exited."""

    TYPE: ClassVar[str] = "bridge.page_lost"

    reason: str


@dataclass(frozen=True)
class PageReopened(BridgeRecord):
    """`bridge.page_reopened`: the page is open again (in a relaunched Chromium or not)."""

    TYPE: ClassVar[str] = "bridge.page_reopened"

    reason: str
    browser_relaunched: bool


@dataclass(frozen=True)
class PageReopenFailed(BridgeRecord):
    """`bridge.page_reopen_failed`: every attempt to reopen the page failed."""

    TYPE: ClassVar[str] = "bridge.page_reopen_failed"

    reason: str
    error: str


@dataclass(frozen=True)
class BrowserFailed(BridgeRecord):
    """`bridge.browser_failed`: the controlled browser could not start; the server serves on."""

    TYPE: ClassVar[str] = "bridge.browser_failed"

    error: str


@dataclass(frozen=True)
class Stopped(BridgeRecord):
    """`bridge.stopped`: the bridge has shut down; always the log's last line."""

    TYPE: ClassVar[str] = "bridge.stopped"

    calls_closed: int | None  # engine calls open at shutdown; None without an engine


@dataclass(frozen=True)
class UserAudio(BridgeRecord):
    """`bridge.user_audio`: an utterance played into the page's microphone track; times on the
    log's clock (when it started, when its words ended, when the clip ended)."""

    TYPE: ClassVar[str] = "bridge.user_audio"

    kind: str  # "say" or "play"
    text: str | None
    source: str | None
    started_t: float
    ended_t: float
    clip_ended_t: float
    # What was done to the audio first, in `Impairments.to_mapping` form; absent when nothing.
    impairments: dict[str, Any] | None = None

    def to_event(self) -> dict[str, Any]:
        event = {k: round(v, 6) if k.endswith("_t") else v for k, v in super().to_event().items()}
        if event["impairments"] is None:
            del event["impairments"]
        return event


@dataclass(frozen=True)
class PageWarning(BridgeRecord):
    """`bridge.page_warning`: something the page does that its upstream will refuse or that
    will not work as the page expects; the page goes on."""

    TYPE: ClassVar[str] = "bridge.page_warning"

    message: str

    def describe(self) -> str:
        return f"WARNING: {self.message}"


@dataclass(frozen=True)
class RequestBlocked(BridgeRecord):
    """`bridge.request_blocked`: a request of the controlled browser aborted before it left."""

    TYPE: ClassVar[str] = "bridge.request_blocked"

    url: str
    method: str
    reason: str

    def describe(self) -> str:
        return f"{self.method} {self.url} BLOCKED: {self.reason}"


@dataclass(frozen=True)
class SignallingRouted(BridgeRecord):
    """`bridge.signalling_routed`: a page's signalling request answered by the bridge."""

    TYPE: ClassVar[str] = "bridge.signalling_routed"

    url: str
    method: str
    call_id: str | None
    upstream: str
    status: int | None = None
    error: str | None = None

    def describe(self) -> str:
        outcome = self.call_id or self.error or ""
        return f"{self.method} {self.url} -> {self.upstream}: {self.status} {outcome}".rstrip()


@dataclass(frozen=True)
class ResponseRefused(BridgeRecord):
    """`bridge.response_refused`: the upstream refused a `response.create` because a response
    was still active (`conversation_already_has_active_response`, as OpenAI does): what it
    asked an answer for (`unanswered`) gets none unless the client asks again."""

    TYPE: ClassVar[str] = "bridge.response_refused"

    active_response_id: str | None  # the response still in progress, as the page saw it
    unanswered: str | None  # the newest input not yet answered: a user's text, or an output
    message: str  # the upstream's error message
    event_id: str | None = None  # the refused client event, when the client named it

    def describe(self) -> str:
        what = f"{self.unanswered!r}" if self.unanswered else "the request"
        return (f"LOST: response.create refused while {self.active_response_id or 'a response'} "
                f"was active; {what} gets no answer unless the client asks again")


_CLASSES: dict[str, type[BridgeRecord]] = {cls.TYPE: cls for cls in (
    ToolVerified, ToolRefused, PageLost, PageReopened, PageReopenFailed, BrowserFailed, Stopped,
    UserAudio, PageWarning, RequestBlocked, SignallingRouted, ResponseRefused)}


def read(record: Record) -> BridgeRecord | None:
    """The typed record of one of the bridge's own records; None for any other record."""
    cls = _CLASSES.get(record.type) if record.dir == "bridge" else None
    return None if cls is None else cls.from_record(record)


R = TypeVar("R", bound=BridgeRecord)


def all_of(cls: type[R], records: Iterable[Record]) -> list[R]:
    """The records of `cls`'s type among `records`, read as `cls`, in order."""
    return [cls.from_record(r) for r in records if r.dir == "bridge" and r.type == cls.TYPE]
