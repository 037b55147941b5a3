"""`make bench`: every measurement in one run, a table on stdout, the figures in bench.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .steps import STEPS, BenchSteps
from .table import render

FULL = {"cold_starts": 3, "offers": 100, "loads": 20, "calls": 500, "utterances": 20,
        "user_page_calls": 200, "scale": "1,4,8,16,32", "scale_seconds": 10.0,
        "inspect_seconds": 10.0, "scenario_rounds": 20, "remote_calls": 200}
QUICK = {"cold_starts": 1, "offers": 10, "loads": 3, "calls": 40, "utterances": 3,
         "user_page_calls": 20, "scale": "1,4", "scale_seconds": 4.0, "inspect_seconds": 3.0,
         "scenario_rounds": 4, "remote_calls": 20}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench", description="Measure the bridge with real sessions; print a table and "
        "write bench.json (milliseconds, percent of one core, MiB; units in the key names).")
    parser.add_argument("--quick", action="store_true",
                        help="a few samples of each figure, for trying changes out")
    parser.add_argument("--only", help=f"comma-separated steps to run: {', '.join(STEPS)}")
    parser.add_argument("--cold-starts", type=int, help="`rtc-bridge run` starts (default 3)")
    parser.add_argument("--offers", type=int, help="offers per route (default 100)")
    parser.add_argument("--loads", type=int, help="page loads (default 20)")
    parser.add_argument("--calls", type=int, help="tool round trips (default 500)")
    parser.add_argument("--utterances", type=int, help="spoken commands (default 20)")
    parser.add_argument("--user-page-calls", type=int,
                        help="tool round trips on a user's page and on the bridge's (default 200)")
    parser.add_argument("--scale", help="concurrent sessions per level (default 1,4,8,16,32)")
    parser.add_argument("--scale-seconds", type=float,
                        help="seconds of tool commands (one a second per session) at each scale "
                        "level (default 10)")
    parser.add_argument("--inspect-seconds", type=float,
                        help="seconds of each inspector window: unwatched, watched, idle, "
                        "beside a recording (default 10)")
    parser.add_argument("--scenario-rounds", type=int,
                        help="typed commands through the handle and through a scenario step, "
                        "each (default 20)")
    parser.add_argument("--remote-calls", type=int,
                        help="tool round trips through a browser server and through the local "
                        "browser (default 200)")
    parser.add_argument("--out", type=Path, default=Path("bench.json"), help="figures file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = dict(QUICK if args.quick else FULL)
    for name in options:
        value = getattr(args, name)
        if value is not None:
            options[name] = value
    steps = set(STEPS if not args.only else args.only.split(","))
    levels = [int(n) for n in str(options["scale"]).split(",") if n.strip()]
    figures: dict[str, Any] = {
        "machine": _machine(),
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
    }
    began = time.monotonic()
    bench = BenchSteps(figures, options)
    if "cold" in steps:
        bench.step("cold start", bench.cold_start)
    if steps - {"cold"}:
        bench.with_bridge(steps, levels)
    figures["bench_duration_s"] = round(time.monotonic() - began, 1)
    figures["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    if bench.errors:
        figures["errors"] = bench.errors
    print(render(figures, [n for n in levels if f"scale_{n}_tool_rtt_p95_ms" in figures]))
    print(f"\n{figures['machine']}; load average {figures['load_avg_1m_at_start']} at the start, "
          f"{figures['load_avg_1m_at_end']} at the end; {figures['bench_duration_s']} s")
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if bench.errors else 0


def _machine() -> str:
    return (f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")
