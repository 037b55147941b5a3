"""What a step's expectation says of the event log, read from its records alone: why an awaited
call is missing, whether a call came when none should (`no_tool`), when the agent first
answered, and the checks made once the agent has finished (`within_ms`, `agent_says`).

Times are on the event log's clock; latencies count from the end of the user's words (see
`scenario_expect`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..drive.matching import CallMatcher, calls_seen
from ..events.log import EventLog, Record
from ..events.records import ToolRefused, ToolVerified, all_of
from .results import StepResult
from .scenario import Step
from .scenario_expect import normalized

__all__ = ["after_answer", "heard", "unwanted_call", "why_missing", "response_latency_ms"]

# The agent's answer has started: the first of these (server events) after the user's words.
_ANSWER_TYPES = frozenset({
    "output_audio_buffer.started", "response.output_audio_transcript.delta",
    "response.output_text.delta", "response.output_audio_transcript.done",
    "response.output_text.done"})
_CALL_TYPES = frozenset({ToolVerified.TYPE, ToolRefused.TYPE})


def _a_call(record: Record) -> bool:
    return (record.dir == "bridge" and record.type in _CALL_TYPES) or (
        record.dir == "server" and record.type == "response.function_call_arguments.done")


def unwanted_call(log: EventLog, *, after: int, timeout_s: float) -> str | None:
    """For `no_tool`: why the step fails if the agent calls a tool within `timeout_s` (a call
    asked for, run or refused after log position `after`), else None once that time is over."""
    try:
        record = log.wait_for(_a_call, timeout_s=timeout_s, after=after)
    except TimeoutError:
        return None
    head = f"expected no tool call within {timeout_s:g} s"
    if record.dir == "bridge":
        return f"{head}, but the agent called {'; '.join(calls_seen([record]))}"
    event = record.event
    return f"{head}, but the agent called {event.get('name')} {event.get('arguments')}"


def why_missing(step: Step, wanted: CallMatcher, records: list[Record]) -> str:
    """Why the expected call did not come, from what the step's `records` show instead."""
    assert step.expect is not None
    head = f"no verified call of {wanted.describe()} within {step.expect.timeout_s:g} s"
    refused = all_of(ToolRefused, records)
    if refused:
        first = refused[0]
        return f"{head}; the bridge refused {first.name} {first.arguments_json}: " \
               f"{first.reason}"
    seen = calls_seen(records)
    if seen:
        return f"{head}; the agent called {'; '.join(seen)}"
    words = heard(records)
    if step.kind in ("say", "play"):
        return f"{head}; no tool was called (the upstream heard: " \
               f"{json.dumps(words) if words else 'nothing'})"
    return f"{head}; no tool was called"


def heard(records: Iterable[Record]) -> str | None:
    """What the upstream transcribed of the user's audio among `records`."""
    words = [r.event.get("transcript") for r in records
             if r.type == "conversation.item.input_audio_transcription.completed"]
    return " ".join(w for w in words if isinstance(w, str) and w) or None


def response_latency_ms(records: Iterable[Record], turn_ended_t: float) -> float | None:
    """Milliseconds from `turn_ended_t` to the agent's first answer event after it (its audio,
    transcript or text starting on the channel), or None if it did not answer."""
    for record in records:
        if record.dir == "server" and record.type in _ANSWER_TYPES and record.t >= turn_ended_t:
            return (record.t - turn_ended_t) * 1000.0
    return None


def after_answer(result: StepResult) -> str | None:
    """Why the step fails once the agent has finished answering (`within_ms` exceeded, or
    `agent_says` missing from what it said), or None if it holds."""
    expect = result.step.expect
    if expect is None:
        return None
    if expect.within_ms is not None:
        what = "tool latency" if result.latency_of == "tool" else "response latency"
        if result.latency_ms is None:
            return (f"{what} unknown: the agent did not answer after the user's words, so "
                    f"within_ms {expect.within_ms:g} cannot hold")
        if result.latency_ms > expect.within_ms:
            return (f"{what} {result.latency_ms:.0f} ms is over within_ms "
                    f"{expect.within_ms:g}")
    if expect.agent_says is not None and normalized(expect.agent_says) not in normalized(
            result.agent or ""):
        said = json.dumps(result.agent) if result.agent else "nothing"
        return f"the agent did not say {json.dumps(expect.agent_says)}; it said {said}"
    return None
