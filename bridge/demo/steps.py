"""Running a scenario's steps on a live bridge: act (say, play, type, wait), wait for the
expected tool call and the step's own DOM checks, wait until the agent has finished answering
(`settle`), and collect what happened.

A step's expectation holds only when the bridge verified the call in the DOM (or, for a call
of a user's page that no declared check covers, `unchecked`, when the step's own `expect.dom`
checks it) and then every check of `expect.dom` held, all within the step's `timeout_s`. Which
call it waits for is said by `drive.matching.CallMatcher`, the same matcher as
`wait_for_tool`'s. A `count_delta` of `expect.dom` counts from before the step acts.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from ..browser.agent_voice import VoiceSpan, install_agent_voice, read_agent_voice
from ..browser.checks import Baseline
from ..drive.handle import BridgeHandle, VerifiedCall
from ..drive.matching import CallMatcher, calls_seen, said_instead
from ..events.log import EventLog, Record
from ..events.records import all_of
from .interruption import first_voice_ms, interruption, wait_to_barge_in
from .results import StepResult, ToolCallResult
from .scenario import DEFAULT_TIMEOUT_S, Scenario, Step
from .settle import busy_with
from .step_checks import after_answer, heard, response_latency_ms, unwanted_call, why_missing

__all__ = ["Progress", "StepRunner"]

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
# After a step, the agent has finished when nothing is active and the channel has been quiet
# this long; a step whose expectation failed waits longer, as the turn may still be open.
_QUIET_S = 0.3
_QUIET_AFTER_FAILURE_S = 1.0
_SETTLE_MAX_S = 20.0
_VERDICT_WORDS = {"verified": "verified", "not_verified": "NOT verified"}


class StepRunner:
    """Runs one scenario's steps, one at a time, on `handle`'s bridge."""

    def __init__(self, handle: BridgeHandle, scenario: Scenario, progress: Progress) -> None:
        self.handle = handle
        self.log: EventLog = handle.event_log
        self.scenario = scenario
        self.progress = progress
        self._previous_mark = self.log.last_seq

    def run(self, step: Step, *, settle: bool = True) -> StepResult:
        """Perform `step` and check what it expects; then, unless `settle` is False (the next
        step talks over the agent), wait until the agent has finished answering."""
        total = len(self.scenario.steps)
        self.progress(f"step {step.index} of {total}: {step.describe()}{_awaited(step)}")
        result = StepResult(step=step, started_t=self.log.now())
        previous, mark = self._previous_mark, self.log.last_seq
        self._previous_mark = mark
        try:
            self._listen()
            if step.barge_in_ms is not None:
                timeout_s = step.expect.timeout_s if step.expect else DEFAULT_TIMEOUT_S
                missed = wait_to_barge_in(self.log, after=previous, speaking_ms=step.barge_in_ms,
                                          timeout_s=timeout_s)
                if missed is not None:
                    raise RuntimeError(missed)
                result.started_t, mark = self.log.now(), self.log.last_seq
            baseline = self._baseline(step)
            self._act(step, result)
        except Exception as err:  # a step that cannot even be performed fails, the run goes on
            result.reason = f"could not {step.kind}: {err}"
            result.ended_t = self.log.now()
            self.progress(f"  FAILED: {result.reason}")
            return result
        if step.expect is None:
            result.ok = True
        else:
            result.ok, result.reason = self._expect(step, mark, result, baseline)
        if settle:
            self._settle(mark, quiet_s=_QUIET_S if result.ok else _QUIET_AFTER_FAILURE_S)
        result.ended_t = self.log.now()
        self._collect(result, mark)
        if result.ok:
            result.reason = after_answer(result)
            result.ok = result.reason is None
        self.progress(f"  {'ok' if result.ok else 'FAILED'}: " + (
            result.reason or _outcome_line(result)))
        return result

    def _act(self, step: Step, result: StepResult) -> None:
        handle = self.handle
        if step.kind == "say":
            assert step.text is not None
            utterance = handle.say(step.text, step.voice or self.scenario.voice,
                                   impair=step.impair)
            result.started_t, result.turn_ended_t = utterance.started_t, utterance.ended_t
        elif step.kind == "play":
            assert step.path is not None
            utterance = handle.play(step.path, impair=step.impair)
            result.started_t, result.turn_ended_t = utterance.started_t, utterance.ended_t
        elif step.kind == "type":
            assert step.text is not None
            before = self.log.now()
            mark = handle.type(step.text)
            result.started_t = result.turn_ended_t = before
            try:
                sent = self.log.wait_for(_typed_message, timeout_s=5, after=mark)
                result.turn_ended_t = sent.t
            except TimeoutError:
                log.warning("the typed message was not seen on the channel")
        else:
            assert step.seconds is not None
            time.sleep(step.seconds)

    def finish(self, result: StepResult) -> None:
        """Once the run is over: the response latency of a step whose answer came after it
        ended (the next step talked over it, so it did not wait for the answer)."""
        if result.response_latency_ms is None and result.turn_ended_t is not None and (
                result.step.kind != "wait"):
            result.response_latency_ms = first_voice_ms(self._voice(), result.turn_ended_t)
            if result.latency_of == "response":
                result.latency_ms = result.response_latency_ms

    def _listen(self) -> None:
        """The page's tap of the agent's voice, started once per page load. A page where it
        cannot run still runs its steps: latencies then come from the channel's events, and
        `interrupted` says that no voice was heard."""
        handle = self.handle
        try:
            handle.run(lambda: install_agent_voice(handle.page))
        except Exception:
            log.debug("the agent's voice cannot be tapped on this page", exc_info=True)

    def _voice(self) -> list[VoiceSpan] | None:
        handle = self.handle
        try:
            return handle.run(lambda: read_agent_voice(handle.page, self.log))
        except Exception:  # the page went away: no voice to read, the step says so
            log.debug("the agent's voice could not be read", exc_info=True)
            return None

    def _baseline(self, step: Step) -> Baseline | None:
        """What the step's `count_delta` checks count from, read before it acts."""
        dom = step.expect.dom if step.expect else ()
        if not any(check.kind == "count_delta" for check in dom):
            return None
        return self.handle.dom_baseline(dom)

    def _expect(self, step: Step, mark: int, result: StepResult,
                baseline: Baseline | None) -> tuple[bool, str | None]:
        """The expected call (or, `no_tool`, none), then the step's own DOM checks, within the
        step's timeout."""
        expect = step.expect
        assert expect is not None
        deadline = time.monotonic() + expect.timeout_s
        call: VerifiedCall | None = None
        if expect.tool is not None:
            call, failure = self._expect_call(step, mark)
            if call is not None and result.turn_ended_t is not None:
                result.latency_ms = (call.t - result.turn_ended_t) * 1000.0
            if failure is not None:
                return False, failure
        elif expect.no_tool:
            failure = unwanted_call(self.log, after=mark, timeout_s=expect.timeout_s)
            if failure is not None:
                return False, failure
        if expect.interrupted:
            cut = interruption(self.log, after=mark, timeout_s=expect.timeout_s,
                               voice=self._voice, quiet_within_ms=expect.quiet_within_ms)
            result.quiet_after_ms = cut.quiet_after_ms
            if cut.failure is not None:
                return False, cut.failure
        if not expect.dom:
            return True, None
        try:
            result.dom = self.handle.check_dom(
                expect.dom, arguments=call.arguments if call else None, baseline=baseline,
                timeout_s=max(0.0, deadline - time.monotonic()))
        except Exception as err:  # the page could not be read at all; the run goes on
            return False, f"could not check the step's DOM checks: {err}"
        if result.dom.verdict == "verified":
            return True, None
        return False, f"the step's DOM checks did not hold: {result.dom.reason}"

    def _expect_call(self, step: Step, mark: int) -> tuple[VerifiedCall | None, str | None]:
        """The first call of the expected tool and arguments decides, whatever its verdict:
        the call, and why it does not meet the expectation (None if it does)."""
        expect = step.expect
        assert expect is not None and expect.tool is not None
        wanted = CallMatcher(expect.tool, expect.args)
        try:
            record = self.log.wait_for(wanted, timeout_s=expect.timeout_s, after=mark)
        except TimeoutError:
            return None, why_missing(step, wanted, self.log.records(after=mark))
        call = VerifiedCall.from_record(record)
        if call.verdict == "verified" or (call.verdict == "unchecked" and expect.dom):
            return call, None
        ran = f"{expect.tool} {call.arguments_json} ran"
        if call.verdict == "unchecked":
            return call, (f"{ran}, but nothing checks it in the DOM: declare checks for "
                          f"{expect.tool} (`checks:`) or give the step `expect.dom`")
        why = call.reason or "the DOM did not show the change"
        return call, f"{ran}, but the DOM did not confirm it: {why}"

    def _settle(self, mark: int, *, quiet_s: float) -> None:
        """Wait until the agent has finished answering (see `busy_with`) and the channel has
        been quiet for `quiet_s`."""
        deadline = time.monotonic() + _SETTLE_MAX_S
        busy: str | None = None
        while time.monotonic() < deadline:
            records = self.log.records(after=mark)
            last_t = records[-1].t if records else 0.0
            now = self.log.now()
            busy = busy_with(records, now=now)
            if busy is None and now - last_t >= quiet_s:
                return
            time.sleep(0.05)
        self.progress(f"  (the agent was still busy after {_SETTLE_MAX_S:g} s: "
                      f"{busy or 'the channel was not quiet'}; going on)")

    def _collect(self, result: StepResult, mark: int) -> None:
        records = self.log.records(after=mark)
        for call in all_of(ToolCallResult, records):
            latency = None if result.turn_ended_t is None else (
                (call.t - result.turn_ended_t) * 1000)
            result.tool_calls.append(replace(call, latency_ms=latency))
        step = result.step
        result.calls_seen, result.said_instead = calls_seen(records), said_instead(records)
        if step.kind != "wait":
            expects_tool = step.expect is not None and step.expect.tool is not None
            result.latency_of = "tool" if expects_tool else "response"
        if result.turn_ended_t is not None and step.kind != "wait":
            # The first voice the page played; without a tap, the first answer event.
            spans = self._voice()
            result.response_latency_ms = (
                first_voice_ms(spans, result.turn_ended_t) if spans is not None
                else response_latency_ms(records, result.turn_ended_t))
            if result.latency_of == "response":
                result.latency_ms = result.response_latency_ms
        if step.kind in ("say", "play"):
            result.transcript = heard(records)
        elif step.kind == "type":
            result.transcript = step.text
        agent = [r.event.get("transcript") or r.event.get("text") for r in records
                 if r.dir == "server" and r.type in ("response.output_audio_transcript.done",
                                                      "response.output_text.done")]
        result.agent = " ".join(a for a in agent if isinstance(a, str)) or None


