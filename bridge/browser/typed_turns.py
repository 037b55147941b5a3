"""Typed messages on a user's page's own realtime channel, one response at a time.

A realtime upstream refuses a `response.create` sent while a response is active
(`conversation_already_has_active_response`), and the message it was sent for then never gets an
answer. A typed message therefore first interrupts the answer under way, as OpenAI's own
clients do (`response.cancel`, `output_audio_buffer.clear`, then its end), or with
`typing="queue"` waits for its end. The responses are followed from the events the page saw,
which reach the bridge a moment after the upstream sent them: a response the page itself asked
for just before (the answer to its tool outputs, say) may be unknown yet when a message is typed,
so a refusal of the bridge's own create (known by its `event_id`) makes way again and asks once
more, as the bridge's own page does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Mapping
from typing import Any

from ..config import TypingMode
from ..errors import BrowserError
from ..events.refusals import ACTIVE_RESPONSE_CODE
from ..tasks import TaskGroup
from .instrument.page import PageInstrument

# How long a response being cancelled for a typed message may take to end, and how long a
# typed message waits for an answer to end when it is queued behind it.
CANCEL_TIMEOUT_S = 5.0
QUEUE_TIMEOUT_S = 60.0
# A create refused this many times in a row is given up (the refusal stays in the event log).
MAX_ATTEMPTS = 3


class TypedTurns:
    """Sends typed messages on a user's page; `on_server_event` follows its responses."""

    def __init__(self, typing: TypingMode = "interrupt") -> None:
        self._typing = typing
        self._active: str | None = None
        self._idle = asyncio.Event()
        self._ids = itertools.count(1)
        # The bridge's last response.create: its event_id, the attempt it was, and the page's
        # instrument to ask again on. Only the last counts: a later message's answer covers
        # everything typed before it.
        self._last_create: tuple[str, int, PageInstrument] | None = None
        self._tasks = TaskGroup(name="typed turns")

    def reset(self) -> None:
        """A new call: nothing of the old one is active any more."""
        self._active, self._last_create = None, None
        self._idle.set()

    def on_server_event(self, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if kind in ("response.created", "response.done"):
            response = event.get("response")
            response_id = response.get("id") if isinstance(response, Mapping) else None
            if kind == "response.created":
                self._active = response_id
                self._idle.clear()
            elif response_id == self._active:
                self._active = None
                self._idle.set()
        elif kind == "error":
            self._on_error(event.get("error"))

    def _on_error(self, error: Any) -> None:
        last = self._last_create
        if (last is None or not isinstance(error, Mapping)
                or error.get("code") != ACTIVE_RESPONSE_CODE or error.get("event_id") != last[0]):
            return
        self._last_create = None
        _, attempt, instrument = last
        if attempt < MAX_ATTEMPTS:
            self._tasks.spawn(self._ask_again(instrument, attempt + 1))

    async def send(self, instrument: PageInstrument, text: str) -> None:
        """A user message, then `response.create`, once no answer stands in their way."""
        await self._make_way(instrument)
        message = {"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}
        if not await instrument.send_event(message):
            raise BrowserError("the page has no open realtime channel to send a message on")
        await self._create(instrument, attempt=1)

    async def _ask_again(self, instrument: PageInstrument, attempt: int) -> None:
        await self._make_way(instrument)
        await self._create(instrument, attempt=attempt)

    async def _make_way(self, instrument: PageInstrument) -> None:
        if self._active is None:
            return
        timeout_s = QUEUE_TIMEOUT_S
        if self._typing == "interrupt":
            timeout_s = CANCEL_TIMEOUT_S
            await instrument.send_event({"type": "response.cancel"})
            await instrument.send_event({"type": "output_audio_buffer.clear"})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout_s)

    async def _create(self, instrument: PageInstrument, *, attempt: int) -> None:
        event_id = f"event_bridge_typed_{next(self._ids)}"
        self._last_create = (event_id, attempt, instrument)
        await instrument.send_event({"type": "response.create", "event_id": event_id})

    async def aclose(self) -> None:
        await self._tasks.aclose()
