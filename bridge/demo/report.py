"""The demo's `report.html`: one self-contained page (inline styles, screenshots as data URIs)
with the timeline, what the user said and the upstream heard, each tool call with its arguments,
what the DOM showed and whether that verified it (for a call nothing checked, what it changed in
the DOM), each step's own DOM checks, latencies (each call's, and each step's tool or response
latency), and the recording beside it."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..events.log import Record
from ..events.records import read

if TYPE_CHECKING:
    from ..browser.checks import CheckResult
    from .results import DemoResult, StepResult, ToolCallResult

__all__ = ["write_report"]

# Events worth a line in the report's timeline (the JSONL log keeps everything).
_TIMELINE_TYPES = frozenset({
    "session.created", "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
    "conversation.item.input_audio_transcription.completed", "conversation.item.create",
    "response.create", "response.function_call_arguments.done",
    "response.output_audio_transcript.done", "response.output_text.done", "response.done",
    "output_audio_buffer.started", "output_audio_buffer.stopped", "error",
})

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;
color:#1d2330;background:#f6f7f9}
h1{margin:.2rem 0}h2{margin-top:2rem}table{border-collapse:collapse;width:100%}
td,th{padding:.3rem .5rem;border-bottom:1px solid #dde1e8;text-align:left;vertical-align:top}
th{background:#eceff4}code,pre{font:13px ui-monospace,monospace}
pre{white-space:pre-wrap;margin:0}.ok{color:#17703a;font-weight:600}
.fail{color:#b3261e;font-weight:600}.muted{color:#5d6675}
.step{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:1rem;margin:1rem 0}
.step.failed{border-color:#b3261e}.shot{max-width:480px;width:100%;border:1px solid #ccd;
border-radius:4px}video{width:100%;max-width:960px;background:#000;border-radius:6px}
.bar{position:relative;height:34px;background:#e4e8ef;border-radius:4px;margin:.5rem 0 1.5rem}
.bar span{position:absolute;top:4px;height:26px;border-radius:3px;font-size:12px;
overflow:hidden;white-space:nowrap;padding:0 3px;box-sizing:border-box;color:#fff}
.bar .s-ok{background:#3b7d4f}.bar .s-fail{background:#b3261e}
.bar i{position:absolute;top:0;width:2px;height:34px;background:#1d2330}
"""


def write_report(path: Path, result: DemoResult, events: list[Record]) -> Path:
    """Write the report for a finished demo run; `events` are the records of events.jsonl."""
    path.write_text(render(result, events), encoding="utf-8")
    return path


def render(result: DemoResult, events: list[Record]) -> str:
    capture = result.capture
    origin = capture.started_t if capture else (events[0].t if events else 0.0)
    duration = capture.duration_s if capture else 0.0
    verdict = ('<span class="ok">PASSED</span>' if result.passed
               else '<span class="fail">FAILED</span>')
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{_e(result.scenario.name)} — rtc-bridge demo</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(result.scenario.name)} — {verdict}</h1>",
        _meta(result, duration),
        _recording(result),
        "<h2>Timeline</h2>",
        _bar(result, origin, duration),
        "<h2>Steps</h2>",
        *(_step(step, origin) for step in result.steps),
        "<h2>Event log</h2>",
        _events(events, origin),
        "</body></html>",
    ]
    return "\n".join(parts)


def _meta(result: DemoResult, duration: float) -> str:
    held = sum(1 for s in result.steps if s.ok)
    rows = [("scenario", str(result.scenario.path)), ("started", result.started_at),
            ("upstream", result.upstream), ("session", f"{duration:.1f} s"),
            ("expectations", f"{held} of {len(result.scenario.steps)} steps held")]
    latencies = [c.latency_ms for s in result.steps for c in s.tool_calls
                 if c.latency_ms is not None and c.verified]
    if latencies:
        rows.append(("latency (end of turn → verified)",
                     f"median {sorted(latencies)[len(latencies) // 2]:.0f} ms, "
                     f"max {max(latencies):.0f} ms over {len(latencies)} calls"))
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _recording(result: DemoResult) -> str:
    if result.recording is None:
        why = result.recording_error or "no recording was made"
        return f'<p class="fail">Recording: {_e(why)}</p>'
    info = result.recording
    return (f"<h2>Recording</h2><video controls preload=auto "
            f'src="{_e(info.path.name)}"></video>'
            f'<p class="muted">{_e(info.path.name)}: {info.size_bytes / 1e6:.2f} MB, '
            f"{info.duration_s:.1f} s, {info.width}×{info.height}, VP8 + Opus (WebM)</p>")


def _bar(result: DemoResult, origin: float, duration: float) -> str:
    if duration <= 0:
        return ""
    spans = []
    for step in result.steps:
        start = (step.started_t or origin) - origin
        end = (step.ended_t or start + origin) - origin
        left, width = 100 * start / duration, max(0.5, 100 * (end - start) / duration)
        css = "s-ok" if step.ok else "s-fail"
        spans.append(f'<span class="{css}" style="left:{left:.2f}%;width:{width:.2f}%" '
                     f'title="{_e(step.step.describe())}">{step.step.index}</span>')
        for call in step.tool_calls:
            spans.append(f'<i style="left:{100 * (call.t - origin) / duration:.2f}%" '
                         f'title="{_e(call.name)} at {call.t - origin:.2f} s"></i>')
    return f'<div class="bar">{"".join(spans)}</div>'


