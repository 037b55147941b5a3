"""The benchmark's arithmetic and its table."""

from __future__ import annotations

from typing import cast

import psutil
import pytest

from bridge.measure.bench.probe import round_trip_figures
from bridge.measure.bench.resources import cpu_seconds_by_kind_between, process_kind
from bridge.measure.bench.stats import percentile, ratio, summary
from bridge.measure.bench.table import render


def test_percentiles_interpolate_between_samples() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(values, 50) == 30.0
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 50.0
    assert percentile(values, 90) == pytest.approx(46.0)
    assert percentile(list(reversed(values)), 25) == 20.0
    assert percentile([], 50) is None


def test_summary_keys_carry_the_unit_and_ratio_guards_zero() -> None:
    assert summary("tool_rtt", [1.0, 3.0], 50, 99) == {"tool_rtt_p50_ms": 2.0,
                                                       "tool_rtt_p99_ms": 2.98}
    assert ratio(6.0, 2.0) == 3.0
    assert ratio(None, 2.0) is None and ratio(1.0, 0.0) is None


def test_table_marks_goals_met_and_missed() -> None:
    figures = {"tool_rtt_p50_ms": 8.0, "tool_rtt_p99_ms": 55.0, "silence_window_ms": 500,
               "voice_to_action_p50_ms": 640.0, "scale_1_tool_rtt_p95_ms": 12.0}
    lines = render(figures, [1]).splitlines()
    row = {line.split("  ")[0]: line for line in lines}
    assert row["tool round trip (p50)"].endswith("yes")
    assert row["tool round trip (p99)"].endswith("NO")
    assert row["voice → verified action (p50, p90)"].endswith("yes")
    assert row["rtc-connect answer (p50, p99)"].endswith("—")
    assert lines[-1].split()[:3] == ["1", "—", "12.00"]


def test_the_inspectors_rows_hold_it_to_its_figures() -> None:
    figures = {"inspect_fps": 4.0, "inspect_idle_cpu_pct": 0.4, "inspect_idle_frames_count": 3}
    row = {line.split("  ")[0]: line for line in render(figures, []).splitlines()}
    assert row["inspector watched: frames a second"].endswith("NO")
    assert row["inspector unwatched: CPU over floor"].endswith("yes")
    assert row["inspector unwatched: frames captured"].endswith("NO")
    figures = {"inspect_fps": 15.0, "inspect_idle_cpu_pct": 1.5, "inspect_idle_frames_count": 0}
    row = {line.split("  ")[0]: line for line in render(figures, []).splitlines()}
    assert row["inspector watched: frames a second"].endswith("yes")
    assert row["inspector unwatched: CPU over floor"].endswith("NO")
    assert row["inspector unwatched: frames captured"].endswith("yes")


def test_idle_cost_sessions_per_core_and_the_load_of_each_step_are_shown() -> None:
    figures = {"idle_session_cpu_pct": 6.2, "idle_session_bridge_cpu_pct": 0.6,
               "idle_session_chromium_cpu_pct": 5.6, "idle_session_mib": 70.0,
               "sessions_per_core_within_100ms": 4.0,
               "load_avg_1m_by_step": {"tool round trip": 1.5, "idle sessions": 2.25}}
    table = render(figures, [])
    idle = next(line for line in table.splitlines() if line.startswith("idle session: CPU"))
    assert "6.20 / 0.60 / 5.60 %" in idle and idle.endswith("NO")
    per_core = next(line for line in table.splitlines() if "per usable core" in line)
    assert "4" in per_core and per_core.endswith("NO")
    assert table.splitlines()[-1] == ("load average (1 min) at the end of each step: "
                                      "tool round trip 1.5, idle sessions 2.25")
    assert render({"idle_session_cpu_pct": 2.5}, []).count("≤ 3              yes") == 1


def test_process_kinds_come_from_chromiums_command_line() -> None:
    class Proc:
        pid = 1

        def __init__(self, *args: str) -> None:
            self.args = ["chromium", *args]

        def cmdline(self) -> list[str]:
            return self.args

    def kind(*args: str) -> str:
        return process_kind(cast(psutil.Process, Proc(*args)), chromium=True)

    assert kind("--type=renderer") == "renderer"
    assert kind("--type=utility", "--utility-sub-type=audio.mojom.AudioService") == (
        "utility: audio.mojom.AudioService")
    assert kind("--headless") == "browser"


def test_the_tool_round_trip_is_set_against_the_echo_and_the_bare_crossings() -> None:
    crossings = {"evaluate_rtt_p50_ms": 4.0, "binding_rtt_p50_ms": 3.0, "crossings_p50_ms": 7.0}
    figures = round_trip_figures([14.0, 14.0, 20.0], 1, [2.0, 2.0], crossings)
    assert figures["tool_rtt_p50_ms"] == 14.0 and figures["tool_rtt_failed_count"] == 1
    assert figures["tool_rtt_over_echo_ratio"] == 7.0
    assert figures["tool_rtt_over_crossings_ratio"] == 2.0
    row = {line.split("  ")[0]: line for line in render(figures, []).splitlines()}
    assert row["bare crossings: evaluate, binding (p50)"].split()[-4:-1] == ["4.00", "/", "3.00"]
    assert row["tool round trip / both crossings (p50)"].split()[-2] == "2.00"


def test_cpu_by_kind_leaves_out_processes_that_exited_and_counts_new_ones_whole() -> None:
    before = {1: ("renderer", 10.0), 2: ("renderer", 50.0), 3: ("bridge", 4.0)}
    after = {1: ("renderer", 10.5), 3: ("bridge", 4.25), 4: ("renderer", 0.5)}
    # Process 2 exited: its 50 s must not come out as a negative share.
    assert cpu_seconds_by_kind_between(before, after) == {"renderer": 1.0, "bridge": 0.25}
