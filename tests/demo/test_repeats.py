"""A scenario's runs as one verdict: the pass rate against `min_pass_rate`, counted in whole
runs, and each step's latency as nearest-rank percentiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.demo.repeats import P95_FROM_RUNS, Repeats, nearest_rank
from bridge.demo.results import StepResult
from bridge.demo.scenario import parse_scenario
from bridge.errors import ScenarioError

TEXT = """\
name: twice
min_pass_rate: 0.8
steps:
  - type: make the text white
    expect: {tool: changeTextColor}
"""


def _repeats(outcomes: list[bool], latency_ms: float = 500.0) -> Repeats:
    scenario = parse_scenario(TEXT, path=Path("twice.voice.yaml"))
    [step] = scenario.steps
    runs = tuple((StepResult(step, ok=ok, latency_ms=latency_ms + n, latency_of="tool"),)
                 for n, ok in enumerate(outcomes))
    return Repeats(scenario, runs)


def test_nearest_rank_is_a_value_some_run_had() -> None:
    values = [float(v) for v in range(1, 21)]
    assert nearest_rank(values, 50) == 10.0 and nearest_rank(values, 95) == 19.0
    assert nearest_rank([3.0], 95) == 3.0 and nearest_rank([], 50) is None


@pytest.mark.parametrize("outcomes, passed", [
    ([True] * 8 + [False] * 2, True),  # 0.8 of 10 is 8 runs
    ([True] * 7 + [False] * 3, False),
    ([True, True, True, True, False], True),
    ([False], False),
])
def test_the_pass_rate_is_counted_in_whole_runs(outcomes: list[bool], passed: bool) -> None:
    repeats = _repeats(outcomes)
    assert repeats.passed is passed
    assert repeats.passed_runs == sum(outcomes)
    first_failed = repeats.first_failed_run()
    assert first_failed is not None and first_failed[0] == outcomes.index(False) + 1


def test_step_lines_give_p50_and_p95_only_from_enough_runs() -> None:
    few = _repeats([True] * 5)
    assert few.step_lines() == ['step 1 of 1, type "make the text white": held in 5 of 5 runs; '
                                "tool latency p50 502 ms over 5 runs"]
    many = _repeats([True] * P95_FROM_RUNS + [False])
    assert many.step_lines() == ['step 1 of 1, type "make the text white": held in 20 of 21 '
                                 "runs; tool latency p50 510 ms, p95 519 ms over 21 runs"]
    assert many.verdict_line() == "20 of 21 runs passed (95%; at least 80% needed)"


@pytest.mark.parametrize("top, message", [
    ("repeat: 0\n", "`repeat` must be a whole number of runs, 1 to 1000"),
    ("repeat: 2.5\n", "`repeat` must be a whole number"),
    ("min_pass_rate: 1.5\n", "`min_pass_rate` must be a share of runs from 0 to 1"),
    ("min_pass_rate: most\n", "`min_pass_rate` must be a share"),
])
def test_bad_repeat_keys_name_their_line(top: str, message: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(top + "steps:\n  - type: hi\n", path=Path("s.voice.yaml"))
    assert str(raised.value).startswith("s.voice.yaml:1: ") and message in str(raised.value)
