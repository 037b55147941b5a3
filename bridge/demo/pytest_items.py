"""A scenario file as a pytest test: one item per file, run by the demo's own runner (`session`)
on a bridge of its own, with the settings of the `bridge_settings` fixture that the file sees
(the nearest conftest's, else the `rtc_bridge` plugin's: the environment's `BRIDGE_…`), the
scenario's `page`, `start` and `checks` in place of theirs.

The file is collected as a module with no Python in it, so that module-scoped fixtures (as
`bridge_settings` is) resolve for it as they do for a test module; its one item is a test
function whose only argument is `bridge_settings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from ..errors import BrowserError, ScenarioError
from .scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from ..config import Settings
    from .results import StepResult

__all__ = ["STEPS_SECTION", "ScenarioFailed", "ScenarioFile", "ScenarioItem", "failure_message"]

# The report section with one line per step (`Captured voice steps call` in reports), which the
# plugin writes into the JUnit testcase's <system-out>.
STEPS_SECTION = "voice steps"


class ScenarioFailed(AssertionError):
    """A scenario's steps did not all hold; the message says which, what they expected and what
    was seen instead."""


class ScenarioFile(pytest.Module):
    """A `*.voice.yaml` file: checked when collected (errors name the file, line and key)."""

    def _getobj(self) -> ModuleType:
        return ModuleType(self.path.stem.replace(".", "_"))

    def collect(self) -> Iterable[pytest.Item]:
        try:
            # Which tools a page has is known once the settings are: checked again at run time.
            scenario = load_scenario(self.path, user_page=True)
        except ScenarioError as err:
            raise self.CollectError(str(err)) from err
        yield ScenarioItem.from_parent(self, name=scenario.name, callobj=_test_for(self.path))


class ScenarioItem(pytest.Function):
    """One scenario, run as a test; fails with what `failure_message` says."""

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.name}"

    def repr_failure(  # type: ignore[override]  # as pytest.Function's own
            self, excinfo: pytest.ExceptionInfo[BaseException]) -> str | TerminalRepr:
        if isinstance(excinfo.value, ScenarioFailed | ScenarioError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def _test_for(path: Path) -> Any:
    def scenario_test(bridge_settings: Settings, request: pytest.FixtureRequest) -> None:
        run_scenario_file(path, bridge_settings, request.node)

    return scenario_test


def run_scenario_file(path: Path, settings: Settings, item: pytest.Item) -> None:
    """Run the scenario at `path` on a bridge started with `settings`, as many times as
    `runs_of` says; ScenarioFailed unless enough runs had every step hold. Progress is printed
    as it goes; one line per step goes into `item`'s report section `STEPS_SECTION`."""
    from .session import run_repeated, scenario_bridge  # the bridge loads only when a test runs

    scenario = load_scenario(path, user_page=settings.page is not None)
    runs = runs_of(scenario, settings, item.config)
    try:
        with scenario_bridge(scenario, settings, progress=_print) as handle:
            repeats = run_repeated(handle, scenario, runs=runs, progress=_print)
    except (BrowserError, RuntimeError, TimeoutError, OSError) as err:
        raise ScenarioFailed(f'scenario "{scenario.name}" ({path.name}): the session could not '
                             f"run: {err}") from err
    total = len(scenario.steps)
    if runs == 1:
        [results] = repeats.runs
        item.add_report_section("call", STEPS_SECTION, "\n".join(r.line(total) for r in results))
        if not repeats.passed:
            raise ScenarioFailed(failure_message(scenario, list(results)))
        return
    item.add_report_section("call", STEPS_SECTION,
                            "\n".join([repeats.verdict_line(), *repeats.step_lines()]))
    failed = repeats.first_failed_run()
    if not repeats.passed and failed is not None:
        number, results = failed
        raise ScenarioFailed(f'scenario "{scenario.name}" ({path.name}): '
                             f"{repeats.verdict_line()}; run {number}:\n"
                             + failure_message(scenario, list(results)))


def runs_of(scenario: Scenario, settings: Settings, config: pytest.Config) -> int:
    """How many times a scenario runs: `--voice-repeat`, else BRIDGE_VOICE_REPEAT (the
    settings' `voice_repeat`), else the file's own `repeat:`."""
    option = config.getoption("voice_repeat", default=None)
    return int(option or settings.voice_repeat or scenario.repeat)


def _print(line: str) -> None:
    print(line, flush=True)


def failure_message(scenario: Scenario, results: list[StepResult]) -> str:
    """Each failed step: where it is, what it did, what it expected and what was seen."""
    failed = [result for result in results if not result.ok]
    total = len(scenario.steps)
    lines = [f'scenario "{scenario.name}" ({scenario.path.name}): {len(failed)} of {total} '
             f"step{'' if total == 1 else 's'} failed"]
    for result in failed:
        step, expect = result.step, result.step.expect
        where = f" (line {step.line})" if step.line is not None else ""
        lines.append(f"step {step.index} of {total}{where}, {step.describe()}:")
        if expect is not None:
            lines.append(f"  expected: {expect.describe()} within {expect.timeout_s:g} s")
        lines.append(f"  seen: {result.reason}")
        lines.append(f"  calls: {'; '.join(result.calls_seen) or 'none'}")
        if result.said_instead:
            lines.append(f"  instead: {' | '.join(result.said_instead)}")
    return "\n".join(lines)
