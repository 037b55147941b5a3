"""What a connected session costs while nobody speaks: `n` more voice pages of the bridge's own,
each with its microphone live and the engine's turn detection on, no recording and nobody
watching the inspector. The pages treat their microphone as the controlled page does: paused
between clips by default with the embedded engine (`--idle-microphone`); where they pause, the
same is measured again with the microphone sending its silence (Opus DTX), as
`idle_sending_session_*`.

The CPU of the bridge's and Chromium's process trees is metered over `measure_s` before the
pages open and again `settle_s` after they connected; the difference divided by `n` is the idle
cost of one session, in percent of one core. Memory per session is the difference of their
proportional set sizes, divided the same way.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ...browser.microphone import PAUSE_IDLE_PARAM
from .pages import BenchPage
from .resources import CpuMeter, Usage, cpu_seconds_by_kind_between, cpu_seconds_by_process

__all__ = ["idle_figures", "idle_figures_both_ways"]

_SENDING_KEYS = ("idle_session_cpu_pct", "idle_session_bridge_cpu_pct",
                 "idle_session_chromium_cpu_pct", "idle_session_cpu_pct_by_process")


async def idle_figures_both_ways(bridge: Any, chromium: Any, url: str) -> dict[str, Any]:
    """`idle_figures` for pages at `url` (the controlled page's address), and if they pause
    their microphone, for the same pages sending silence instead."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    figures = await idle_figures(bridge, chromium, url)
    figures["idle_microphone"] = "pause" if (PAUSE_IDLE_PARAM, "1") in query else "send"
    if figures["idle_microphone"] == "pause":
        sending = parts._replace(query=urlencode([q for q in query if q[0] != PAUSE_IDLE_PARAM]))
        again = await idle_figures(bridge, chromium, sending.geturl())
        figures.update({key.replace("idle_session", "idle_sending_session"): again[key]
                        for key in _SENDING_KEYS})
    return figures


async def _usage_over(seconds: float) -> tuple[Usage, dict[str, float]]:
    """The usage over `seconds`, and each kind of process's share in percent of one core."""
    meter = CpuMeter().start()
    before = cpu_seconds_by_process()
    await asyncio.sleep(seconds)
    usage, used = meter.stop(), cpu_seconds_by_kind_between(before, cpu_seconds_by_process())
    return usage, {kind: 100 * cpu_s / seconds for kind, cpu_s in used.items()}


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
