"""Timing a call where the engine sends and receives: tool round trips and a raw echo.

A tool round trip starts when the engine sends a function call (`response.output_item.done`
with a `function_call` item) and ends when its `function_call_output` arrives, after the page
ran the tool and the bridge verified the DOM. The floor is a raw echo on a second data channel
of the same peer connection: the engine sends, the page's JavaScript sends it straight back.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ...engine import Engine
from ...engine.session import RealtimeSession
from .stats import ratio, rounded, summary

ECHO_LABEL = "bench-echo"
# Answers every message of the side channel with itself, nothing else; the page's own
# `oai-events` handling is untouched.
INSTALL_ECHO = """(label) => {
  const pc = window.rtcBridge && window.rtcBridge.pc;
  if (!pc) return false;
  pc.addEventListener("datachannel", ({ channel }) => {
    if (channel.label === label) channel.onmessage = (message) => channel.send(message.data);
  });
  return true;
}"""

# Commands the engine maps onto each of the page's style tools, relative sizes included; every
# one changes the DOM, so that each verification reads a real change.
COMMANDS = (
    "change the background color to blue",
    "make the text white",
    "make the button red",
    "make the button bigger",
    "change the background color to green",
    "make the text black",
    "make the button blue",
    "make the button smaller",
)


@dataclass
class CallTimes:
    """One call as the engine saw it (monotonic seconds)."""

    opened_t: float | None = None
    sent: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, tuple[float, Any]] = field(default_factory=dict)
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # a function_call_output came

    def round_trips_ms(self, *, verified: bool = True) -> tuple[list[float], int]:
        """Round trips of verified calls (any answered call, for a page whose output carries no
        verdict), and how many calls were not verified or unanswered."""
        done, failed = [], 0
        for call_id, sent_t in self.sent.items():
            answer = self.outputs.get(call_id)
            if answer is None or (verified and answer[1] is not True):
                failed += 1
            else:
                done.append((answer[0] - sent_t) * 1000)
        return done, failed


class EngineProbe:
    """One tap on the engine that times every call; `times(call_id)` gives one call's."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.calls: dict[str, CallTimes] = {}
        self.opened = asyncio.Event()
        self._remove = engine.tap(self._on_message)

    def times(self, call_id: str) -> CallTimes:
        return self.calls.setdefault(call_id, CallTimes())

    def close(self) -> None:
        self._remove()

    def _on_message(self, call_id: str, direction: Literal["in", "out"], data: str | bytes) -> None:
        now = time.monotonic()
        if isinstance(data, bytes):
            return
        # Most events are none of these; only the few that are get parsed.
        if direction == "out":
            if '"response.output_item.done"' in data:
                item = json.loads(data).get("item") or {}
                if item.get("type") == "function_call":
                    self.times(call_id).sent[item["call_id"]] = now
            elif '"response.done"' in data:
                event = json.loads(data)
                output = (event.get("response") or {}).get("output") or []
                if event.get("type") == "response.done" and not any(
                        i.get("type") == "function_call" for i in output):
                    self.times(call_id).settled.set()
        elif '"function_call_output"' in data:
            item = json.loads(data).get("item") or {}
            if item.get("type") == "function_call_output":
                try:
                    verified = json.loads(item.get("output") or "{}").get("verified")
                except (ValueError, AttributeError):
                    verified = None
                times = self.times(call_id)
                times.outputs[str(item.get("call_id"))] = (now, verified)
                times.answered.set()
        elif '"session.update"' in data:
            times = self.times(call_id)
            if times.opened_t is None:
                times.opened_t = now
                self.opened.set()


def user_text(session: RealtimeSession, text: str) -> None:
    """A typed user turn and `response.create`, handed to the engine as if the client sent them."""
    session.handle_message(json.dumps({
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user",
                 "content": [{"type": "input_text", "text": text}]}}))
    session.handle_message('{"type":"response.create"}')