def _awaited(step: Step) -> str:
    expect = step.expect
    if expect is None:
        return ""
    return f" — then waiting up to {expect.timeout_s:g} s for {expect.describe()}"


def _outcome_line(result: StepResult) -> str:
    held = "" if result.dom is None else (
        f"; the step's {_checks(result)} held ({result.dom.elapsed_ms:.0f} ms)")
    latency = result.latency()  # a tool's is said with its call below
    held += f"; {latency}" if latency and result.latency_of == "response" else ""
    if not result.tool_calls:
        done = "done" if result.step.kind == "wait" else "done (no tool call)"
        return done + held
    parts = []
    for call in result.tool_calls:
        verdict = _VERDICT_WORDS.get(call.verdict, call.verdict)
        latency = f", {call.latency_ms:.0f} ms after the turn" if call.latency_ms else ""
        parts.append(f"{call.name} {json.dumps(call.arguments)} {verdict}{latency}")
    return "; ".join(parts) + held


def _checks(result: StepResult) -> str:
    count = len(result.step.expect.dom) if result.step.expect else 0
    return f"{count} DOM check{'' if count == 1 else 's'}"


def _typed_message(record: Record) -> bool:
    item = record.event.get("item") or {}
    return (record.dir == "client" and record.type == "conversation.item.create"
            and item.get("type") == "message")
