"""Requests lost to an answer still under way, marked in the event log.

OpenAI (and the embedded engine, which speaks its contract) refuses a `response.create` sent
while a response is active with an `error` event, `conversation_already_has_active_response`,
and nothing else happens: the message it was sent for stays unanswered. That error is left as
the upstream sent it; `RefusalWatch` follows each session's events as the page saw them and adds
a `bridge.response_refused` record after it, naming the response that was still active and what
goes unanswered, so that the loss shows in the log (and on `rtc-bridge run`'s screen).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .log import EventLog, Record
from .records import ResponseRefused

__all__ = ["ACTIVE_RESPONSE_CODE", "RefusalWatch"]

ACTIVE_RESPONSE_CODE = "conversation_already_has_active_response"
# Sessions followed at once; the oldest is forgotten first (a page reconnects with a new call).
_MAX_SESSIONS = 64


@dataclass
class _Session:
    active: str | None = None  # the response in progress
    unanswered: str | None = None  # the newest input no response has taken up yet


class RefusalWatch:
    """Subscribed to `log` from construction to `close()`."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self._sessions: OrderedDict[str | None, _Session] = OrderedDict()
        self._unsubscribe: Callable[[], None] | None = log.subscribe(self._on_record)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_record(self, record: Record) -> None:
        if record.dir == "bridge":
            return
        session = self._session(record.session)
        event = record.event
        if record.dir == "client" and record.type == "conversation.item.create":
            session.unanswered = _input_of(event.get("item")) or session.unanswered
        elif record.dir == "server" and record.type == "response.created":
            session.active = _response_id(event)
            session.unanswered = None  # a new response takes up every input before it
        elif record.dir == "server" and record.type == "response.done":
            if session.active == _response_id(event):
                session.active = None
        elif record.dir == "server" and record.type == "error":
            self._on_error(record, session)

    def _on_error(self, record: Record, session: _Session) -> None:
        error = record.event.get("error")
        if not isinstance(error, Mapping) or error.get("code") != ACTIVE_RESPONSE_CODE:
            return
        message, event_id = error.get("message"), error.get("event_id")
        self._log.append_bridge(ResponseRefused(
            active_response_id=session.active, unanswered=session.unanswered,
            message=message if isinstance(message, str) else "",
            event_id=event_id if isinstance(event_id, str) else None), session=record.session)

    def _session(self, call_id: str | None) -> _Session:
        session = self._sessions.get(call_id)
        if session is None:
            session = self._sessions[call_id] = _Session()
            while len(self._sessions) > _MAX_SESSIONS:
                self._sessions.popitem(last=False)
        self._sessions.move_to_end(call_id)
        return session


def _input_of(item: Any) -> str | None:
    """What a created item asks an answer for: a user's text, or a tool's output."""
    if not isinstance(item, Mapping):
        return None
    if item.get("type") == "function_call_output":
        return f"the output of {item.get('call_id')}"
    if item.get("type") != "message" or item.get("role") != "user":
        return None
    parts = item.get("content")
    texts = [p.get("text") for p in parts if isinstance(p, Mapping)] if isinstance(
        parts, list) else []
    return " ".join(t for t in texts if isinstance(t, str) and t) or None


def _response_id(event: Mapping[str, Any]) -> str | None:
    response = event.get("response")
    found = response.get("id") if isinstance(response, Mapping) else None
    return found if isinstance(found, str) else None