def text_replies(session: RealtimeSession) -> None:
    """Replies as text: the next command need not wait for a spoken answer to finish."""
    session.handle_message(json.dumps({
        "type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}}))


async def tool_round_trips(
    session: RealtimeSession,
    times: CallTimes,
    count: int,
    *,
    echo: EchoChannel | None = None,
    timeout_s: float = 15.0,
    start: int = 0,
    quiet_s: float = 0.0,
    until_reply: bool = True,
) -> tuple[int, int]:
    """Run `count` commands one after another (each: function call, the page runs it, the
    verified output, the reply), `quiet_s` apart once the reply is in (or, `until_reply`
    False, for a page that asks for no reply, once its output is in); with `echo`, one echo
    after each pause. Returns (done, timed out)."""
    timed_out = 0
    for index in range(start, start + count):
        done = times.settled if until_reply else times.answered
        done.clear()
        user_text(session, COMMANDS[index % len(COMMANDS)])
        try:
            await asyncio.wait_for(done.wait(), timeout_s)
        except TimeoutError:
            timed_out += 1
            if timed_out > max(3, count // 10):
                raise TimeoutError(f"{timed_out} of {index - start + 1} tool commands got no "
                                   f"answer within {timeout_s} s") from None
            continue
        if quiet_s:
            await asyncio.sleep(quiet_s)
        if echo is not None:
            await echo.round_trip()
    return count - timed_out, timed_out


class EchoChannel:
    """A second data channel on a call's peer connection, echoed by the page."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._waiting: dict[str, asyncio.Future[float]] = {}
        self._numbers = itertools.count()
        self.samples_ms: list[float] = []
        channel.on("message", self._on_message)

    @classmethod
    async def open(cls, engine: Engine, call_id: str, page: Any, *,
                   timeout_s: float = 10.0) -> EchoChannel:
        if not await page.evaluate(INSTALL_ECHO, ECHO_LABEL):
            raise RuntimeError("the page has no peer connection to echo on")
        pc = engine.peer(call_id)
        if pc is None:
            raise RuntimeError(f"the engine has no call {call_id}")
        channel = pc.createDataChannel(ECHO_LABEL)
        opened = asyncio.Event()
        channel.on("open", opened.set)
        if channel.readyState != "open":
            await asyncio.wait_for(opened.wait(), timeout_s)
        echo = cls(channel)
        await echo.round_trip()  # the first message also opens the channel on the page's side
        echo.samples_ms.clear()
        return echo

    async def round_trip(self, *, timeout_s: float = 5.0) -> float:
        key = f"echo {next(self._numbers)}"
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[key] = waiter
        sent_t = time.monotonic()
        self._channel.send(key)
        try:
            received_t = await asyncio.wait_for(waiter, timeout_s)
        finally:
            self._waiting.pop(key, None)
        self.samples_ms.append((received_t - sent_t) * 1000)
        return self.samples_ms[-1]

    def _on_message(self, message: str | bytes) -> None:
        now = time.monotonic()
        waiter = self._waiting.get(message if isinstance(message, str) else message.decode())
        if waiter is not None and not waiter.done():
            waiter.set_result(now)

    def close(self) -> None:
        self._channel.close()


def round_trip_figures(rtts: list[float], failed: int, echoes: list[float],
                       crossings: dict[str, Any]) -> dict[str, Any]:
    """The tool round trip's figures, and its ratios to the raw echo and to the two bare
    crossings between the bridge and its page (`crossings.crossing_figures`)."""
    f: dict[str, Any] = {**summary("tool_rtt", rtts, 50, 90, 99), **crossings,
                         **summary("echo_rtt", echoes, 50, 99)}
    f["tool_rtt_calls_count"] = len(rtts)
    f["tool_rtt_failed_count"] = failed
    f["tool_rtt_over_echo_ratio"] = rounded(ratio(f["tool_rtt_p50_ms"], f["echo_rtt_p50_ms"]))
    f["tool_rtt_over_echo_p99_ratio"] = rounded(ratio(f["tool_rtt_p99_ms"],
                                                      f["echo_rtt_p99_ms"]))
    f["tool_rtt_over_crossings_ratio"] = rounded(ratio(f["tool_rtt_p50_ms"],
                                                       f["crossings_p50_ms"]))
    return f
