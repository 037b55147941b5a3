"""The inspector's cost, against floors measured in the same run.

The bench bridge's page is kept changing (an animation at every frame, `ANIMATE`), so that a
screencast has something to send. Then, each for the same time:
- the floor: CPU (the bridge process and Chromium) with nobody watching;
- watched: one watcher reads the inspector's stream from a process of its own, as a browser on
  another machine would (its own CPU is not counted): frames a second, their size, the CPU;
- idle: nobody watching again, once the watcher left: what the inspector still costs, and the
  frames it captured while unwatched (none, by design);
- beside a recording: a demo recording (`PageRecorder`, a screencast of its own) alone, then
  with the watcher: each one's frames a second against its own alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from ...demo.recording import PageRecorder
from ...drive.handle import BridgeHandle
from ...inspect.screencast import Screencast
from .pages import ANIMATE
from .resources import CpuMeter, Usage, settle_cpu
from .stats import ratio, rounded

__all__ = ["inspector_figures"]

# A watcher in a process of its own: reads the stream for WARM + SECONDS, counts the frames of
# the last SECONDS, prints them as JSON.
WATCHER = """
import json, sys, time, httpx
url, warm_s, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
frames = size = 0
event = ""
with httpx.stream("GET", url, timeout=30, trust_env=False) as response:
    response.raise_for_status()
    began = time.monotonic()
    for line in response.iter_lines():
        elapsed = time.monotonic() - began
        if elapsed >= warm_s + seconds:
            break
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "frame" and elapsed >= warm_s:
            frames += 1
            size += (len(line) - 6) * 3 // 4
print(json.dumps({"frames": frames, "bytes": size}))
"""
WARM_S = 1.0
UNWATCHED_S = 5.0  # the longest the screencast may take to stop once its watcher left


def inspector_figures(handle: BridgeHandle, seconds: float) -> dict[str, Any]:
    """The inspector's figures, each window `seconds` long (see the module's docstring)."""
    inspector = handle.server.bridge.inspector
    if inspector is None or inspector.screencast is None:
        raise RuntimeError("the bench's bridge has no inspector (BRIDGE_INSPECT=0?)")
    cast = inspector.screencast
    handle.evaluate(ANIMATE)
    settle_cpu()
    stream_url = f"{handle.url}/inspect/stream"
    floor, floor_frames = _unwatched(cast, seconds)
    watched, seen = _watched(stream_url, seconds)
    _wait_unwatched(cast)
    idle, idle_frames = _unwatched(cast, seconds)
    fps = seen["frames"] / seconds
    figures = _cpu_figures(floor, watched, idle)
    figures.update({
        "inspect_fps": rounded(fps, 1),
        "inspect_frame_kib": rounded(seen["bytes"] / max(1, seen["frames"]) / 1024, 1),
        "inspect_frames_count": seen["frames"],
        "inspect_idle_frames_count": floor_frames + idle_frames,
    })
    figures.update(_beside_recording(handle, stream_url, seconds, fps))
    return figures


def _unwatched(cast: Screencast, seconds: float) -> tuple[Usage, int]:
    """CPU over `seconds` with nobody watching, and the frames captured meanwhile."""
    before = cast.frames_captured
    meter = CpuMeter().start()
    time.sleep(seconds)
    return meter.stop(), cast.frames_captured - before


def _watched(stream_url: str, seconds: float) -> tuple[Usage, dict[str, int]]:
    """CPU over `seconds` while a watcher process reads the stream (its warm-up apart)."""
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, stream_url, str(WARM_S),
                                str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(WARM_S)
        meter = CpuMeter(exclude=frozenset({watcher.pid})).start()
        out, _ = watcher.communicate(timeout=seconds + 30)
        usage = meter.stop()
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    if watcher.returncode != 0:
        raise RuntimeError(f"the inspector's watcher failed (exit {watcher.returncode})")
    seen: dict[str, int] = json.loads(out)
    return usage, seen


def _wait_unwatched(cast: Screencast) -> None:
    deadline = time.monotonic() + UNWATCHED_S
    while cast.casting or cast.watchers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the screencast still ran {UNWATCHED_S:g} s after its watcher left")
        time.sleep(0.05)


def _cpu_figures(floor: Usage, watched: Usage, idle: Usage) -> dict[str, Any]:
    def total(usage: Usage) -> float:
        return usage.bridge_cpu_pct + usage.chromium_cpu_pct

    return {
        "inspect_floor_bridge_cpu_pct": rounded(floor.bridge_cpu_pct, 1),
        "inspect_floor_chromium_cpu_pct": rounded(floor.chromium_cpu_pct, 1),
        "inspect_watched_bridge_cpu_pct": rounded(watched.bridge_cpu_pct, 1),
        "inspect_watched_chromium_cpu_pct": rounded(watched.chromium_cpu_pct, 1),
        "inspect_watched_cost_cpu_pct": rounded(total(watched) - total(floor), 1),
        "inspect_watched_over_floor_ratio": rounded(ratio(total(watched), total(floor))),
        "inspect_idle_cpu_pct": rounded(total(idle) - total(floor), 1),
    }


def _beside_recording(handle: BridgeHandle, stream_url: str, seconds: float,
                      inspect_fps: float) -> dict[str, Any]:
    """A recording's frames a second alone, then beside the watcher; the watcher's beside it."""
    alone = _recorded_fps(handle, lambda: time.sleep(seconds))
    seen: dict[str, int] = {}
    beside = _recorded_fps(handle, lambda: seen.update(_watched(stream_url, seconds)[1]))
    watcher_fps = seen["frames"] / seconds
    return {
        "recording_alone_fps": rounded(alone, 1),
        "recording_beside_inspect_fps": rounded(beside, 1),
        "inspect_beside_recording_fps": rounded(watcher_fps, 1),
        "recording_beside_inspect_ratio": rounded(ratio(beside, alone)),
        "inspect_beside_recording_ratio": rounded(ratio(watcher_fps, inspect_fps)),
    }


def _recorded_fps(handle: BridgeHandle, during: Callable[[], None]) -> float:
    recorder = PageRecorder(handle.page, handle.event_log)
    handle.run(recorder.start)
    try:
        during()
    finally:
        capture = handle.run(recorder.stop)
    return len(capture.frames) / max(1e-6, capture.duration_s)
