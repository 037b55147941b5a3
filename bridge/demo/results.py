"""What a demo run produced: each tool call, each step, the run, and `summary.json` from them.

A tool call is the bridge's own `bridge.tool_verified` record read back from the event log
(`drive.handle.VerifiedCall`) with what the demo adds: the latency from the end of the user's
turn and the frame on screen just after it. A step's own DOM checks (`expect.dom`) give a
`browser.checks.CheckResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..browser.checks import CheckResult
from ..drive.handle import VerifiedCall
from .recording import Capture, RecordingInfo
from .scenario import Scenario, Step

__all__ = ["EVENTS_FILE", "OUTPUT_FILES", "RECORDING_FILE", "REPORT_FILE", "SUMMARY_FILE",
           "DemoResult", "StepResult", "ToolCallResult"]

EVENTS_FILE = "events.jsonl"
SUMMARY_FILE = "summary.json"
RECORDING_FILE = "session.webm"
REPORT_FILE = "report.html"
OUTPUT_FILES = (EVENTS_FILE, SUMMARY_FILE, RECORDING_FILE, REPORT_FILE)


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
                "reason": self.reason, "changes": self.changes or None, "call_id": self.call_id,
                "t": round(self.t, 3)}


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
    dom: CheckResult | None = None  # the step's own checks (`expect.dom`), once they ran
    # From the end of the user's words to the expected call's verification ("tool") or, when
    # the step expects none, to the agent's first answer event ("response").
    latency_ms: float | None = None
    latency_of: Literal["tool", "response"] | None = None
    # From the end of the user's words to the first agent voice the page played, whatever the
    # step expects (for a step expecting a tool, the spoken answer after the call).
    response_latency_ms: float | None = None
    # With `expect.interrupted`: how long the agent's voice went on at the page after the cut.
    quiet_after_ms: float | None = None
    calls_seen: list[str] = field(default_factory=list)  # `drive.matching.calls_seen`
    said_instead: list[str] = field(default_factory=list)  # `drive.matching.said_instead`

    def as_json(self) -> dict[str, Any]:
        step = self.step
        return {"index": step.index, "kind": step.kind, "input": _input_of(step),
                "impair": step.impair.to_mapping() if step.impair is not None else None,
                "line": step.line, "ok": self.ok, "reason": self.reason,
                "expected": step.expect.as_json() if step.expect else None,
                "latency_ms": _rounded(self.latency_ms, 1), "latency_of": self.latency_of,
                "response_latency_ms": _rounded(self.response_latency_ms, 1),
                "quiet_after_ms": _rounded(self.quiet_after_ms, 1),
                "tool_calls": [c.as_json() for c in self.tool_calls],
                "dom": _dom_json(self.dom),
                "transcript": self.transcript, "agent": self.agent,
                "started_t": _rounded(self.started_t), "turn_ended_t": _rounded(self.turn_ended_t),
                "ended_t": _rounded(self.ended_t)}

    def latency(self) -> str | None:
        """`tool latency 812 ms`, `response latency 640 ms (within 1000 ms)`, or None."""
        if self.latency_ms is None or self.latency_of is None:
            return None
        budget = self.step.expect.within_ms if self.step.expect else None
        within = "" if budget is None else f" (within {budget:g} ms)"
        return f"{self.latency_of} latency {self.latency_ms:.0f} ms{within}"

    def line(self, total: int) -> str:
        """One line a person reads: `step 2 of 3 (line 5) type "hi": FAILED: why`."""
        step = self.step
        where = f" (line {step.line})" if step.line is not None else ""
        latency = self.latency()
        if latency and self.latency_of == "tool" and self.response_latency_ms is not None:
            latency += f", response latency {self.response_latency_ms:.0f} ms"
        if self.quiet_after_ms is not None:
            latency = (f"{latency}, " if latency else "") + (
                f"the agent quiet {self.quiet_after_ms:.0f} ms after the cut")
        passed = "passed" + (f", {latency}" if latency else "")
        outcome = passed if self.ok else f"FAILED: {self.reason}"
        return f"step {step.index} of {total}{where} {step.describe()}: {outcome}"


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


def _dom_json(dom: CheckResult | None) -> dict[str, Any] | None:
    if dom is None:
        return None
    return {"verdict": dom.verdict, "verified": dom.verdict == "verified",
            "observed": dom.observed, "reason": dom.reason, "reads": dom.reads,
            "elapsed_ms": round(dom.elapsed_ms, 1)}


def _input_of(step: Step) -> Any:
    if step.kind in ("say", "type"):
        return step.text
    if step.kind == "play":
        return str(step.path)
    return step.seconds


def _rounded(t: float | None, digits: int = 3) -> float | None:
    return None if t is None else round(t, digits)
