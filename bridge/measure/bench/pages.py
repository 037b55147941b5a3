"""More voice pages on the bridge's Chromium: one browser context and one call each; and
`ANIMATE`, which keeps a page changing for the measures that need it to.

Each page reports to the bridge through the same binding as the controlled page, so its tool
calls are gated, run and verified the same way and its events go to the same event log.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page

from ...browser.binding import BINDING, PageReports
from ...browser.tools import ToolRegistry
from ...events.log import EventLog

# Makes the controlled page change at every animation frame, as a page with a spinner would.
ANIMATE = """() => {
  const counter = document.createElement("p");
  counter.dataset.testid = "animation";
  document.body.prepend(counter);
  let n = 0;
  (function step() {
    counter.textContent = `frame ${++n}`;
    counter.style.marginLeft = `${n % 200}px`;
    requestAnimationFrame(step);
  })();
}"""


class BenchPage:
    """A voice page in its own browser context, connected through `/api/rtc-connect`: `url` is
    the controlled page's own address, so it connects by itself and treats its microphone the
    same way."""

    def __init__(self, context: BrowserContext, page: Page, reports: PageReports) -> None:
        self.context = context
        self.page = page
        self.reports = reports

    @property
    def call_id(self) -> str | None:
        return self.reports.call_id

    @classmethod
    async def open(
        cls,
        browser: Browser,
        url: str,
        *,
        registry: ToolRegistry,
        event_log: EventLog,
        timeout_s: float = 60.0,
    ) -> BenchPage:
        context = await browser.new_context(permissions=["microphone"])
        try:
            connected = asyncio.Event()
            page = await context.new_page()

            def on_event(direction: str, event: dict[str, Any]) -> None:
                if direction == "server" and event.get("type") == "session.updated":
                    connected.set()

            reports = PageReports(page, registry=registry, event_log=event_log,
                                  on_event=on_event)

            async def report(source: Any, kind: str, payload: Any) -> Any:
                return await reports.handle(kind, payload)

            await context.expose_binding(BINDING, report)
            await page.goto(url)
            await asyncio.wait_for(connected.wait(), timeout_s)
        except BaseException:
            await context.close()
            raise
        return cls(context, page, reports)

    async def close(self) -> None:
        # The page may be gone already; the context closes regardless.
        with contextlib.suppress(Exception):
            await self.page.evaluate("() => window.rtcBridge && window.rtcBridge.disconnect()")
        await self.context.close()
