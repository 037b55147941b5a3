"""`expect.interrupted` judged from the event log and the page's voice spans: cancelled,
cleared, and quiet at the page within the bound (300 ms, or the step's `quiet_within_ms`)."""

from __future__ import annotations

import pytest

from bridge.browser.agent_voice import VoiceSpan
from bridge.demo.interruption import interruption
from bridge.events.log import EventLog

CLEARED_T = 10.0


def cut_log() -> EventLog:
    """A log whose answer was cancelled and cleared at `CLEARED_T`, read long after (so the
    judgement does not wait for the page's spans to close)."""
    now = [0.0]
    log = EventLog(clock=lambda: now[0])
    now[0] = 100.0
    log.append(dir="server", type="response.done", t=CLEARED_T - 0.01,
               event={"response": {"status": "cancelled"}})
    log.append(dir="server", type="output_audio_buffer.cleared", t=CLEARED_T, event={})
    return log


def spans_stopping(after_cut_ms: float | None) -> list[VoiceSpan]:
    stopped = None if after_cut_ms is None else CLEARED_T + after_cut_ms / 1000.0
    return [VoiceSpan(2.0, 4.0), VoiceSpan(CLEARED_T - 2.0, stopped)]


@pytest.mark.parametrize("after_cut_ms, bound_ms, failure", [
    (80.0, 300.0, None),
    (335.0, 300.0, "the agent's voice went on 335 ms at the page after its audio was cleared "
                   "(at most 300 ms)"),
    (335.0, 1000.0, None),
    (None, 300.0, "the agent's voice went on at the page after its audio was cleared"),
])
def test_the_voice_must_go_quiet_within_the_bound(after_cut_ms: float | None, bound_ms: float,
                                                  failure: str | None) -> None:
    cut = interruption(cut_log(), after=0, timeout_s=1, quiet_within_ms=bound_ms,
                       voice=lambda: spans_stopping(after_cut_ms))
    assert cut.failure == failure
    assert cut.quiet_after_ms == (None if after_cut_ms is None else pytest.approx(after_cut_ms))


def test_a_voice_already_quiet_at_the_cut_passes_with_zero() -> None:
    cut = interruption(cut_log(), after=0, timeout_s=1, voice=lambda: [VoiceSpan(2.0, 4.0)])
    assert (cut.failure, cut.quiet_after_ms) == (None, 0.0)


def test_no_voice_tap_is_a_failure_that_says_so() -> None:
    cut = interruption(cut_log(), after=0, timeout_s=1, voice=lambda: None)
    assert cut.failure is not None and "no agent voice the bridge can hear" in cut.failure


def test_without_a_cancelled_answer_nothing_was_interrupted() -> None:
    log = EventLog()
    log.append(dir="server", type="response.done", event={"response": {"status": "completed"}})
    cut = interruption(log, after=0, timeout_s=0.2, voice=lambda: [])
    assert cut.failure == "no answer was cancelled and its audio cleared within 0.2 s"
