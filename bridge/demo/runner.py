"""`rtc-bridge demo SCENARIO --out DIR`: run a scripted session, record it, report on it.

The session runs on a real bridge (its controlled Chromium, the configured upstream); each step
types, says or plays into the page, and its expectation holds only when the bridge verified the
tool call in the DOM. DIR gets `events.jsonl`, `summary.json`, `session.webm` (the page with
sound) and `report.html`. The exit status is 0 only if every expectation held.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Settings
from ..drive.handle import BridgeHandle, VerifiedCall
from ..drive.matching import CallMatcher, calls_seen
from ..drive.thread import BridgeThread
from ..errors import ChromiumNotFound, RecordingError, ScenarioError, SettingsError
from ..events.log import EventLog, Record
from ..events.records import ToolRefused, ToolVerified, all_of
from .recording import Capture, PageRecorder, RecordingInfo, write_webm
from .report import write_report
from .scenario import Scenario, Step, load_scenario

__all__ = ["OUTPUT_FILES", "DemoResult", "StepResult", "ToolCallResult", "command", "run_demo"]

log = logging.getLogger(__name__)
EVENTS_FILE = "events.jsonl"
SUMMARY_FILE = "summary.json"
RECORDING_FILE = "session.webm"
REPORT_FILE = "report.html"
OUTPUT_FILES = (EVENTS_FILE, SUMMARY_FILE, RECORDING_FILE, REPORT_FILE)
# After a step, the agent has finished when nothing is active and the channel has been quiet
# this long; a step whose expectation failed waits longer, as the turn may still be open.
_QUIET_S = 0.3
_QUIET_AFTER_FAILURE_S = 1.0
_SETTLE_MAX_S = 20.0
_TAIL_S = 0.5
# A call's screenshot is the frame on screen this long after its verification.
_SHOT_AFTER_S = 0.3
_VERDICT_WORDS = {"verified": "verified", "not_verified": "NOT verified"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ToolCallResult(VerifiedCall):
    """A logged tool call with what the demo adds: latency from the end of the user's turn, and
    the frame on screen just after it."""

    latency_ms: float | None = None
    screenshot: bytes | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "arguments": self.arguments, "verified": self.verified,
                "verdict": self.verdict, "observed": self.observed,
                "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
                "reason": self.reason, "call_id": self.call_id, "t": round(self.t, 3)}


@dataclass
class StepResult:
    step: Step
    ok: bool = False
    reason: str | None = None
    tool_calls: list[ToolCallResult] = field(default_factory=list)
    transcript: str | None = None
    agent: str | None = None
    started_t: float | None = None
    turn_ended_t: float | None = None
    ended_t: float | None = None

    def as_json(self) -> dict[str, Any]:
        step = self.step
        return {"index": step.index, "kind": step.kind, "input": _input_of(step),
                "ok": self.ok, "reason": self.reason,
                "expected": step.expect.as_json() if step.expect else None,
                "tool_calls": [c.as_json() for c in self.tool_calls],
                "transcript": self.transcript, "agent": self.agent,
                "started_t": _rounded(self.started_t), "turn_ended_t": _rounded(self.turn_ended_t),
                "ended_t": _rounded(self.ended_t)}


@dataclass
class DemoResult:
    scenario: Scenario
    out_dir: Path
    steps: list[StepResult]
    upstream: str
    started_at: str
    capture: Capture | None = None
    recording: RecordingInfo | None = None
    recording_error: str | None = None

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps) and len(self.steps) == len(
            self.scenario.steps)

    def summary(self) -> dict[str, Any]:
        """What `summary.json` holds."""
        capture = self.capture
        return {
            "name": self.scenario.name,
            "scenario": str(self.scenario.path),
            "passed": self.passed,
            "started_at": self.started_at,
            "upstream": self.upstream,
            "duration_s": round(capture.duration_s, 3) if capture else None,
            "recording_started_t": round(capture.started_t, 6) if capture else None,
            "steps": [s.as_json() for s in self.steps],
            "recording": self.recording.path.name if self.recording else None,
            "recording_error": self.recording_error,
            "events": EVENTS_FILE,
            "report": REPORT_FILE,
        }


def run_demo(
    scenario: Scenario,
    out_dir: Path,
    settings: Settings,
    *,
    progress: Progress = print,
    prepare: Callable[[BridgeHandle], None] | None = None,
) -> DemoResult:
    """Run `scenario` on a bridge started with `settings` and write the outputs into `out_dir`
    (which must exist). `prepare(handle)` runs once the page is connected, before recording."""
    settings = settings.replace(events_path=out_dir / EVENTS_FILE)
    result = DemoResult(scenario=scenario, out_dir=out_dir, steps=[], upstream=settings.upstream,
                        started_at=datetime.now(UTC).isoformat(timespec="seconds"))
    progress(f"starting the bridge ({settings.upstream} upstream, "
             f"{'headless' if settings.headless else 'headed'} Chromium)")
    thread = BridgeThread(settings).start(timeout_s=60)
    try:
        handle = BridgeHandle(thread).wait_ready(timeout_s=60)
        if prepare is not None:
            prepare(handle)
        recorder = PageRecorder(handle.browser.page, handle.event_log)
        thread.call(recorder.start)
        try:
            runner = _StepRunner(handle, scenario, progress)
            for step in scenario.steps:
                result.steps.append(runner.run(step))
            time.sleep(_TAIL_S)
        finally:
            result.capture = thread.call(recorder.stop, timeout_s=30)
    finally:
        thread.stop()
    _attach_screenshots(result)
    _write_outputs(result, progress)
    return result


class _StepRunner:
    def __init__(self, handle: BridgeHandle, scenario: Scenario, progress: Progress) -> None:
        self.handle = handle
        self.log: EventLog = handle.event_log
        self.scenario = scenario
        self.progress = progress

    def run(self, step: Step) -> StepResult:
        total = len(self.scenario.steps)
        awaited = (f" — then waiting up to {step.expect.timeout_s:g} s for "
                   f"{CallMatcher(step.expect.tool, step.expect.args).describe()}"
                   if step.expect else "")
        self.progress(f"step {step.index} of {total}: {step.describe()}{awaited}")
        result = StepResult(step=step, started_t=self.log.now())
        mark = self.log.last_seq
        try:
            self._act(step, result)
        except Exception as err:  # a step that cannot even be performed fails, the run goes on
            result.reason = f"could not {step.kind}: {err}"
            result.ended_t = self.log.now()
            self.progress(f"  FAILED: {result.reason}")
            return result
        if step.expect is None:
            result.ok = True
        else:
            result.ok, result.reason = self._expect(step, mark)
        self._settle(mark, quiet_s=_QUIET_S if result.ok else _QUIET_AFTER_FAILURE_S)
        result.ended_t = self.log.now()
        self._collect(result, mark)
        self.progress(f"  {'ok' if result.ok else 'FAILED'}: " + (
            result.reason or _outcome_line(result)))
        return result

    def _act(self, step: Step, result: StepResult) -> None:
        handle = self.handle
        if step.kind == "say":
            assert step.text is not None
            utterance = handle.say(step.text, step.voice or self.scenario.voice)
            result.started_t, result.turn_ended_t = utterance.started_t, utterance.ended_t
        elif step.kind == "play":
            assert step.path is not None
            utterance = handle.play(step.path)
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

    def _expect(self, step: Step, mark: int) -> tuple[bool, str | None]:
        """The first call of the expected tool and arguments decides, whatever its verdict."""
        expect = step.expect
        assert expect is not None
        wanted = CallMatcher(expect.tool, expect.args)
        try:
            record = self.log.wait_for(wanted, timeout_s=expect.timeout_s, after=mark)
        except TimeoutError:
            return False, self._why_missing(step, wanted, mark)
        call = ToolVerified.from_record(record)
        if call.verdict == "verified":
            return True, None
        why = call.reason or "the DOM did not show the change"
        return False, (f"{expect.tool} {call.arguments_json} ran, but the DOM did not confirm "
                       f"it: {why}")

    def _why_missing(self, step: Step, wanted: CallMatcher, mark: int) -> str:
        assert step.expect is not None
        records = self.log.records(after=mark)
        head = f"no verified call of {wanted.describe()} within {step.expect.timeout_s:g} s"
        refused = all_of(ToolRefused, records)
        if refused:
            first = refused[0]
            return f"{head}; the bridge refused {first.name} {first.arguments_json}: " \
                   f"{first.reason}"
        seen = calls_seen(records)
        if seen:
            return f"{head}; the agent called {'; '.join(seen)}"
        heard = _transcript(records)
        if step.kind in ("say", "play"):
            return f"{head}; no tool was called (the upstream heard: " \
                   f"{json.dumps(heard) if heard else 'nothing'})"
        return f"{head}; no tool was called"

    def _settle(self, mark: int, *, quiet_s: float) -> None:
        """Wait until the agent has finished answering (see `conversation_busy`) and the
        channel has been quiet for `quiet_s`."""
        deadline = time.monotonic() + _SETTLE_MAX_S
        while time.monotonic() < deadline:
            records = self.log.records(after=mark)
            last_t = records[-1].t if records else 0.0
            if not conversation_busy(records) and self.log.now() - last_t >= quiet_s:
                return
            time.sleep(0.05)
        self.progress(f"  (the agent was still busy after {_SETTLE_MAX_S:g} s; going on)")

    def _collect(self, result: StepResult, mark: int) -> None:
        records = self.log.records(after=mark)
        for call in all_of(ToolCallResult, records):
            latency = None if result.turn_ended_t is None else (
                (call.t - result.turn_ended_t) * 1000)
            result.tool_calls.append(replace(call, latency_ms=latency))
        step = result.step
        if step.kind in ("say", "play"):
            result.transcript = _transcript(records)
        elif step.kind == "type":
            result.transcript = step.text
        agent = [r.event.get("transcript") or r.event.get("text") for r in records
                 if r.dir == "server" and r.type in ("response.output_audio_transcript.done",
                                                      "response.output_text.done")]
        result.agent = " ".join(a for a in agent if isinstance(a, str)) or None


def _outcome_line(result: StepResult) -> str:
    if not result.tool_calls:
        return "done" if result.step.kind == "wait" else "done (no tool call)"
    parts = []
    for call in result.tool_calls:
        verdict = _VERDICT_WORDS.get(call.verdict, call.verdict)
        latency = f", {call.latency_ms:.0f} ms after the turn" if call.latency_ms else ""
        parts.append(f"{call.name} {json.dumps(call.arguments)} {verdict}{latency}")
    return "; ".join(parts)


def conversation_busy(records: list[Record]) -> bool:
    """Whether the conversation is still moving: a user turn open or not yet transcribed, a
    function call without its output, an output not yet followed by `response.create`, a
    response asked for or running, or audio playing."""
    open_turn = False
    awaiting_create = False
    pending_transcripts = 0
    pending_creates = 0
    calls: dict[str, str] = {}  # call id → response id, until the page sends its output
    responses: set[str] = set()
    playing: set[str] = set()
    for record in records:
        event, kind = record.event, record.type
        if record.dir == "client":
            item = event.get("item") or {}
            if kind == "response.create":
                pending_creates += 1
                awaiting_create = False
            elif kind == "conversation.item.create" and item.get("type") == "function_call_output":
                calls.pop(str(item.get("call_id")), None)
                awaiting_create = True
            continue
        if record.dir != "server":
            continue
        if kind == "input_audio_buffer.speech_started":
            open_turn = True
        elif kind in ("input_audio_buffer.speech_stopped", "input_audio_buffer.cleared"):
            open_turn = False
        elif kind == "input_audio_buffer.committed":
            pending_transcripts += 1
        elif kind in ("conversation.item.input_audio_transcription.completed",
                      "conversation.item.input_audio_transcription.failed"):
            pending_transcripts = max(0, pending_transcripts - 1)
        elif kind == "response.function_call_arguments.done":
            calls[str(event.get("call_id"))] = str(event.get("response_id"))
        elif kind == "response.created":
            pending_creates = max(0, pending_creates - 1)
            responses.add(str((event.get("response") or {}).get("id")))
        elif kind == "response.done":
            response = event.get("response") or {}
            responses.discard(str(response.get("id")))
            if response.get("status") != "completed":  # its calls never run
                calls = {c: r for c, r in calls.items() if r != str(response.get("id"))}
        elif kind == "error":
            pending_creates = max(0, pending_creates - 1)
        elif kind == "output_audio_buffer.started":
            playing.add(str(event.get("response_id")))
        elif kind in ("output_audio_buffer.stopped", "output_audio_buffer.cleared"):
            if event.get("response_id"):
                playing.discard(str(event.get("response_id")))
            else:
                playing.clear()
    return (open_turn or awaiting_create or pending_transcripts > 0 or pending_creates > 0
            or bool(calls) or bool(responses) or bool(playing))


def _typed_message(record: Record) -> bool:
    item = record.event.get("item") or {}
    return (record.dir == "client" and record.type == "conversation.item.create"
            and item.get("type") == "message")


def _transcript(records: list[Record]) -> str | None:
    heard = [r.event.get("transcript") for r in records
             if r.type == "conversation.item.input_audio_transcription.completed"]
    return " ".join(h for h in heard if isinstance(h, str) and h) or None


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


def _input_of(step: Step) -> Any:
    if step.kind in ("say", "type"):
        return step.text
    if step.kind == "play":
        return str(step.path)
    return step.seconds


def _rounded(t: float | None) -> float | None:
    return None if t is None else round(t, 3)


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
        scenario = load_scenario(scenario_file)
        settings = replace(Settings.from_env(port=0, headless=headless, upstream=upstream),
                           room_mic=False)
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
    except (ChromiumNotFound, RecordingError, RuntimeError, TimeoutError, OSError) as err:
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
