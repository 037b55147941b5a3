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

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self, TypeVar, get_type_hints

from .log import Record
from .verdicts import VERDICTS, Verdict, verified_of

__all__ = [
    "BridgeRecord", "BrowserFailed", "PageLost", "PageReopenFailed", "PageReopened",
    "RequestBlocked", "SignallingRouted", "Stopped", "ToolRefused", "ToolVerified", "UserAudio",
    "all_of", "read",
]


@dataclass(frozen=True)
class BridgeRecord:
    """What every record class has; `read` dispatches on `TYPE`.

    By default a record's event is its fields, and reading one back takes each field by its
    declared type (text, optional text, flag, seconds, count), a default where it is wrong.
    """

    TYPE: ClassVar[str]

    def to_event(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Self:
        hints = get_type_hints(cls)
        return cls(**{f.name: _READERS[hints[f.name]](event.get(f.name)) for f in fields(cls)})

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """The record's event read as this class; defaults for what is missing or malformed."""
        event = record.event
        return cls.from_event(event if isinstance(event, Mapping) else {})

    def describe(self) -> str:
        """One line for people: the CLI's and the report's."""
        return json.dumps(self.to_event())


@dataclass(frozen=True)
class _ToolCall(BridgeRecord):
    """The call a tool record is about, as the page reported it."""

    call_id: str
    name: str
    # The arguments as the JSON text that crossed the data channel (the log keeps that text).
    arguments_json: str

    @property
    def arguments(self) -> dict[str, Any]:
        """The arguments as a dict; {} if the text is not a JSON object."""
        try:
            parsed = json.loads(self.arguments_json or "{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def _call_event(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "name": self.name, "arguments": self.arguments_json}


def _call_fields(call: Mapping[str, Any]) -> tuple[str, str, str]:
    """call id, name and arguments text of a call (or a logged record of one), tolerantly."""
    raw = call.get("arguments")
    if isinstance(raw, str):
        arguments = raw
    elif isinstance(raw, Mapping):
        arguments = json.dumps(raw)
    else:
        arguments = ""
    return _text(call.get("call_id")), _text(call.get("name")), arguments


@dataclass(frozen=True)
class ToolVerified(_ToolCall):
    """`bridge.tool_verified`: a call the page ran, and what the DOM showed afterwards."""

    TYPE: ClassVar[str] = "bridge.tool_verified"

    verdict: Verdict
    observed: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    ok: bool = True  # whether the page's tool said it succeeded

    @property
    def verified(self) -> bool | None:
        return verified_of(self.verdict)

    @classmethod
    def for_call(cls, call: Mapping[str, Any], *, verdict: Verdict, observed: Mapping[str, Any],
                 reason: str | None, ok: bool) -> Self:
        """The record for `call` (`{call_id, name, arguments}` as the page sent it)."""
        call_id, name, arguments = _call_fields(call)
        return cls(call_id, name, arguments, verdict, dict(observed), reason, ok)

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Self:
        call_id, name, arguments = _call_fields(event)
        observed = event.get("observed")
        return cls(call_id, name, arguments, _verdict_of(event),
                   dict(observed) if isinstance(observed, Mapping) else {},
                   _optional_text(event.get("reason")), event.get("ok") is True)

    def to_event(self) -> dict[str, Any]:
        return {**self._call_event(), "verified": self.verified, "verdict": self.verdict,
                "observed": self.observed, "reason": self.reason, "ok": self.ok}

    def describe(self) -> str:
        mark = {"verified": "VERIFIED", "not_verified": "NOT VERIFIED"}.get(
            self.verdict, self.verdict.upper())
        observed = ", ".join(f"{k}={v}" for k, v in self.observed.items())
        line = f"{self.name} {self.arguments_json} {mark} {observed}".rstrip()
        return f"{line} ({self.reason})" if self.reason else line


def _verdict_of(event: Mapping[str, Any]) -> Verdict:
    for verdict in VERDICTS:
        if event.get("verdict") == verdict:
            return verdict
    # A record written before verdicts existed says only `verified`.
    return "verified" if event.get("verified") is True else "not_verified"


@dataclass(frozen=True)
class ToolRefused(_ToolCall):
    """`bridge.tool_refused`: a call the registry or its schema refused before it ran."""

    TYPE: ClassVar[str] = "bridge.tool_refused"

    reason: str | None = None

    @classmethod
    def for_call(cls, call: Mapping[str, Any], *, reason: str | None) -> Self:
        return cls(*_call_fields(call), reason)

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Self:
        return cls(*_call_fields(event), _optional_text(event.get("reason")))

    def to_event(self) -> dict[str, Any]:
        return {**self._call_event(), "reason": self.reason}

    def describe(self) -> str:
        return f"{self.name} {self.arguments_json} REFUSED: {self.reason}"


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

    def to_event(self) -> dict[str, Any]:
        return {k: round(v, 6) if k.endswith("_t") else v for k, v in super().to_event().items()}


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


_CLASSES: dict[str, type[BridgeRecord]] = {cls.TYPE: cls for cls in (
    ToolVerified, ToolRefused, PageLost, PageReopened, PageReopenFailed, BrowserFailed, Stopped,
    UserAudio, RequestBlocked, SignallingRouted)}


def read(record: Record) -> BridgeRecord | None:
    """The typed record of one of the bridge's own records; None for any other record."""
    cls = _CLASSES.get(record.type) if record.dir == "bridge" else None
    return None if cls is None else cls.from_record(record)


R = TypeVar("R", bound=BridgeRecord)


def all_of(cls: type[R], records: Iterable[Record]) -> list[R]:
    """The records of `cls`'s type among `records`, read as `cls`, in order."""
    return [cls.from_record(r) for r in records if r.dir == "bridge" and r.type == cls.TYPE]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# How `BridgeRecord.from_event` reads a field of each declared type.
_READERS: dict[Any, Callable[[Any], Any]] = {
    str: _text, str | None: _optional_text, bool: lambda value: value is True,
    float: lambda v: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0,
    int | None: lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None,
}
