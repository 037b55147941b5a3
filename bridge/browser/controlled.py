"""The controlled browser: Playwright → Chromium → the voice page, with calls verified in Python."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from ..config import Settings
from ..events.log import EventLog
from ..events.records import PageLost, PageReopened, PageReopenFailed
from ..tasks import TaskGroup
from .binding import BINDING, PageReports
from .chromium import choose_chromium, launch_args, write_silence
from .tools import ToolRegistry

log = logging.getLogger(__name__)


class ControlledBrowser:
    """Owns one Chromium and its voice page; every tool call the page runs is verified here.

    The page calls the `bridgeReport(kind, payload)` binding (see `binding`): batches of
    data-channel events (logged), and `tool_call` (gate, run and DOM check in one evaluate).
    If the page crashes or closes, or Chromium dies, it is reopened and reconnects.
    """

    def __init__(
        self, settings: Settings, *, registry: ToolRegistry, event_log: EventLog, url: str
    ) -> None:
        self._settings = settings
        self._registry = registry
        self._log = event_log
        self._url = url
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._reports: PageReports | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="rtc-bridge-")
        self._closing = False
        self._recovering = False
        self._tasks = TaskGroup(name="controlled browser")
        self._relaunched = False
        self.call_id: str | None = None
        # Created outside any loop; asyncio.Event binds to the loop that first waits on it.
        self.ready = asyncio.Event()
        self.source = ""

    @property
    def page(self) -> Page:
        if self._page is None:
            raise RuntimeError("the controlled page is not open")
        return self._page

    @property
    def connected(self) -> bool:
        return self.ready.is_set()

    async def start(self) -> None:
        """Launch Chromium and open the voice page, which connects by itself."""
        self._playwright = await async_playwright().start()
        await self._launch()

    async def _launch(self) -> None:
        assert self._playwright is not None
        chromium = self._playwright.chromium
        choice = choose_chromium(self._settings.chromium_path, chromium.executable_path)
        self.source = choice.source
        mic = self._settings.mic_file
        if mic is None and (self._settings.headless or not self._settings.room_mic):
            mic = write_silence(Path(self._tmp.name) / "silence.wav")
        self._browser = await chromium.launch(
            **choice.launch_options(),
            headless=self._settings.headless,
            args=launch_args(fake_mic=mic, extra=self._settings.chromium_args),
            # The bridge closes Chromium itself on Ctrl-C / SIGTERM; Playwright's driver, in
            # the same process group, would otherwise close it first, mid-shutdown.
            handle_sigint=False, handle_sigterm=False, handle_sighup=False,
        )
        browser = self._browser
        browser.on("disconnected", lambda _: self._recover("chromium exited", browser))
        self._context = await self._browser.new_context(permissions=["microphone"])
        await self._context.expose_binding(BINDING, self._on_report)
        await self._open_page()

    async def _open_page(self) -> None:
        assert self._context is not None
        self.ready.clear()
        page = await self._context.new_page()
        page.on("crash", lambda _: self._recover("the page crashed", page))
        page.on("close", lambda _: self._recover("the page was closed", page))
        page.on("console", self._on_console)
        self._page = page
        self._reports = PageReports(page, registry=self._registry, event_log=self._log,
                                    on_event=self._on_event)
        await page.goto(f"{self._url}/?autoconnect=1")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            log.warning("page console: %s", message.text)

    def _recover(self, why: str, source: object) -> None:
        # One recovery at a time, and only for the current page or browser: closing a crashed
        # page, or Chromium dying, fires more events, which must not start a second one.
        if self._closing or self._recovering or source not in (self._page, self._browser):
            return
        self._recovering = True
        self.ready.clear()
        self._log.append_bridge(PageLost(reason=why), session=self.call_id)
        self._tasks.spawn(self._reopen(why))

    async def _reopen(self, why: str, *, attempts: int = 4) -> None:
        try:
            for attempt in range(attempts):
                try:
                    await self._replace_page()
                except Exception as err:  # e.g. Chromium died while its page was reopened
                    log.warning("reopening the controlled page after %s failed: %s", why, err)
                    if attempt == attempts - 1:
                        self._log.append_bridge(PageReopenFailed(reason=why, error=str(err)),
                                                session=self.call_id)
                        return
                    await asyncio.sleep(0.5 * 2**attempt)
                else:
                    self._log.append_bridge(
                        PageReopened(reason=why, browser_relaunched=self._relaunched),
                        session=self.call_id)
                    return
        finally:
            self._recovering = False

    async def _replace_page(self) -> None:
        self._relaunched = not (self._browser is not None and self._browser.is_connected())
        if self._relaunched:
            old = self._browser
            self._browser = self._context = self._page = None
            if old is not None:
                try:
                    await old.close()  # gone already; this only releases Playwright's side
                except Exception:
                    log.debug("closing the dead browser failed", exc_info=True)
            await self._launch()
            return
        old_page = self._page
        if old_page is not None and not old_page.is_closed():
            await old_page.close()
        await self._open_page()

    async def _on_report(self, source: Any, kind: str, payload: Any) -> Any:
        reports = self._reports
        if reports is None:
            return {"allowed": False, "verified": False, "reason": "the bridge is not ready"}
        return await reports.handle(kind, payload)

    def _on_event(self, direction: str, event: dict[str, Any]) -> None:
        if self._reports is not None:
            self.call_id = self._reports.call_id
        if direction == "server" and event.get("type") == "session.updated":
            self.ready.set()

    async def type_text(self, text: str) -> None:
        """Send a typed message as a person would: fill the text box, press send."""
        page = self.page
        await page.get_by_test_id("message-input").fill(text)
        await page.get_by_test_id("send-button").click()

    async def aclose(self) -> None:
        """Close page, context, Chromium and Playwright. Safe to call twice."""
        self._closing = True
        await self._tasks.aclose()
        if self._page is not None and not self._page.is_closed():
            try:
                await self._page.evaluate("() => window.rtcBridge && window.rtcBridge.disconnect()")
            except Exception:  # the page may already be gone; closing continues regardless
                log.debug("page disconnect skipped", exc_info=True)
        for closer in (self._context, self._browser):
            if closer is not None:
                try:
                    await closer.close()
                except Exception:  # already closed by a crash or by Chromium exiting
                    log.debug("close skipped", exc_info=True)
        self._context = self._browser = self._page = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
        self._tmp.cleanup()

