"""The page's `bridgeReport(kind, payload)` binding: what a controlled page tells the bridge.

- `events`: a burst of data-channel events in both directions, as one JSON text
  `[{"dir", "session", "at", "event"}, …]` in which each event is the text that crossed the
  channel and `at` when the page saw it (epoch milliseconds); each is logged at that time.
  Any other report may carry such a text as `events`: the events that came before it.
  (`event` `{dir, event, session}`, one event per call, is accepted too.)
- `channel`: what the instrument (`instrument/core.js`, in any page) saw on data channels, as one
  JSON text `[{"dir", "label", "peer", "ufrag", "at", "text"}, …]`: each `text` that parses as
  a JSON object with a string `type` is logged as a client or server event at `at`, in the
  session `call_for_ufrag(ufrag)` names (the call whose answer carried that ice-ufrag), else
  the last one known. Other texts (not JSON, not an event) are left out; binary never comes.
- `tool_call` `{call}`: gate the call, run the page's tool and verify the DOM, in one evaluate;
  the answer is `{allowed, reason}` or `{allowed: true, result, verified, verdict, observed,
  reason}`, and the event log gets `bridge.tool_refused` or `bridge.tool_verified`.

`tool_call` is the only way a call is verified. The two-step reports `tool_before` /
`tool_after` (for a page that ran the tool itself between two checks) were used by no page and
are gone: like any kind the binding does not know, they are answered with null.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..events.log import EventLog
from ..events.records import ToolRefused, ToolVerified
from .tools import ToolRegistry
from .verify import PageReader, Verifier

log = logging.getLogger(__name__)
BINDING = "bridgeReport"  # the name the page calls: window.bridgeReport(kind, payload)
# A `channel` report gives the event loop back this often: a page flooding its channel must not
# hold up what else runs on the loop (the engine paces its audio there).
_YIELD_EVERY = 200


@dataclass(frozen=True)
class ChannelMessage:
    """One text message on a page's data channel, as the instrument saw it."""

    dir: Literal["client", "server"]
    label: str
    peer: int | None
    ufrag: str | None
    at_ms: float | None
    text: str

    @classmethod
    def from_entry(cls, entry: Any) -> ChannelMessage | None:
        """The message an entry of a `channel` report describes; None if it is not one."""
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            return None
        direction = entry.get("dir")
        if direction not in ("client", "server"):
            return None
        peer, ufrag, at = entry.get("peer"), entry.get("ufrag"), entry.get("at")
        return cls(dir=direction, label=str(entry.get("label")),
                   peer=peer if isinstance(peer, int) and not isinstance(peer, bool) else None,
                   ufrag=ufrag if isinstance(ufrag, str) and ufrag else None,
                   at_ms=float(at) if isinstance(at, int | float) else None,
                   text=entry["text"])

    def event(self) -> dict[str, Any] | None:
        """The realtime event the text carries: a JSON object with a string `type`."""
        if not self.text.startswith("{"):
            return None
        try:
            event = json.loads(self.text)
        except ValueError:
            return None
        return event if isinstance(event, dict) and isinstance(event.get("type"), str) else None


class PageReports:
    """Answers one page's reports; `on_event(dir, event)` sees each event after it is logged.

    `call_for_ufrag(ufrag)` names the call whose SDP answer carried that ice-ufrag, so that
    the instrument's `channel` reports land in the right session (without it, or for a ufrag
    it does not know, the last call id known is used).
    """

    def __init__(
        self,
        page: PageReader,
        *,
        registry: ToolRegistry,
        event_log: EventLog,
        on_event: Callable[[str, dict[str, Any]], None] | None = None,
        call_for_ufrag: Callable[[str], str | None] | None = None,
    ) -> None:
        self.verifier = Verifier(registry, page)
        self.call_id: str | None = None
        self._log = event_log
        self._on_event = on_event
        self._call_for_ufrag = call_for_ufrag

    async def handle(self, kind: str, payload: Any) -> Any:
        if kind == "events":
            self._events(payload)
            return None
        if kind == "channel":
            await self._channel(payload)
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

    async def _channel(self, text: Any) -> None:
        for index, entry in enumerate(_parsed(text) or ()):
            if index and index % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if isinstance(entry, dict) and isinstance(entry.get("dropped"), int):
                log.warning("the page dropped %d data-channel messages before the bridge's "
                            "binding could take them", entry["dropped"])
                continue
            message = ChannelMessage.from_entry(entry)
            event = message.event() if message is not None else None
            if message is None or event is None:
                continue
            session = None
            if message.ufrag is not None and self._call_for_ufrag is not None:
                session = self._call_for_ufrag(message.ufrag)
            self._event(message.dir, event, session, at_ms=message.at_ms)

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

