"""The printed table: each figure with its goal and whether this run met it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Figures = Mapping[str, Any]


@dataclass(frozen=True)
class Row:
    label: str
    keys: tuple[str, ...]
    unit: str
    goal: str = ""
    met: Callable[[Figures], bool | None] | None = None


def _at_most(key: str, limit: float) -> Callable[[Figures], bool | None]:
    def check(figures: Figures) -> bool | None:
        value = figures.get(key)
        return None if value is None else bool(value <= limit)
    return check


def _at_least(key: str, floor: float) -> Callable[[Figures], bool | None]:
    def check(figures: Figures) -> bool | None:
        value = figures.get(key)
        return None if value is None else bool(value >= floor)
    return check


def _voice_goal(figures: Figures) -> bool | None:
    value, silence = figures.get("voice_to_action_p50_ms"), figures.get("silence_window_ms")
    return None if value is None or silence is None else bool(value <= silence + 150)


def _sessions_goal(figures: Figures) -> bool | None:
    value = figures.get("scale_sessions_within_100ms_count")
    return None if value is None else bool(value >= 16)


ROWS = (
    Row("cold start: rtc-bridge run → ready (p50, max)", ("cold_start_p50_ms", "cold_start_max_ms"),
        "ms", "≤ 3000", _at_most("cold_start_p50_ms", 3000)),
    Row("rtc-connect answer (p50, p99)", ("rtc_connect_p50_ms", "rtc_connect_p99_ms"), "ms",
        "p50 ≤ 50", _at_most("rtc_connect_p50_ms", 50)),
    Row("/v1/realtime/calls answer (p50, p99)", ("calls_direct_p50_ms", "calls_direct_p99_ms"),
        "ms"),
    Row("proxy overhead: rtc-connect / direct (p50)", ("proxy_overhead_ratio",), "×"),
    Row("rtc-connect via HTTP upstream (p50, p99)",
        ("rtc_connect_http_upstream_p50_ms", "rtc_connect_http_upstream_p99_ms"), "ms"),
    Row("proxy overhead: via HTTP upstream / direct", ("proxy_overhead_http_upstream_ratio",), "×"),
    Row("navigation → data channel open (p50, p99)",
        ("nav_to_channel_open_p50_ms", "nav_to_channel_open_p99_ms"), "ms", "≤ 150",
        _at_most("nav_to_channel_open_p50_ms", 150)),
    Row("tool round trip (p50)", ("tool_rtt_p50_ms",), "ms", "≤ 10",
        _at_most("tool_rtt_p50_ms", 10)),
    Row("tool round trip (p99)", ("tool_rtt_p99_ms",), "ms", "≤ 40",
        _at_most("tool_rtt_p99_ms", 40)),
    Row("raw data-channel echo (p50, p99)", ("echo_rtt_p50_ms", "echo_rtt_p99_ms"), "ms"),
    Row("tool round trip / echo (p50)", ("tool_rtt_over_echo_ratio",), "×", "≤ 3",
        _at_most("tool_rtt_over_echo_ratio", 3)),
    Row("bare crossings: evaluate, binding (p50)",
        ("evaluate_rtt_p50_ms", "binding_rtt_p50_ms"), "ms"),
    Row("tool round trip / both crossings (p50)", ("tool_rtt_over_crossings_ratio",), "×"),
    Row("voice → verified action (p50, p90)",
        ("voice_to_action_p50_ms", "voice_to_action_p90_ms"), "ms", "≤ silence + 150",
        _voice_goal),
    Row("floor: silence window + decode alone", ("voice_floor_ms",), "ms"),
    Row("browser server / local: tool round trip, voice → action (p50)",
        ("remote_browser_tool_rtt_over_local_ratio", "remote_browser_voice_over_local_ratio"),
        "×"),
    Row("typed tool latency: handle, scenario step (p50)",
        ("scenario_handle_tool_latency_p50_ms", "scenario_runner_tool_latency_p50_ms"), "ms"),
    Row("scenario step / handle (p50)", ("scenario_runner_over_handle_ratio",), "×", "≤ 1.1",
        _at_most("scenario_runner_over_handle_ratio", 1.1)),
    Row("voice → action / floor (p50)", ("voice_to_action_over_floor_ratio",), "×"),
    Row("inspector watched: frames a second", ("inspect_fps",), "/s", "≥ 5",
        _at_least("inspect_fps", 5)),
    Row("inspector watched: CPU − floor (%), ÷ floor (×)",
        ("inspect_watched_cost_cpu_pct", "inspect_watched_over_floor_ratio"), ""),
    Row("inspector unwatched: CPU over floor", ("inspect_idle_cpu_pct",), "%", "≤ 1",
        _at_most("inspect_idle_cpu_pct", 1)),
    Row("inspector unwatched: frames captured", ("inspect_idle_frames_count",), "", "0",
        _at_most("inspect_idle_frames_count", 0)),
    Row("beside each other: recording, inspector / alone",
        ("recording_beside_inspect_ratio", "inspect_beside_recording_ratio"), "×"),
    Row("sessions with tool p95 ≤ 100 ms", ("scale_sessions_within_100ms_count",), "", "≥ 16",
        _sessions_goal),
    Row("… per usable core", ("sessions_per_core_within_100ms",), "", "≥ 8",
        _at_least("sessions_per_core_within_100ms", 8)),
    Row("idle session: CPU (bridge, Chromium)", ("idle_session_cpu_pct",
        "idle_session_bridge_cpu_pct", "idle_session_chromium_cpu_pct"), "%", "≤ 3",
        _at_most("idle_session_cpu_pct", 3)),
    Row("idle session, microphone sending silence: CPU (bridge, Chromium)",
        ("idle_sending_session_cpu_pct", "idle_sending_session_bridge_cpu_pct",
         "idle_sending_session_chromium_cpu_pct"), "%"),
    Row("idle session: memory", ("idle_session_mib",), "MiB"),
)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def render(figures: Figures, levels: list[int]) -> str:
    lines = []
    width = max(len(row.label) for row in ROWS)
    lines.append(f"{'figure':<{width}}  {'value':>18}  {'goal':<16} met")
    for row in ROWS:
        value = " / ".join(_fmt(figures.get(key)) for key in row.keys)
        if row.unit and any(figures.get(key) is not None for key in row.keys):
            value += f" {row.unit}"
        verdict = "" if row.met is None else {True: "yes", False: "NO", None: "—"}[row.met(figures)]
        lines.append(f"{row.label:<{width}}  {value:>18}  {row.goal:<16} {verdict}".rstrip())
    if levels:
        lines.append("")
        lines.append("sessions  tool p50  tool p95  voice p50   bridge CPU  Chromium CPU  "
                     "bridge MiB  Chromium MiB   (CPU: % of one core, per session; "
                     "memory: per session)")
        for n in levels:
            def f(name: str, n: int = n) -> str:
                return _fmt(figures.get(f"scale_{n}_{name}"))
            lines.append(f"{n:>8}  {f('tool_rtt_p50_ms'):>8}  {f('tool_rtt_p95_ms'):>8}  "
                         f"{f('voice_to_action_p50_ms'):>9}  "
                         f"{f('bridge_cpu_pct_per_session'):>10}  "
                         f"{f('chromium_cpu_pct_per_session'):>12}  "
                         f"{f('bridge_rss_mib_per_session'):>10}  "
                         f"{f('chromium_rss_mib_per_session'):>12}")
    loads = figures.get("load_avg_1m_by_step") or {}
    if loads:
        lines.append("")
        lines.append("load average (1 min) at the end of each step: " + ", ".join(
            f"{name} {load:g}" for name, load in loads.items()))
    return "\n".join(lines)
