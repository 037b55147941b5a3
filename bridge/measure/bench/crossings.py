"""What one crossing between the bridge and its page costs, in the same run as the tool round
trip: the two crossings that round trip cannot do without.

A tool call on the bridge's page crosses twice: the page calls the bridge's binding (gate, run
and read are one step behind it), and the bridge runs the tool and reads the DOM back in one
`evaluate`. Each goes Python ↔ Playwright's driver ↔ Chromium. Measured bare here — a binding
the bridge answers with nothing, an `evaluate` that returns at once — they are the floor that
the verified round trip is set against, beside the data channel's raw echo.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.async_api import Page

from .stats import rounded, summary

CROSSINGS_COUNT = 200

# The page's own clock times its binding calls; an unknown kind is answered with nothing.
BINDING_ROUND_TRIPS = """async (count) => {
  const out = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await window.bridgeReport("bench_crossing", 0);
    out.push(performance.now() - started);
  }
  return out;
}"""


async def crossing_figures(page: Page, count: int) -> dict[str, Any]:
    """p50 / p99 of a bare `evaluate` (timed here) and a bare binding call (timed in the
    page), `count` of each after a few to warm up."""
    await page.evaluate(BINDING_ROUND_TRIPS, 5)
    bindings: list[float] = await page.evaluate(BINDING_ROUND_TRIPS, count)
    evaluates: list[float] = []
    for _ in range(count + 5):
        started = time.perf_counter()
        await page.evaluate("() => 0")
        evaluates.append((time.perf_counter() - started) * 1000)
    figures = {**summary("evaluate_rtt", evaluates[5:], 50, 99),
               **summary("binding_rtt", bindings, 50, 99)}
    evaluate, binding = figures["evaluate_rtt_p50_ms"], figures["binding_rtt_p50_ms"]
    figures["crossings_p50_ms"] = (None if evaluate is None or binding is None
                                   else rounded(evaluate + binding))
    return figures
