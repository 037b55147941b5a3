"""CPU and memory of the bridge process (with its Playwright driver and decoder workers) and of
Chromium, from /proc through psutil."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psutil

MIB = 1024 * 1024


def _processes(exclude: frozenset[int] = frozenset()
               ) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """(bridge, chromium): this process and its descendants, Chromium's apart; `exclude` (and
    their descendants) left out."""
    me = psutil.Process(os.getpid())
    bridge: list[psutil.Process] = [me]
    chromium: list[psutil.Process] = []
    left_out = set(exclude)
    for child in me.children(recursive=True):
        try:
            if child.pid in left_out or child.ppid() in left_out:
                left_out.add(child.pid)
                continue
            name = child.name().lower()
        except psutil.Error:
            continue
        (chromium if "chrom" in name else bridge).append(child)
    return bridge, chromium


def _cpu_s(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        seconds[process.pid] = times.user + times.system
    return seconds


def _memory_mib(processes: list[psutil.Process]) -> float:
    """Proportional set size summed (shared pages split between their processes), else RSS."""
    total = 0
    for process in processes:
        try:
            info = process.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except psutil.AccessDenied:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total / MIB


@dataclass(frozen=True)
class Usage:
    bridge_cpu_pct: float
    chromium_cpu_pct: float
    bridge_mib: float
    chromium_mib: float


class CpuMeter:
    """CPU used between `start()` and `stop()`, in percent of one core (200 = two cores busy);
    processes in `exclude` (e.g. a client standing for another machine) are not counted."""

    def __init__(self, *, exclude: frozenset[int] = frozenset()) -> None:
        self._exclude = exclude

    def start(self) -> CpuMeter:
        self._bridge, self._chromium = _processes(self._exclude)
        self._began = time.monotonic()
        self._before = _cpu_s(self._bridge), _cpu_s(self._chromium)
        return self

    def stop(self) -> Usage:
        wall_s = max(1e-6, time.monotonic() - self._began)
        bridge, chromium = _processes(self._exclude)
        after = _cpu_s(bridge), _cpu_s(chromium)
        used = [sum(now - before.get(pid, 0.0) for pid, now in current.items())
                for before, current in zip(self._before, after, strict=True)]
        return Usage(bridge_cpu_pct=100 * used[0] / wall_s, chromium_cpu_pct=100 * used[1] / wall_s,
                     bridge_mib=_memory_mib(bridge), chromium_mib=_memory_mib(chromium))


def process_kind(process: psutil.Process, *, chromium: bool) -> str:
    """`bridge`, `bridge worker` (a process the bridge started: decoders, Playwright's
    driver), or Chromium's process type (`browser`, `renderer`, `gpu-process`, `utility:
    audio.mojom.AudioService`…) from its command line."""
    if not chromium:
        return "bridge" if process.pid == os.getpid() else "bridge worker"
    args = process.cmdline()
    kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "browser")
    sub = next((a.split("=", 1)[1] for a in args if a.startswith("--utility-sub-type=")), None)
    return f"{kind}: {sub}" if sub else kind


def cpu_seconds_by_process() -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process of the bridge and its Chromium, with its kind."""
    bridge, chromium = _processes()
    seconds: dict[int, tuple[str, float]] = {}
    for group, is_chromium in ((bridge, False), (chromium, True)):
        for process in group:
            try:
                kind = process_kind(process, chromium=is_chromium)
                times = process.cpu_times()
            except psutil.Error:
                continue
            seconds[process.pid] = (kind, times.user + times.system)
    return seconds


def cpu_seconds_by_kind_between(before: dict[int, tuple[str, float]],
                                after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """The CPU seconds each kind of process used between two `cpu_seconds_by_process`: a process
    that exited meanwhile is left out (what it used is not known), one that started counts all."""
    used: dict[str, float] = {}
    for pid, (kind, total) in after.items():
        used[kind] = used.get(kind, 0.0) + total - before.get(pid, (kind, 0.0))[1]
    return used


def settle_cpu(*, within_pct: float = 5.0, budget_s: float = 20.0) -> None:
    """Block until two one-second windows cost about the same (or `budget_s` passed): a bridge
    just started is still warming its decoders, which would count against a floor. Call it off
    the bridge's loop."""
    deadline = time.monotonic() + budget_s
    last = None
    while time.monotonic() < deadline:
        meter = CpuMeter().start()
        time.sleep(1.0)
        usage = meter.stop()
        total = usage.bridge_cpu_pct + usage.chromium_cpu_pct
        if last is not None and abs(total - last) <= within_pct:
            return
        last = total
