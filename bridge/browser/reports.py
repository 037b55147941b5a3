"""What a controlled page tells the bridge through its `bridgeReport(kind, payload)` binding.

- `events`: a burst of data-channel events in both directions, as one JSON text
  `[{"dir", "session", "at", "event"}, …]` in which each event is the text that crossed the
  channel and `at` when the page saw it (epoch milliseconds); each is logged at that time.
  Any other report may carry such a text as `events`: the events that came before it.
  (`event` `{dir, event, session}`, one event per call, is accepted too.)
- `tool_call` `{call}`: gate the call, run the page's tool and verify the DOM, in one evaluate;
  the answer is `{allowed, reason}` or `{allowed: true, result, verified, observed, reason}`.
- `tool_before` / `tool_after`: the two-step form, for pages that run the tool themselves.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from ..events.log import EventLog
from .tools import ToolRegistry
from .verify import PageReader, Verifier

log = logging.getLogger(__name__)


class PageReports:
    """Answers one page's reports; `on_event(dir, event)` sees each event after it is logged."""

    def __init__(
        self,
        page: PageReader,
        *,
        registry: ToolRegistry,
        event_log: EventLog,
        on_event: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.verifier = Verifier(registry, page)
        self.call_id: str | None = None
        self._log = event_log
        self._on_event = on_event

    async def handle(self, kind: str, payload: Any) -> Any:
        if kind == "events":
            self._events(payload)
            return None
        if not isinstance(payload, dict):
            return None
        if "events" in payload:
            self._events(payload["events"])
        if kind == "event":
            self._event(payload.get("dir"), payload.get("event"), payload.get("session"))
            return None
        raw_call = payload.get("call")
        call: dict[str, Any] = raw_call if isinstance(raw_call, dict) else {}
        if kind == "tool_call":
            outcome = await self.verifier.run(call)
            if not outcome.gate.allowed:
                self._refused(call, outcome.gate.reason)
            elif outcome.verification is not None:
                self._verified(call, outcome.verification.as_json(), outcome.result)
            return outcome.as_json()
        if kind == "tool_before":
            gate = await self.verifier.before(call)
            if not gate.allowed:
                self._refused(call, gate.reason)
            return gate.as_json()
        if kind == "tool_after":
            raw_result = payload.get("result")
            result: dict[str, Any] = raw_result if isinstance(raw_result, dict) else {}
            verification = (await self.verifier.after(call, result)).as_json()
            self._verified(call, verification, result)
            return verification
        return None

    def _events(self, text: Any) -> None:
        for entry in _parsed(text) or ():
            if isinstance(entry, dict):
                self._event(entry.get("dir"), entry.get("event"), entry.get("session"),
                            at_ms=entry.get("at"))

    def _event(self, direction: Any, event: Any, session: Any, *, at_ms: Any = None) -> None:
        if not isinstance(event, dict) or direction not in ("client", "server"):
            return
        if isinstance(session, str):
            self.call_id = session
        t = None
        if isinstance(at_ms, int | float):
            # The page's clock is this machine's wall clock; the log's is monotonic.
            t = self._log.now() - (time.time() - at_ms / 1000)
        self._log.append(dir=direction, type=str(event.get("type")), event=event,
                         session=self.call_id, t=t)
        if self._on_event is not None:
            self._on_event(direction, event)

    def _refused(self, call: dict[str, Any], reason: str | None) -> None:
        self._log.append(dir="bridge", type="bridge.tool_refused",
                         event={**_call_fields(call), "reason": reason}, session=self.call_id)

    def _verified(
        self, call: dict[str, Any], verification: dict[str, Any], result: dict[str, Any]
    ) -> None:
        self._log.append(dir="bridge", type="bridge.tool_verified",
                         event={**_call_fields(call), **verification, "ok": bool(result.get("ok"))},
                         session=self.call_id)


def _parsed(raw: Any) -> list[Any] | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        log.debug("reported events are not JSON: %.80s", raw)
        return None
    return parsed if isinstance(parsed, list) else None


def _call_fields(call: dict[str, Any]) -> dict[str, Any]:
    return {"call_id": call.get("call_id"), "name": call.get("name"),
            "arguments": call.get("arguments")}
