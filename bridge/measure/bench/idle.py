"""What a connected session costs while nobody speaks: `n` more voice pages of the bridge's own,
each with its microphone live (sending silence) and the engine's turn detection on, no
recording and nobody watching the inspector.

The CPU of the bridge's and Chromium's process trees is metered over `measure_s` before the
pages open and again `settle_s` after they connected; the difference divided by `n` is the idle
cost of one session, in percent of one core. Memory per session is the difference of their
proportional set sizes, divided the same way.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .pages import BenchPage
from .resources import CpuMeter, Usage, cpu_seconds_by_kind

__all__ = ["idle_figures"]


async def _usage_over(seconds: float) -> tuple[Usage, dict[str, float]]:
    """The usage over `seconds`, and each kind of process's share in percent of one core."""
    meter = CpuMeter().start()
    kinds = cpu_seconds_by_kind()
    await asyncio.sleep(seconds)
    usage, after = meter.stop(), cpu_seconds_by_kind()
    return usage, {kind: 100 * (after[kind] - kinds.get(kind, 0.0)) / seconds for kind in after}


async def idle_figures(bridge: Any, chromium: Any, url: str, *, sessions: int = 8,
                       settle_s: float = 5.0, measure_s: float = 10.0) -> dict[str, Any]:
    """The idle cost of a session on `bridge` (its Chromium `chromium`, its page at `url`)."""
    before, kinds_before = await _usage_over(measure_s)
    opened = await asyncio.gather(*(
        BenchPage.open(chromium, url, registry=bridge.registry, event_log=bridge.event_log)
        for _ in range(sessions)), return_exceptions=True)
    pages = [page for page in opened if isinstance(page, BenchPage)]
    try:
        if len(pages) < sessions:
            failure = next(r for r in opened if isinstance(r, BaseException))
            raise RuntimeError(f"{sessions - len(pages)} of {sessions} idle sessions could not "
                               f"connect: {failure!r}")
        await asyncio.sleep(settle_s)
        during, kinds_during = await _usage_over(measure_s)
    finally:
        await asyncio.gather(*(page.close() for page in pages), return_exceptions=True)
    n = float(sessions)
    bridge_pct = (during.bridge_cpu_pct - before.bridge_cpu_pct) / n
    chromium_pct = (during.chromium_cpu_pct - before.chromium_cpu_pct) / n
    return {
        "idle_sessions_count": sessions,
        "idle_session_cpu_pct": round(bridge_pct + chromium_pct, 2),
        "idle_session_bridge_cpu_pct": round(bridge_pct, 2),
        "idle_session_chromium_cpu_pct": round(chromium_pct, 2),
        "idle_baseline_cpu_pct": round(before.bridge_cpu_pct + before.chromium_cpu_pct, 1),
        "idle_session_mib": round((during.bridge_mib + during.chromium_mib
                                   - before.bridge_mib - before.chromium_mib) / n, 1),
        # Where a session's idle cost goes, by kind of process (percent of one core each).
        "idle_session_cpu_pct_by_process": {
            kind: round((pct - kinds_before.get(kind, 0.0)) / n, 2)
            for kind, pct in sorted(kinds_during.items(), key=lambda item: -item[1])},
    }
