"""Demo sessions for tests/e2e/test_demo.py, run in the background.

A recorded demo runs in real time (the agent speaks each answer), so the `rtc-bridge demo`
runs that test_demo.py checks start as soon as the first e2e test starts, each in its own
process, and test_demo.py's tests are moved to the end of the run: the sessions overlap the
rest of the suite instead of adding their length to it. They run at a lower priority (nice), so
that they take spare CPU time rather than slowing the tests in front.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bridge.speech import synthesize_utterance_wav

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEMO_MODULE = HERE / "test_demo.py"
SHIPPED_SCENARIO = ROOT / "scripts" / "demo-scenario.yaml"
BACKGROUND_NICENESS = 5

# Fails on purpose: the first call runs but its DOM effect is suppressed by a stylesheet the
# runner adds, the second is never called; the third (a WAV played) must still pass.
FAILING_SCENARIO = """\
name: failing on purpose
steps:
  - type: change the background color to blue
    expect: {tool: changeBackgroundColor, args: {color: blue}}
  - type: hello there
    expect: {tool: changeTextColor, timeout_s: 3}
  - play: bigger.wav
    expect: {tool: changeButtonStyle, args: {size: larger}}
"""
FAILING_RUNNER = """\
import sys
from pathlib import Path

from bridge.demo import command

SUPPRESS = '''() => {
    const style = document.createElement("style");
    style.textContent = "body { background-color: rgb(255, 255, 255) !important; }";
    document.head.append(style);
}'''

if __name__ == "__main__":
    here = Path(__file__).parent
    sys.exit(command(here / "failing.yaml", here / "out", force=False,
                     prepare=lambda handle: handle.evaluate(SUPPRESS)))
"""


@dataclass
class DemoRun:
    """One demo process: its output directory, its console output and its exit status."""

    out: Path
    log: Path
    process: subprocess.Popen[bytes]

    def wait(self, timeout_s: float = 300.0) -> int:
        return self.process.wait(timeout=timeout_s)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class DemoRuns:
    shipped: DemoRun
    failing: DemoRun
    started_at: float


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    demo = [item for item in items if item.path == DEMO_MODULE]
    if demo:
        items[:] = [item for item in items if item.path != DEMO_MODULE] + demo


@pytest.fixture(scope="session", autouse=True)
def demo_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoRuns | None]:
    """Started at the first e2e test when test_demo.py's tests are selected; None otherwise."""
    if not any(item.path == DEMO_MODULE for item in request.session.items):
        yield None
        return
    root = tmp_path_factory.mktemp("demos")
    shipped = _start(root / "shipped", [sys.executable, "-m", "bridge", "demo",
                                        str(SHIPPED_SCENARIO), "--out", str(root / "shipped")])
    work = root / "failing"
    work.mkdir()
    (work / "failing.yaml").write_text(FAILING_SCENARIO, encoding="utf-8")
    (work / "run.py").write_text(textwrap.dedent(FAILING_RUNNER), encoding="utf-8")
    synthesize_utterance_wav("make the button bigger", work / "bigger.wav",
                             lead_silence_s=0.3, tail_silence_s=0.5)
    failing = _start(work / "out", [sys.executable, str(work / "run.py")], log_dir=work)
    runs = DemoRuns(shipped=shipped, failing=failing, started_at=time.monotonic())
    try:
        yield runs
    finally:
        for run in (runs.shipped, runs.failing):
            if run.process.poll() is None:
                run.process.terminate()
                try:
                    run.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    run.process.kill()


def _lower_priority() -> None:
    os.nice(BACKGROUND_NICENESS)


def _start(out: Path, command: list[str], *, log_dir: Path | None = None) -> DemoRun:
    log = (log_dir or out.parent) / f"{out.parent.name}-{out.name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
                                   preexec_fn=_lower_priority)
    return DemoRun(out=out, log=log, process=process)
