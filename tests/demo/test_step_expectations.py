"""What `no_tool`, `agent_says` and `within_ms` make of a step, against a small stand-in for the
bridge (`ScriptedPage`) whose agent answers each typed message as it is told; and the message
a failing scenario test shows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

from bridge.demo.pytest_items import failure_message
from bridge.demo.results import StepResult
from bridge.demo.scenario import parse_scenario
from bridge.demo.steps import StepRunner
from bridge.drive.handle import BridgeHandle
from bridge.events.log import EventLog
from bridge.events.records import ToolVerified

Answer = Callable[[EventLog], None]


def said(text: str) -> Answer:
    def answer(log: EventLog) -> None:
        for kind, key in (("response.output_audio_transcript.delta", "delta"),
                          ("response.output_audio_transcript.done", "transcript")):
            log.append(dir="server", type=kind, event={"type": kind, key: text})

    return answer


def called(name: str, arguments: str) -> Answer:
    def answer(log: EventLog) -> None:
        log.append(dir="server", type="response.function_call_arguments.done", event={
            "type": "response.function_call_arguments.done", "call_id": "call_1",
            "name": name, "arguments": arguments, "response_id": "resp_1"})
        log.append(dir="client", type="conversation.item.create", event={
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "call_1", "output": "{}"}})
        log.append_bridge(ToolVerified.for_call(
            {"call_id": "call_1", "name": name, "arguments": arguments},
            verdict="verified", observed={}, ok=True, reason=None))

    return answer


def pause(seconds: float) -> Answer:
    return lambda log: time.sleep(seconds)


@dataclass
class ScriptedPage:
    """Each typed message is logged as the page sends it, then the agent does `answers`."""

    answers: list[Answer]
    event_log: EventLog = field(default_factory=EventLog)

    def type(self, text: str) -> int:
        mark = self.event_log.last_seq
        self.event_log.append(dir="client", type="conversation.item.create", event={
            "type": "conversation.item.create", "item": {"type": "message", "role": "user"}})
        for answer in self.answers:
            answer(self.event_log)
        return mark


def run(expect: str, *answers: Answer) -> StepResult:
    scenario = parse_scenario(f"page: http://127.0.0.1:5173/\nsteps:\n  - type: add milk\n"
                              f"    expect: {expect}\n", path=Path("todo.voice.yaml"))
    runner = StepRunner(cast(BridgeHandle, ScriptedPage(list(answers))), scenario,
                        progress=lambda line: None)
    return runner.run(scenario.steps[0])


def test_no_tool_holds_when_nothing_is_called_and_times_the_answer() -> None:
    result = run("{no_tool: true, timeout_s: 0.3}", pause(0.05), said("Sorry?"))
    assert result.ok, result.reason
    assert result.latency_of == "response" and result.latency_ms is not None
    assert 40 <= result.latency_ms < 1000
    assert result.as_json()["latency_of"] == "response"


def test_no_tool_fails_naming_the_call() -> None:
    result = run("{no_tool: true, timeout_s: 0.5}", called("addTodo", '{"text":"milk"}'))
    assert not result.ok
    assert result.reason == ('expected no tool call within 0.5 s, but the agent called addTodo '
                             '{"text":"milk"}')
    assert result.calls_seen == ['addTodo {"text":"milk"} verified']


def test_agent_says_ignores_case_and_punctuation() -> None:
    assert run("{agent_says: \"i've added MILK\"}", said("Done! I've added milk.")).ok
    result = run("{agent_says: bread, timeout_s: 1}", said("Done! I've added milk."))
    assert not result.ok
    assert result.reason == 'the agent did not say "bread"; it said "Done! I\'ve added milk."'


@pytest.mark.parametrize(("within_ms", "ok"), [(20, False), (5000, True)])
def test_within_ms_bounds_the_tool_latency(within_ms: int, ok: bool) -> None:
    result = run(f"{{tool: addTodo, within_ms: {within_ms}, timeout_s: 2}}", pause(0.06),
                 called("addTodo", '{"text":"milk"}'))
    assert result.latency_of == "tool" and result.latency_ms is not None
    assert 50 <= result.latency_ms < 1000
    assert result.ok is ok, result.reason
    if not ok:
        assert result.reason == (f"tool latency {result.latency_ms:.0f} ms is over within_ms "
                                 f"{within_ms}")
    assert result.as_json()["latency_ms"] == round(result.latency_ms, 1)
    assert result.as_json()["expected"]["within_ms"] == within_ms


def test_within_ms_without_an_answer_fails() -> None:
    result = run("{within_ms: 500, timeout_s: 0.2}")
    assert not result.ok and result.latency_ms is None
    assert result.reason is not None and result.reason.startswith(
        "response latency unknown: the agent did not answer")


def test_a_failing_scenario_names_the_step_what_it_expected_and_what_was_seen() -> None:
    scenario = parse_scenario("name: milk\nsteps:\n  - type: add milk\n"
                              "    expect: {tool: changeTextColor, timeout_s: 0.3}\n",
                              path=Path("milk.voice.yaml"))
    page = ScriptedPage([called("changeBackgroundColor", '{"color":"blue"}'), said("Blue.")])
    runner = StepRunner(cast(BridgeHandle, page), scenario, progress=lambda line: None)
    result = runner.run(scenario.steps[0])
    assert result.line(1).startswith('step 1 of 1 (line 3) type "add milk": FAILED: no verified '
                                     "call of changeTextColor within 0.3 s")
    assert failure_message(scenario, [result]).splitlines() == [
        'scenario "milk" (milk.voice.yaml): 1 of 1 step failed',
        'step 1 of 1 (line 3), type "add milk":',
        "  expected: changeTextColor within 0.3 s",
        "  seen: no verified call of changeTextColor within 0.3 s; the agent called "
        'changeBackgroundColor {"color":"blue"} verified',
        '  calls: changeBackgroundColor {"color":"blue"} verified',
        "  instead: response.output_audio_transcript.done: agent: Blue."]

