"""A scenario run several times as one test (`repeat:` and `min_pass_rate:` in the file, or
`--voice-repeat N`): voice is noisy, and one run proves little.

The test passes if and only if the share of runs in which every step held is at least the
scenario's `min_pass_rate`. Each step's latency (its tool latency, or its response latency when
it expects no tool) is summed up over the runs as its p50, and its p95 from
`P95_FROM_RUNS` runs up; both nearest-rank, so each is a latency some run had.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .results import StepResult
from .scenario import Scenario, Step

__all__ = ["P95_FROM_RUNS", "Repeats", "nearest_rank"]

# Fewer runs than this have no meaningful 95th percentile: it would be their slowest.
P95_FROM_RUNS = 20


def nearest_rank(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0 < p ≤ 100) by nearest rank: the smallest value with at least p %
    of the values at or below it; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


@dataclass(frozen=True)
class Repeats:
    """The runs of one scenario, each the results of its steps in order."""

    scenario: Scenario
    runs: tuple[tuple[StepResult, ...], ...]

    @property
    def passed_runs(self) -> int:
        return sum(1 for run in self.runs if all(result.ok for result in run))

    @property
    def pass_rate(self) -> float:
        return self.passed_runs / len(self.runs) if self.runs else 0.0

    @property
    def passed(self) -> bool:
        # Compared in whole runs, so that 0.8 of 10 runs is 8 runs, whatever the float says.
        needed = math.ceil(self.scenario.min_pass_rate * len(self.runs) - 1e-9)
        return bool(self.runs) and self.passed_runs >= needed

    def first_failed_run(self) -> tuple[int, tuple[StepResult, ...]] | None:
        """The first run in which a step failed (numbered from 1), or None."""
        return next(((n, run) for n, run in enumerate(self.runs, start=1)
                     if not all(result.ok for result in run)), None)

    def verdict_line(self) -> str:
        """"9 of 10 runs passed (90 %; at least 80 % needed)"."""
        return (f"{self.passed_runs} of {len(self.runs)} runs passed "
                f"({self.pass_rate:.0%}; at least {self.scenario.min_pass_rate:.0%} needed)")

    def step_lines(self) -> list[str]:
        """Per step: how many runs it held in, and its latency's p50 (and p95)."""
        total = len(self.scenario.steps)
        return [self._step_line(step, total) for step in self.scenario.steps]

    def _step_line(self, step: Step, total: int) -> str:
        results = [run[step.index - 1] for run in self.runs if len(run) >= step.index]
        held = sum(1 for result in results if result.ok)
        line = (f"step {step.index} of {total}, {step.describe()}: held in {held} of "
                f"{len(results)} runs")
        kinds = {result.latency_of for result in results if result.latency_of is not None}
        if len(kinds) == 1:
            kind = kinds.pop()
            line += _percentiles(f"{kind} latency", [r.latency_ms for r in results])
            if kind == "tool":
                line += _percentiles("response latency",
                                     [r.response_latency_ms for r in results])
        return line


def _percentiles(what: str, values: Sequence[float | None]) -> str:
    """`; tool latency p50 812 ms, p95 990 ms over 20 runs`, or "" without values."""
    known = [value for value in values if value is not None]
    if not known:
        return ""
    text = f"; {what} p50 {nearest_rank(known, 50):.0f} ms"
    if len(known) >= P95_FROM_RUNS:
        text += f", p95 {nearest_rank(known, 95):.0f} ms"
    return text + f" over {len(known)} runs"
