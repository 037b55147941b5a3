"""The scenario runner's overhead: the same typed command, its tool latency (the typed message
on the channel → the verified call) through the handle API and through a one-step scenario,
taken in turns on one page so that both see the same load; the page answers in text, and each
round starts once the conversation is still.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ...demo.scenario import parse_scenario
from ...demo.session import run_steps
from ...demo.settle import busy_with
from ...drive.handle import BridgeHandle
from ...events.log import Record
from .probe import COMMANDS
from .stats import ratio, rounded, summary

__all__ = ["scenario_overhead_figures"]

# Tool and arguments of each probe command, as a scenario step expects them.
_EXPECTED = {
    "change the background color to blue": ("changeBackgroundColor", "{color: blue}"),
    "make the text white": ("changeTextColor", "{color: white}"),
    "make the button red": ("changeButtonStyle", "{color: red}"),
    "make the button bigger": ("changeButtonStyle", "{size: bigger}"),
}


def scenario_overhead_figures(handle: BridgeHandle, rounds: int) -> dict[str, Any]:
    """`rounds` commands each way; p50/p99 of both and the scenario's p50 over the handle's."""
    handle_ms: list[float] = []
    scenario_ms: list[float] = []
    commands = [c for c in COMMANDS if c in _EXPECTED]
    for n in range(rounds):
        text = commands[n % len(commands)]
        mark = handle.event_log.last_seq
        handle_ms.append(_through_handle(handle, text))
        _still(handle, after=mark)  # as the scenario runner waits after its step
        scenario_ms.append(_through_scenario(handle, text))
    figures = {**summary("scenario_handle_tool_latency", handle_ms, 50, 99),
               **summary("scenario_runner_tool_latency", scenario_ms, 50, 99)}
    figures["scenario_runner_over_handle_ratio"] = rounded(ratio(
        figures["scenario_runner_tool_latency_p50_ms"],
        figures["scenario_handle_tool_latency_p50_ms"]))
    return figures


def _through_handle(handle: BridgeHandle, text: str) -> float:
    tool, _ = _EXPECTED[text]
    mark = handle.type(text)
    sent = handle.event_log.wait_for(_typed, timeout_s=10, after=mark)
    call = handle.wait_for_tool(tool, after=mark, timeout_s=10)
    return (call.t - sent.t) * 1000.0


def _through_scenario(handle: BridgeHandle, text: str) -> float:
    tool, args = _EXPECTED[text]
    scenario = parse_scenario(f"steps:\n  - type: {text}\n    expect: {{tool: {tool}, args: "
                              f"{args}}}\n", path=Path("bench.voice.yaml"))
    [result] = run_steps(handle, scenario, progress=lambda line: None)
    if not result.ok or result.latency_ms is None:
        raise RuntimeError(f"the scenario step {text!r} failed: {result.reason}")
    return result.latency_ms


def _still(handle: BridgeHandle, *, after: int, quiet_s: float = 0.3,
           timeout_s: float = 20.0) -> None:
    """Wait until the agent has answered what came after `after` and the channel has been
    quiet for `quiet_s`, as the scenario runner does after a step."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        records = handle.event_log.records(after=after)
        now = handle.event_log.now()
        if busy_with(records, now=now) is None and (not records or now - records[-1].t >= quiet_s):
            return
        time.sleep(0.05)


def _typed(record: Record) -> bool:
    item = record.event.get("item") or {}
    return (record.dir == "client" and record.type == "conversation.item.create"
            and item.get("type") == "message")