def _step(step: StepResult, origin: float) -> str:
    head = ('<span class="ok">ok</span>' if step.ok else '<span class="fail">FAILED</span>')
    at = f"{(step.started_t or origin) - origin:.2f} s"
    rows = []
    if step.reason:
        rows.append(("why", f'<span class="fail">{_e(step.reason)}</span>'))
    if step.step.expect is not None:
        rows.append(("expected", f"<code>{_e(json.dumps(step.step.expect.as_json()))}</code>"))
    if step.latency_of is not None:
        rows.append(("latency", _e(step.latency() or f"{step.latency_of} latency unknown")))
    if step.latency_of == "tool" and step.response_latency_ms is not None:
        rows.append(("first agent voice", f"{step.response_latency_ms:.0f} ms after the turn"))
    if step.quiet_after_ms is not None:
        rows.append(("cut off", f"the agent quiet at the page {step.quiet_after_ms:.0f} ms "
                                "after its audio was cleared"))
    if step.transcript is not None:
        label = "typed" if step.step.kind == "type" else "upstream heard"
        rows.append((label, _e(step.transcript)))
    elif step.step.kind in ("say", "play"):
        rows.append(("upstream heard", '<span class="muted">nothing</span>'))
    if step.agent:
        rows.append(("agent said", _e(step.agent)))
    if step.dom is not None:
        rows.append(("step's DOM checks", _dom(step.dom)))
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    calls = "".join(_call(call, origin) for call in step.tool_calls)
    css = "step" if step.ok else "step failed"
    return (f'<section class="{css}" id="step-{step.step.index}"><h3>Step {step.step.index}: '
            f"{_e(step.step.describe())} — {head} <small class=muted>at {at}</small></h3>"
            f"<table>{table}</table>{calls}</section>")


_VERDICTS = {"verified": '<span class="ok">verified</span>',
             "not_verified": '<span class="fail">NOT verified</span>'}


def _dom(dom: CheckResult) -> str:
    verdict = _VERDICTS.get(dom.verdict, f'<span class="muted">{_e(dom.verdict)}</span>')
    why = f" — {_e(dom.reason)}" if dom.reason else ""
    return (f"{verdict}{why} <span class=muted>({dom.elapsed_ms:.0f} ms, {dom.reads} "
            f"read{'' if dom.reads == 1 else 's'})</span><br><code>{_e(_observed(dom.observed))}"
            "</code>")


def _observed(observed: Mapping[str, Any]) -> str:
    return (", ".join(f"{k} = {v}" for k, v in observed.items()) or "—")[:400]


def _changes(changes: Mapping[str, Any]) -> str:
    """A call's DOM change summary: the counts, then the samples."""
    counts = [f"{changes[k]} {k}" for k in ("added", "removed", "attributes", "styles", "text")
              if isinstance(changes.get(k), int) and changes[k]]
    samples = [str(s) for s in changes.get("samples") or []][:5]
    line = ", ".join(counts) or "no DOM change"
    return line + "".join(f"<br><code>{_e(sample[:200])}</code>" for sample in samples)


def _call(call: ToolCallResult, origin: float) -> str:
    verdict = _VERDICTS.get(call.verdict, f'<span class="muted">{_e(call.verdict)}</span>')
    latency = "—" if call.latency_ms is None else f"{call.latency_ms:.0f} ms"
    rows = [("tool call", f"<code>{_e(call.name)}</code> at {call.t - origin:.2f} s"),
            ("arguments", f"<code>{_e(json.dumps(call.arguments))}</code>"),
            ("DOM showed", f"<code>{_e(_observed(call.observed))}</code>"),
            ("verified", verdict + (f" — {_e(call.reason)}" if call.reason else "")),
            ("end of turn → verified", latency)]
    if call.changes or call.verdict == "unchecked":
        rows.insert(3, ("DOM changes", _changes(call.changes)))
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    shot = ""
    if call.screenshot:
        data = base64.b64encode(call.screenshot).decode("ascii")
        shot = (f'<p><img class="shot" alt="the page just after {_e(call.name)}" '
                f'src="data:image/jpeg;base64,{data}"></p>')
    return f"<h4>{_e(call.name)}</h4><table>{table}</table>{shot}"


def _events(events: list[Record], origin: float) -> str:
    rows = []
    for record in events:
        if record.dir != "bridge" and record.type not in _TIMELINE_TYPES:
            continue
        rows.append(f"<tr><td>{record.t - origin:8.3f}</td><td>{_e(record.dir)}</td>"
                    f"<td>{_e(record.type)}</td><td><pre>{_e(_detail(record))}</pre></td></tr>")
    return ("<table><tr><th>s</th><th>dir</th><th>event</th><th>detail</th></tr>"
            + "".join(rows) + "</table>")


def _detail(record: Record) -> str:
    ours = read(record)
    if ours is not None:
        return ours.describe()[:300]
    kind, event = record.type, record.event
    if kind == "response.function_call_arguments.done":
        return f"{event.get('name')} {event.get('arguments')}"
    if kind == "conversation.item.input_audio_transcription.completed":
        return f"heard: {event.get('transcript')}"
    if kind in ("response.output_audio_transcript.done", "response.output_text.done"):
        return f"agent: {event.get('transcript') or event.get('text')}"
    if kind == "conversation.item.create":
        item = event.get("item") or {}
        if item.get("type") == "function_call_output":
            return f"output {str(item.get('output'))[:200]}"
        texts = [c.get("text") for c in item.get("content") or [] if isinstance(c, dict)]
        return f"typed: {' '.join(t for t in texts if t)}"
    if kind == "response.done":
        return str((event.get("response") or {}).get("status"))
    if kind == "error":
        return str((event.get("error") or {}).get("message"))
    if record.dir == "bridge":
        return json.dumps(event)[:300]
    return ""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
