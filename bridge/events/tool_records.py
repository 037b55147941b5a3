"""The records of tool calls: `bridge.tool_verified` (a call the page ran, what the DOM showed
and the verdict) and `bridge.tool_refused` (a call refused before it ran)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from .record_base import BridgeRecord, optional_text, text
from .verdicts import VERDICTS, Verdict, verified_of

__all__ = ["ToolRefused", "ToolVerified"]


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
    return text(call.get("call_id")), text(call.get("name")), arguments


@dataclass(frozen=True)
class ToolVerified(_ToolCall):
    """`bridge.tool_verified`: a call the page ran, and what the DOM showed afterwards.

    `changes` (for a page that runs its own tools) summarises what the DOM did between the call
    and the page's output: elements added and removed, attribute, style and text changes, a
    few samples; empty where nothing was watched."""

    TYPE: ClassVar[str] = "bridge.tool_verified"

    verdict: Verdict
    observed: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    ok: bool = True  # whether the page's tool said it succeeded
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool | None:
        return verified_of(self.verdict)

    @classmethod
    def for_call(cls, call: Mapping[str, Any], *, verdict: Verdict, observed: Mapping[str, Any],
                 reason: str | None, ok: bool, changes: Mapping[str, Any] | None = None) -> Self:
        """The record for `call` (`{call_id, name, arguments}` as the page sent it)."""
        call_id, name, arguments = _call_fields(call)
        return cls(call_id, name, arguments, verdict, dict(observed), reason, ok,
                   dict(changes or {}))

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Self:
        call_id, name, arguments = _call_fields(event)
        observed, changes = event.get("observed"), event.get("changes")
        return cls(call_id, name, arguments, _verdict_of(event),
                   dict(observed) if isinstance(observed, Mapping) else {},
                   optional_text(event.get("reason")), event.get("ok") is True,
                   dict(changes) if isinstance(changes, Mapping) else {})

    def to_event(self) -> dict[str, Any]:
        event = {**self._call_event(), "verified": self.verified, "verdict": self.verdict,
                 "observed": self.observed, "reason": self.reason, "ok": self.ok}
        if self.changes:
            event["changes"] = self.changes
        return event

    def describe(self) -> str:
        mark = {"verified": "VERIFIED", "not_verified": "NOT VERIFIED"}.get(
            self.verdict, self.verdict.upper())
        observed = ", ".join(f"{k}={v}" for k, v in self.observed.items())
        if not observed and self.verdict == "unchecked":
            observed = _changes_line(self.changes)
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
        return cls(*_call_fields(event), optional_text(event.get("reason")))

    def to_event(self) -> dict[str, Any]:
        return {**self._call_event(), "reason": self.reason}

    def describe(self) -> str:
        return f"{self.name} {self.arguments_json} REFUSED: {self.reason}"


def _changes_line(changes: Mapping[str, Any]) -> str:
    counts = [f"{changes[k]} {k}" for k in ("added", "removed", "attributes", "styles", "text")
              if isinstance(changes.get(k), int) and changes[k]]
    return ("DOM changes: " + ", ".join(counts)) if counts else "no DOM change"
