"""`rtc-bridge demo SCENARIO --out DIR`: run a scripted session, record it, report on it.

The session runs on a real bridge (its controlled Chromium, the configured upstream), on the
bridge's own voice page or on the user's page the scenario names (`page:`, `start:`, `checks:`,
which win over the environment's), with the same runner as the pytest plugin's scenario tests
(`session`); each step types, says or plays into the page (`steps`), and its expectation holds
only when everything it names held (`scenario_expect`). DIR gets `events.jsonl`,
`summary.json`, `session.webm` (the page with sound) and `report.html` (`results` holds what
they are made from). The exit status is 0 only if every expectation held.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ..config import Settings
from ..drive.handle import BridgeHandle
from ..errors import BrowserError, RecordingError, ScenarioError, SettingsError
from ..events.log import Record
from .recording import PageRecorder, write_webm
from .report import write_report
from .results import (
    EVENTS_FILE,
    OUTPUT_FILES,
    RECORDING_FILE,
    REPORT_FILE,
    SUMMARY_FILE,
    DemoResult,
    StepResult,
    ToolCallResult,
)
from .scenario import Scenario, load_scenario
from .session import run_steps, scenario_bridge, wait_connected
from .steps import Progress

__all__ = ["OUTPUT_FILES", "DemoResult", "StepResult", "ToolCallResult", "command", "run_demo",
           "wait_connected"]

_TAIL_S = 0.5
# A call's screenshot is the frame on screen this long after its verification.
_SHOT_AFTER_S = 0.3


def run_demo(
    scenario: Scenario,
    out_dir: Path,
    settings: Settings,
    *,
    progress: Progress = print,
    prepare: Callable[[BridgeHandle], None] | None = None,
) -> DemoResult:
    """Run `scenario` on a bridge started with `settings` (the scenario's page, start and checks
    in place of theirs) and write the outputs into `out_dir` (which must exist).
    `prepare(handle)` runs once the page is connected, before recording."""
    settings = settings.replace(events_path=out_dir / EVENTS_FILE)
    if scenario.repeat > 1:
        progress(f"`repeat: {scenario.repeat}` is for scenario tests (pytest): a demo records "
                 "one run")
    result = DemoResult(scenario=scenario, out_dir=out_dir, steps=[], upstream=settings.upstream,
                        started_at=datetime.now(UTC).isoformat(timespec="seconds"))
    with scenario_bridge(scenario, settings, progress=progress) as handle:
        if prepare is not None:
            prepare(handle)
        recorder = PageRecorder(handle.browser.page, handle.event_log)
        handle.thread.call(recorder.start)
        try:
            result.steps = run_steps(handle, scenario, progress=progress)
            time.sleep(_TAIL_S)
        finally:
            result.capture = handle.thread.call(recorder.stop, timeout_s=30)
    _attach_screenshots(result)
    _write_outputs(result, progress)
    return result


def _attach_screenshots(result: DemoResult) -> None:
    """Each tool call gets the frame on screen shortly after it was verified."""
    capture = result.capture
    if capture is None:
        return
    for step in result.steps:
        step.tool_calls = [replace(call, screenshot=capture.frame_at(call.t + _SHOT_AFTER_S))
                           for call in step.tool_calls]


def _write_outputs(result: DemoResult, progress: Progress) -> None:
    out = result.out_dir
    if result.capture is not None:
        progress("encoding the recording (VP8 + Opus)…")
        try:
            result.recording = write_webm(result.capture, out / RECORDING_FILE)
        except RecordingError as err:
            result.recording_error = str(err)
            progress(f"recording failed: {err}")
    summary = result.summary()
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    events = _read_events(out / EVENTS_FILE)
    write_report(out / REPORT_FILE, result, events)
    if result.recording is not None:
        info = result.recording
        progress(f"recording: {info.path} ({info.size_bytes / 1e6:.2f} MB, "
                 f"{info.duration_s:.1f} s, {info.width}x{info.height})")
    progress(f"report: {out / REPORT_FILE}")
    passed = sum(1 for s in result.steps if s.ok)
    progress(f"{'passed' if result.passed else 'FAILED'}: {passed} of "
             f"{len(result.scenario.steps)} steps held")


def _read_events(path: Path) -> list[Record]:
    """The event log as written, line by line; a line that is not a record is skipped."""
    records = []
    try:
        with path.open(encoding="utf-8") as lines:
            for seq, line in enumerate(lines, start=1):
                try:
                    record = Record.from_json(json.loads(line), seq=seq)
                except ValueError:
                    continue
                if record is not None:
                    records.append(record)
    except OSError:
        return []
    return records


def command(
    scenario_file: Path,
    out_dir: Path,
    *,
    headless: bool | None = None,
    upstream: str | None = None,
    force: bool = False,
    progress: Progress = print,
    error: Progress | None = None,
    prepare: Callable[[BridgeHandle], None] | None = None,
) -> int:
    """The `demo` subcommand: 0 if every expectation held and the recording was written,
    1 if not, 2 if nothing could start (a bad scenario, DIR already there, bad settings)."""
    report_error = error or (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        settings = Settings.from_env(port=0, headless=headless, upstream=upstream)
        scenario = load_scenario(scenario_file, user_page=settings.page is not None)
        _prepare_out_dir(out_dir, force=force)
    except (ScenarioError, SettingsError, FileExistsError, OSError) as err:
        report_error(f"rtc-bridge demo: {err}")
        return 2
    progress(f'scenario "{scenario.name}": {len(scenario.steps)} steps; outputs in {out_dir}')
    try:
        result = run_demo(scenario, out_dir, settings, progress=progress, prepare=prepare)
    except KeyboardInterrupt:
        report_error("rtc-bridge demo: interrupted")
        return 130
    # BrowserError: no Chromium, or the page could not be driven (ChromiumNotFound is one).
    except (BrowserError, RecordingError, RuntimeError, TimeoutError, OSError) as err:
        report_error(f"rtc-bridge demo: the session could not run: {err}")
        return 1
    return 0 if result.passed and result.recording is not None else 1


def _prepare_out_dir(out_dir: Path, *, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"--out {out_dir} exists and is not a directory")
    if out_dir.exists() and not force:
        raise FileExistsError(f"--out {out_dir} already exists; pass --force to write into it "
                              "(its previous demo outputs are replaced)")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_FILES:
        (out_dir / name).unlink(missing_ok=True)
