"""Running a scenario on a live bridge: the one runner that `rtc-bridge demo` (`runner`, which
records and reports around it) and the pytest plugin's scenario items (`pytest_items`) share.

    with scenario_bridge(scenario, settings, progress=print) as handle:
        results = run_steps(handle, scenario, progress=print)
        # or, as scenario tests with `repeat:` do: each run on a reloaded page
        repeats = run_repeated(handle, scenario, runs=10, progress=print)

The bridge starts with `settings`, the scenario's `page`, `start` and `checks` in place of
theirs, and is stopped on leaving the block.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..config import Settings
from ..drive.handle import BridgeHandle
from ..drive.thread import BridgeThread
from ..errors import BrowserError
from ..events.records import BrowserFailed, all_of, read
from .repeats import Repeats
from .results import StepResult
from .scenario import Scenario
from .steps import Progress, StepRunner

__all__ = ["CONNECT_TIMEOUT_S", "run_repeated", "run_steps", "scenario_bridge", "wait_connected"]

CONNECT_TIMEOUT_S = 60.0


@contextmanager
def scenario_bridge(scenario: Scenario, settings: Settings, *,
                    progress: Progress) -> Iterator[BridgeHandle]:
    """A bridge started with `settings` (the scenario's page, start and checks in place of
    theirs), its page connected and the scenario's inline checks declared; stopped on exit.
    A headed browser does not hear the room's microphone: only what the steps say or play."""
    settings = scenario.page.settings_for(settings).replace(room_mic=False)
    page = f", your page {settings.page}" if settings.page else ""
    progress(f"starting the bridge ({settings.upstream} upstream, "
             f"{'headless' if settings.headless else 'headed'} Chromium{page})")
    thread = BridgeThread(settings).start(timeout_s=60)
    try:
        handle = wait_connected(BridgeHandle(thread), timeout_s=CONNECT_TIMEOUT_S)
        if scenario.page.inline_checks is not None:
            handle.declare_checks(scenario.page.inline_checks)
        yield handle
    finally:
        thread.stop()


def run_steps(handle: BridgeHandle, scenario: Scenario, *,
              progress: Progress) -> list[StepResult]:
    """Each of the scenario's steps in turn on `handle`'s bridge: what each did and held."""
    runner = StepRunner(handle, scenario, progress)
    steps = scenario.steps
    # A step that talks over the agent starts while the one before it is still answered.
    results = [runner.run(step, settle=n + 1 >= len(steps) or steps[n + 1].barge_in_ms is None)
               for n, step in enumerate(steps)]
    for result in results:
        runner.finish(result)
    return results


def run_repeated(handle: BridgeHandle, scenario: Scenario, *, runs: int,
                 progress: Progress) -> Repeats:
    """The scenario's steps `runs` times, each run after the first on the page reloaded (a
    fresh DOM and a new call), so that no run inherits another's state."""
    done: list[tuple[StepResult, ...]] = []
    for n in range(1, runs + 1):
        if n > 1:
            handle.reload(timeout_s=CONNECT_TIMEOUT_S)
        if runs > 1:
            progress(f"run {n} of {runs}")
        done.append(tuple(run_steps(handle, scenario, progress=progress)))
    return Repeats(scenario, tuple(done))


def wait_connected(handle: BridgeHandle, *, timeout_s: float) -> BridgeHandle:
    """`handle` once its page is connected; BrowserError as soon as the controlled browser
    failed to start (a `start:` with nothing to click, say), or saying what the bridge saw of
    a page that did not connect within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not handle.browser.connected:
        failed = all_of(BrowserFailed, handle.event_log.records())
        if failed:
            raise BrowserError(f"the controlled browser could not start: {failed[-1].error}")
        if time.monotonic() >= deadline:
            seen = [entry.describe() for entry in map(read, handle.event_log.records())
                    if entry is not None][-5:]
            raise BrowserError(f"the page did not connect within {timeout_s:g} s; the bridge "
                               f"saw {'; '.join(seen) if seen else 'no signalling from it'}")
        time.sleep(0.05)
    return handle
