"""Talking over the agent in a scenario: when a barge-in step starts (`when: {agent_speaking_ms:
N}`), whether the answer it talked over was cut off (`expect.interrupted`), and the agent's
first audible voice after the user's words (response latency), read from the event log and
the page's tap of the agent's voice (`browser.agent_voice`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..browser.agent_voice import VoiceSpan
from ..events.log import EventLog, Record
from .scenario_expect import INTERRUPTED_WITHIN_MS

__all__ = ["Interruption", "first_voice_ms", "interruption", "wait_to_barge_in"]

VoiceReader = Callable[[], Sequence[VoiceSpan] | None]


@dataclass(frozen=True)
class Interruption:
    """Whether the answer under way was cut off: why not (`failure`, None if it was), and how
    long the agent's voice went on at the page after `output_audio_buffer.cleared` (0 when it
    was already quiet; None when no cut came or no voice could be heard)."""

    failure: str | None
    quiet_after_ms: float | None = None


def _started(record: Record) -> bool:
    return record.dir == "server" and record.type == "output_audio_buffer.started"


def wait_to_barge_in(log: EventLog, *, after: int, speaking_ms: float,
                     timeout_s: float) -> str | None:
    """Return `speaking_ms` after the agent's voice started (its `output_audio_buffer.started`
    after `after`), or at once if that moment has passed; why not, if it never spoke within
    `timeout_s`."""
    try:
        started = log.wait_for(_started, timeout_s=timeout_s, after=after)
    except TimeoutError:
        return (f"the agent never started speaking within {timeout_s:g} s, so there was "
                "nothing to talk over")
    time.sleep(max(0.0, started.t + speaking_ms / 1000.0 - log.now()))
    return None


def interruption(log: EventLog, *, after: int, timeout_s: float, voice: VoiceReader,
                 quiet_within_ms: float = INTERRUPTED_WITHIN_MS) -> Interruption:
    """Whether the answer under way was cut off after `after`: a response ended `cancelled`,
    `output_audio_buffer.cleared` came, and the voice at the page went quiet within
    `quiet_within_ms` of that."""
    deadline = time.monotonic() + timeout_s
    try:
        log.wait_for(lambda r: r.dir == "server" and r.type == "response.done" and (
            r.event.get("response") or {}).get("status") == "cancelled",
            timeout_s=timeout_s, after=after)
        cleared = log.wait_for(lambda r: r.dir == "server"
                               and r.type == "output_audio_buffer.cleared",
                               timeout_s=max(0.1, deadline - time.monotonic()), after=after)
    except TimeoutError:
        return Interruption(f"no answer was cancelled and its audio cleared within "
                            f"{timeout_s:g} s")
    # The tap closes a span once the voice has been quiet a while: wait for that to show.
    time.sleep(max(0.0, cleared.t + (quiet_within_ms + 400) / 1000.0 - log.now()))
    spans = voice()
    if spans is None:
        return Interruption("the page plays no agent voice the bridge can hear (no media "
                            "element)")
    on = [s for s in spans if s.started_t <= cleared.t and (s.stopped_t is None
                                                            or s.stopped_t > cleared.t)]
    if not on:
        return Interruption(None, 0.0)  # already quiet at the page when the server cleared it
    stopped = on[-1].stopped_t
    if stopped is None:
        return Interruption("the agent's voice went on at the page after its audio was "
                            "cleared")
    late_ms = (stopped - cleared.t) * 1000.0
    if late_ms > quiet_within_ms:
        return Interruption(f"the agent's voice went on {late_ms:.0f} ms at the page after its "
                            f"audio was cleared (at most {quiet_within_ms:g} ms)", late_ms)
    return Interruption(None, late_ms)


def first_voice_ms(spans: Sequence[VoiceSpan] | None, turn_ended_t: float) -> float | None:
    """Milliseconds from the end of the user's words to the first agent voice the page played
    after them, or None if it played none."""
    starts = [s.started_t for s in spans or () if s.started_t >= turn_ended_t]
    return (min(starts) - turn_ended_t) * 1000.0 if starts else None
