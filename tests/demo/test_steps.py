"""What makes a step hold on a user's page: the call's verdict and the step's own DOM checks
(`expect.dom`), taken in order, against a small stand-in for the bridge (`TypedPage`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from bridge.browser.checks import Baseline, Check, CheckResult
from bridge.demo.scenario import parse_scenario
from bridge.demo.steps import StepRunner
from bridge.drive.handle import BridgeHandle
from bridge.events.log import EventLog
from bridge.events.records import ToolVerified
from bridge.events.verdicts import Verdict

SCENARIO = """\
page: http://127.0.0.1:5173/
steps:
  - type: add milk
    expect:
      tool: addTodo
      args: {text: milk}
      timeout_s: 2
      dom:
        - {selector: li, count_delta: 1}
        - {selector: "li >> nth=-1", text: "{text}"}
  - type: add milk
    expect: {tool: addTodo, timeout_s: 2}
  - type: clear the list
    expect: {dom: [{selector: li, count: 0}], timeout_s: 2}
"""
COUNTED = Baseline({"li": 2}, "http://127.0.0.1:5173/")


@dataclass
class TypedPage:
    """Each typed message makes the call it is told to (`addTodo {"text": "milk"}` logged with
    `verdict`); the step's DOM checks come out `dom`. Remembers what it was asked, in order."""

    verdict: Verdict | None
    dom: CheckResult = field(default_factory=lambda: CheckResult("verified", {"li count": 3}, None))
    event_log: EventLog = field(default_factory=EventLog)
    asked: list[tuple[str, Any]] = field(default_factory=list)

    def type(self, text: str) -> int:
        mark = self.event_log.last_seq
        self.asked.append(("type", text))
        self.event_log.append(dir="client", type="conversation.item.create", event={
            "type": "conversation.item.create", "item": {"type": "message", "role": "user"}})
        if self.verdict is not None:
            self.event_log.append_bridge(ToolVerified.for_call(
                {"call_id": "call_1", "name": "addTodo", "arguments": '{"text":"milk"}'},
                verdict=self.verdict, observed={}, ok=True,
                reason=None if self.verdict == "verified" else "the list shows no milk"))
        return mark

    def dom_baseline(self, checks: Sequence[Check]) -> Baseline:
        self.asked.append(("baseline", [c.kind for c in checks]))
        return COUNTED

    def check_dom(self, checks: Sequence[Check], *, arguments: Mapping[str, Any] | None,
                  baseline: Baseline | None, timeout_s: float) -> CheckResult:
        self.asked.append(("check", (arguments, baseline, 0 < timeout_s <= 2)))
        return self.dom


def _run(page: TypedPage, index: int) -> Any:
    scenario = parse_scenario(SCENARIO, path=Path("scenario.yaml"))
    runner = StepRunner(cast(BridgeHandle, page), scenario, progress=lambda line: None)
    return runner.run(scenario.steps[index])


def test_an_unchecked_call_holds_when_the_steps_own_checks_do() -> None:
    page = TypedPage("unchecked")
    result = _run(page, 0)
    assert result.ok and result.reason is None, result.reason
    # The count is taken before the step acts; the checks see the call's arguments.
    assert page.asked == [("baseline", ["count_delta", "text"]), ("type", "add milk"),
                          ("check", ({"text": "milk"}, COUNTED, True))]
    assert result.dom == page.dom and result.as_json()["dom"]["verified"] is True
    assert [c.verdict for c in result.tool_calls] == ["unchecked"]


def test_an_unchecked_call_with_nothing_to_check_it_fails() -> None:
    result = _run(TypedPage("unchecked"), 1)
    assert not result.ok and result.reason == (
        'addTodo {"text":"milk"} ran, but nothing checks it in the DOM: declare checks for '
        "addTodo (`checks:`) or give the step `expect.dom`")


def test_a_call_its_declared_checks_did_not_confirm_fails_before_the_steps_checks() -> None:
    page = TypedPage("not_verified")
    result = _run(page, 0)
    assert not result.ok and "did not confirm it: the list shows no milk" in result.reason
    assert [kind for kind, _ in page.asked] == ["baseline", "type"] and result.dom is None


@pytest.mark.parametrize("verdict", ["verified", "unchecked"])
def test_the_steps_checks_failing_fail_the_step_with_their_reason(verdict: Verdict) -> None:
    failed = CheckResult("not_verified", {"li count": 2}, "li matches 2 elements, expected 3")
    result = _run(TypedPage(verdict, dom=failed), 0)
    assert not result.ok
    assert result.reason == "the step's DOM checks did not hold: li matches 2 elements, " \
                            "expected 3"
    assert result.as_json()["dom"] == {"verdict": "not_verified", "verified": False,
                                       "observed": {"li count": 2}, "reason": failed.reason,
                                       "reads": 0, "elapsed_ms": 0.0}


def test_checks_alone_are_read_right_after_the_step_acts() -> None:
    page = TypedPage(None)
    result = _run(page, 2)
    assert result.ok and page.asked == [("type", "clear the list"),
                                        ("check", (None, None, True))]


def test_a_page_that_cannot_be_read_fails_the_step_and_not_the_run() -> None:
    class Unreadable(TypedPage):
        def check_dom(self, checks: Sequence[Check], *, arguments: Mapping[str, Any] | None,
                      baseline: Baseline | None, timeout_s: float) -> CheckResult:
            raise TimeoutError("the bridge did not answer")

    result = _run(Unreadable("verified"), 0)
    assert not result.ok
    assert result.reason == "could not check the step's DOM checks: the bridge did not answer"
