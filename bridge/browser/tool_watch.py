"""Verifying the tool calls of a page that runs its tools itself (a user's own page).

The bridge does not run these tools and never changes what the page answers the agent. It sees
the call arrive (a server event on the page's channel) and the page's `function_call_output`
(a client event), then checks the DOM:

- with checks declared for the tool (`--checks`), from the output on (or 1 s after the call
  if the page sends none) until every check holds or the tool's timeout passes: `verified` or
  `not_verified`, with what the DOM showed;
- without, `unchecked`, with what the DOM did between the call and its output (the
  instrument's summary: elements added and removed, attribute, style and text changes).

Each verdict is logged as `bridge.tool_verified`, exactly as for the bridge's own page.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Page

from ..errors import BrowserError
from ..events.log import EventLog
from ..events.records import ToolVerified
from ..tasks import TaskGroup
from .checks.dom import Baseline, DomChecker, count_delta_selectors
from .checks.model import DEFAULT_TIMEOUT_S, ChecksFile, ToolChecks
from .instrument.page import PageInstrument
from .instrument.records import MutationSummary
from .verify import Verification

log = logging.getLogger(__name__)

# A page that answers the agent with no function_call_output is checked this long after the call.
NO_OUTPUT_WAIT_S = 1.0
# Calls remembered at once: a page that floods function calls cannot grow this without bound.
MAX_OPEN_CALLS = 64


@dataclass
class _Call:
    call_id: str
    name: str
    arguments: str
    response_id: str | None
    seen_at: float  # time.monotonic()
    baseline: asyncio.Task[Baseline] | None = None
    output: str | None = None
    cancelled: bool = False
    started: bool = False
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class ToolWatch:
    """Follows one page's events (`on_event`, in the order they were logged) and logs a
    verdict for each tool call the page ran."""

    def __init__(self, page: Page, *, checks: ChecksFile | None, event_log: EventLog,
                 session: Callable[[], str | None]) -> None:
        self._checker = DomChecker(page)
        self._instrument = PageInstrument(page)
        self.checks = checks
        self._log = event_log
        self._session = session
        self._calls: dict[str, _Call] = {}
        self._tasks = TaskGroup(name="tool watch")

    def on_event(self, direction: str, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if direction == "server":
            call = _function_call(event)
            if call is not None:
                self._arrived(*call)
            elif kind == "response.done":
                self._response_done(event.get("response"))
        elif kind == "conversation.item.create":
            item = event.get("item")
            if isinstance(item, Mapping) and item.get("type") == "function_call_output":
                self._output(str(item.get("call_id")), item.get("output"))

    async def aclose(self) -> None:
        for call in self._calls.values():
            if call.timer is not None:
                call.timer.cancel()
        await self._tasks.aclose()

    def _arrived(self, call_id: str, name: str, arguments: str | None,
                 response_id: str | None) -> None:
        known = self._calls.get(call_id)
        if known is not None:  # the same call again: output_item.done after arguments.done
            known.arguments = arguments if arguments is not None else known.arguments
            return
        while len(self._calls) >= MAX_OPEN_CALLS:
            self._forget(next(iter(self._calls)))
        call = _Call(call_id, name, arguments or "", response_id, time.monotonic())
        self._calls[call_id] = call
        tool = self._tool(name)
        if tool is not None and count_delta_selectors(tool.checks, call.arguments):
            # Counted here too, for selectors the page could not count (not plain CSS); the
            # page's own count, taken before its tool ran, wins where it has one.
            call.baseline = self._tasks.spawn(self._checker.baseline(tool.checks, call.arguments))
        call.timer = asyncio.get_running_loop().call_later(
            NO_OUTPUT_WAIT_S, self._start, call_id)

    def _output(self, call_id: str, output: Any) -> None:
        call = self._calls.get(call_id)
        if call is None:
            return
        call.output = output if isinstance(output, str) else json.dumps(output)
        self._start(call_id)

    def _response_done(self, response: Any) -> None:
        if not isinstance(response, Mapping) or response.get("status") != "cancelled":
            return
        for call in self._calls.values():
            if call.response_id == response.get("id") and call.output is None:
                call.cancelled = True  # a page should not run it; if it does, it is checked

    def _start(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None or call.started:
            return
        if call.timer is not None:
            call.timer.cancel()
        if call.output is None and call.cancelled:
            self._forget(call_id)  # from a cancelled response, and the page did not run it
            return
        call.started = True
        self._tasks.spawn(self._verify(call))

    def _forget(self, call_id: str) -> None:
        call = self._calls.pop(call_id, None)
        if call is not None and call.timer is not None:
            call.timer.cancel()

    async def _verify(self, call: _Call) -> None:
        try:
            summary = await self._summary(call.call_id)
            tool = self._tool(call.name)
            if tool is None or not tool.checks:
                verification = Verification("unchecked", {}, "no checks declared for this tool")
            else:
                baseline = await self._baseline(call, summary)
                verification = await self._checker.verify(
                    tool.checks, call.arguments, baseline, timeout_s=tool.timeout_s)
            self._log.append_bridge(ToolVerified.for_call(
                {"call_id": call.call_id, "name": call.name, "arguments": call.arguments},
                verdict=verification.verdict, observed=verification.observed,
                reason=verification.reason, ok=_ok(call.output),
                changes=summary.to_event() if summary is not None else None),
                session=self._session())
        finally:
            self._calls.pop(call.call_id, None)

    async def _summary(self, call_id: str) -> MutationSummary | None:
        try:
            return await self._instrument.take_mutations(call_id)
        except BrowserError as err:  # the page navigated or closed under the call
            log.info("no DOM change summary for %s: %s", call_id, err)
            return None

    async def _baseline(self, call: _Call, summary: MutationSummary | None) -> Baseline:
        counted = await call.baseline if call.baseline is not None else Baseline()
        in_page = summary.baseline if summary is not None else {}
        return Baseline({**counted.counts, **in_page}, counted.url)

    def _tool(self, name: str) -> ToolChecks | None:
        if self.checks is None:
            return None
        return self.checks.get(name)


def _function_call(event: Mapping[str, Any]) -> tuple[str, str, str | None, str | None] | None:
    """(call id, name, arguments or None, response id) of a server event that completes a
    function call; None for any other event."""
    kind = event.get("type")
    if kind == "response.function_call_arguments.done":
        call_id, name, arguments = event.get("call_id"), event.get("name"), event.get("arguments")
    elif kind == "response.output_item.done":
        item = event.get("item")
        if not isinstance(item, Mapping) or item.get("type") != "function_call":
            return None
        call_id, name, arguments = item.get("call_id"), item.get("name"), item.get("arguments")
    else:
        return None
    if not isinstance(call_id, str) or not call_id:
        return None
    response_id = event.get("response_id")
    return (call_id, name if isinstance(name, str) else "",
            arguments if isinstance(arguments, str) else None,
            response_id if isinstance(response_id, str) else None)


def _ok(output: str | None) -> bool:
    """Whether the page's own output says the tool worked: an object with `ok: false`,
    `success: false` or an `error` says not; anything else (plain text included) says so."""
    if output is None:
        return True
    try:
        parsed = json.loads(output)
    except ValueError:
        return True
    if not isinstance(parsed, Mapping):
        return True
    return parsed.get("ok") is not False and parsed.get("success") is not False and (
        not parsed.get("error"))


__all__ = ["NO_OUTPUT_WAIT_S", "ToolWatch", "DEFAULT_TIMEOUT_S"]
