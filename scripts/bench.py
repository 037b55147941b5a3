"""Measures the bridge with real sessions (real Chromium, WebRTC, the embedded engine).

Prints a table and writes bench.json (one key per figure, unit in the name).
Usage: .venv/bin/python scripts/bench.py [--loads N] [--commands N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bridge.config import Settings
from bridge.server import BridgeThread
from bridge.testing import BridgeHandle

COMMANDS = ("change the background color to blue", "make the text white",
            "change the background color to green", "make the text black")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def navigation_to_channel_open(handle: BridgeHandle, loads: int) -> list[float]:
    """Reload issued → the page's session.update, sent when its data channel opens."""
    samples = []
    for _ in range(loads):
        mark = handle.event_log.last_seq
        start = handle.event_log.now()
        handle.reload()
        opened = handle.event_log.wait_for(
            lambda r: r.dir == "client" and r.type == "session.update", timeout_s=10, after=mark)
        samples.append((opened.t - start) * 1000)
    return samples


def typed_command_to_verified(handle: BridgeHandle, count: int) -> list[float]:
    """Text typed and sent in the page → the bridge has verified the DOM change."""
    samples = []
    for index in range(count):
        text = COMMANDS[index % len(COMMANDS)]
        start = handle.event_log.now()
        mark = handle.type(text)
        handle.event_log.wait_for(lambda r: r.type == "bridge.tool_verified"
                                  and r.event.get("verified") is True, timeout_s=10, after=mark)
        record = handle.events(after=mark, type="bridge.tool_verified")[0]
        samples.append((record.t - start) * 1000)
        handle.event_log.wait_for(lambda r: r.type == "response.done" and r.dir == "server"
                                  and (r.event.get("response") or {}).get("output", [{}])[0]
                                  .get("type") == "message", timeout_s=15, after=record.seq)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("bench.json"))
    args = parser.parse_args()
    started = time.monotonic()
    thread = BridgeThread(Settings.from_env(port=0, headless=True, upstream="local")).start()
    try:
        handle = BridgeHandle(thread).wait_ready(timeout_s=60)
        ready_ms = (time.monotonic() - started) * 1000
        nav = navigation_to_channel_open(handle, args.loads)
        typed = typed_command_to_verified(handle, args.commands)
    finally:
        thread.stop()
    figures = {
        "bridge_start_to_ready_ms": round(ready_ms, 1),
        "navigation_to_channel_open_p50_ms": round(statistics.median(nav), 1),
        "navigation_to_channel_open_p99_ms": round(percentile(nav, 99), 1),
        "typed_command_to_verified_p50_ms": round(statistics.median(typed), 1),
        "typed_command_to_verified_p90_ms": round(percentile(typed, 90), 1),
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value:>9.1f}")
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
