"""The page's `bridgeReport(kind, payload)` binding: what a controlled page tells the bridge.

- `events`: a burst of data-channel events in both directions, as one JSON text
  `[{"dir", "session", "at", "event"}, …]` in which each event is the text that crossed the
  channel and `at` when the page saw it (epoch milliseconds); each is logged at that time.
  Any other report may carry such a text as `events`: the events that came before it.
  (`event` `{dir, event, session}`, one event per call, is accepted too.)
- `tool_call` `{call}`: gate the call, run the page's tool and verify the DOM, in one evaluate;
  the answer is `{allowed, reason}` or `{allowed: true, result, verified, verdict, observed,
  reason}`, and the event log gets `bridge.tool_refused` or `bridge.tool_verified`.

`tool_call` is the only way a call is verified. The two-step reports `tool_before` /
`tool_after` (for a page that ran the tool itself between two checks) were used by no page and
are gone: like any kind the binding does not know, they are answered with null.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from ..events.log import EventLog
from ..events.records import ToolRefused, ToolVerified
from .tools import ToolRegistry
from .verify import PageReader, Verifier

log = logging.getLogger(__name__)
BINDING = "bridgeReport"  # the name the page calls: window.bridgeReport(kind, payload)


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
        if kind != "tool_call":
            return None
        raw_call = payload.get("call")
        return await self._tool_call(raw_call if isinstance(raw_call, dict) else {})

    async def _tool_call(self, call: dict[str, Any]) -> dict[str, Any]:
        run = await self.verifier.run(call)
        if not run.gate.allowed:
            self._log.append_bridge(ToolRefused.for_call(call, reason=run.gate.reason),
                                    session=self.call_id)
        elif run.verification is not None:
            verification = run.verification
            self._log.append_bridge(ToolVerified.for_call(
                call, verdict=verification.verdict, observed=verification.observed,
                reason=verification.reason, ok=bool(run.result.get("ok"))), session=self.call_id)
        return run.as_json()

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


def _parsed(raw: Any) -> list[Any] | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        log.debug("reported events are not JSON: %.80s", raw)
        return None
    return parsed if isinstance(parsed, list) else None

