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
