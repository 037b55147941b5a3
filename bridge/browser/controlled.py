"""The controlled browser: Playwright → Chromium → a voice page (the bridge's own or a user's),
its network routed, every tool call verified in Python."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from ..config import Settings
from ..errors import BrowserError
from ..events.log import EventLog
from ..events.records import PageLost, PageReopened, PageReopenFailed
from ..tasks import TaskGroup
from ..upstream import Upstream
from .binding import BINDING, PageReports
from .checks.model import ChecksFile
from .chromium import choose_chromium, launch_args, write_silence
from .diagnosis import diagnose
from .microphone import MicrophonePlan
from .network.policy import NetworkPolicy
from .network.relay import OwnOriginRelay
from .network.routing import SignallingRouter
from .page_kinds import PageKind, UserPage, VoicePage
from .remote import connect_browser_server, connect_cdp
from .target import PageTarget
from .tools import ToolRegistry

log = logging.getLogger(__name__)


class ControlledBrowser:
    """Owns one Chromium and its voice page; every tool call the page runs is verified here.

    The page reports through the `bridgeReport(kind, payload)` binding (see `binding`): its
    data-channel events (logged), and for the bridge's own page `tool_call` (gate, run and DOM
    check in one evaluate). What differs for a user's page is in `page_kinds`. Every request
    the page makes goes through the router (`routing`): its signalling is answered by the
    bridge's upstream, the rest let through or blocked. If the page crashes or closes, or
    Chromium dies, it is reopened and reconnects.
    """

    def __init__(
        self, settings: Settings, *, registry: ToolRegistry, event_log: EventLog,
        upstream: Upstream, target: PageTarget | None = None, checks: ChecksFile | None = None,
    ) -> None:
        self._settings = settings
        self._registry = registry
        self._log = event_log
        target = target or PageTarget.from_page(settings.page)
        policy = NetworkPolicy.from_settings(settings)
        # A remote browser's 127.0.0.1 is not this machine: the page's own origin is relayed.
        relay = OwnOriginRelay(settings.base_url) if settings.remote_browser else None
        self.router = SignallingRouter(upstream=upstream, event_log=event_log, policy=policy,
                                       max_offer_bytes=settings.max_offer_bytes, relay=relay)
        typing = settings.type_while_speaking
        base_url = settings.page_base_url
        remote = settings.remote_browser
        self.microphone = MicrophonePlan.from_settings(settings)
        self.kind: PageKind = VoicePage(
            target.url_on(base_url, typing=typing, autoconnect=not remote,
                          microphone=self.microphone),
            click_to_connect=remote) if target.own else UserPage(
                target, base_url=base_url, start=settings.start_selector, checks=checks,
                drop_ice_servers=policy.drop_ice_servers, event_log=event_log,
                session=lambda: self.call_id, upstream_takes_beta=upstream.name == "local",
                typing=typing, microphone=self.microphone)
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
    def own_page(self) -> bool:
        """True for the bridge's own voice page, False for a user's page (`--page`)."""
        return isinstance(self.kind, VoicePage)

    @property
    def remote(self) -> bool:
        """True when the browser is reached (a browser server, or CDP), not launched here."""
        return self._settings.remote_browser

    @property
    def connected(self) -> bool:
        return self.ready.is_set()

    async def start(self) -> None:
        """Launch Chromium and open the voice page, which connects by itself."""
        self._playwright = await async_playwright().start()
        await self._launch()

    async def _launch(self) -> None:
        self._browser = await self._open_browser()
        browser = self._browser
        lost = "the remote browser disconnected" if self.remote else "chromium exited"
        browser.on("disconnected", lambda _: self._recover(lost, browser))
        storage = self._settings.storage_state
        # Service workers are blocked: their requests would not pass through the router.
        self._context = await self._browser.new_context(
            permissions=["microphone"], service_workers="block",
            storage_state=str(storage) if storage is not None else None)
        await self._context.expose_binding(BINDING, self._on_report)
        await self.router.install(self._context)
        await self.kind.prepare(self._context)
        await self._open_page()

    async def _open_browser(self) -> Browser:
        """Launch Chromium here, or reach the one configured elsewhere (`remote`)."""
        assert self._playwright is not None
        chromium, settings = self._playwright.chromium, self._settings
        if settings.cdp_url is not None:
            self.source = "remote"
            return await connect_cdp(chromium, settings.cdp_url)
        if settings.browser_ws is not None:
            self.source = "remote"
            # No microphone file: it would be a path on the bridge's machine (see `remote`).
            return await connect_browser_server(
                chromium, settings.browser_ws, headless=settings.headless,
                args=launch_args(fake_mic=None, extra=settings.chromium_args),
                executable=settings.chromium_path)
        choice = choose_chromium(settings.chromium_path, chromium.executable_path)
        self.source = choice.source
        mic = settings.mic_file
        if self.microphone.silent_device:
            mic = write_silence(Path(self._tmp.name) / "silence.wav")
        return await chromium.launch(
            **choice.launch_options(), headless=settings.headless,
            args=launch_args(fake_mic=mic, extra=settings.chromium_args),
            # The bridge closes Chromium itself on Ctrl-C / SIGTERM; Playwright's driver, in
            # the same process group, would otherwise close it first, mid-shutdown.
            handle_sigint=False, handle_sigterm=False, handle_sighup=False,
        )

    async def _open_page(self) -> None:
        assert self._context is not None
        self.ready.clear()
        page = await self._context.new_page()
        page.on("crash", lambda _: self._recover("the page crashed", page))
        page.on("close", lambda _: self._recover("the page was closed", page))
        page.on("console", self._on_console)
        self._page = page
        self._reports = PageReports(page, registry=self._registry, event_log=self._log,
                                    on_event=self._on_event,
                                    call_for_ufrag=self.router.call_for_ufrag)
        await self.kind.open(page, ready=self.ready.set)

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

    async def _reopen(self, why: str) -> None:
        # A browser server may take a few seconds to come back: one more, longer wait for it.
        attempts = 5 if self.remote else 4
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
        self.kind.on_event(direction, event)

    async def type_text(self, text: str) -> None:
        """Send a typed message: into the bridge's own page's text box, or as a user message
        on a user's page's own channel."""
        await self.kind.type_text(text)

    async def diagnose(self) -> list[str]:
        """What the page has done so far: for saying why it has not connected."""
        return await diagnose(self._page, self.router.requests(),
                              instrumented=isinstance(self.kind, UserPage))

    async def wait_connected(self, timeout_s: float) -> None:
        """Return once the page is connected; BrowserError saying what it did otherwise."""
        try:
            await asyncio.wait_for(self.ready.wait(), timeout_s)
        except TimeoutError:
            lines = await self.diagnose()
            raise BrowserError(f"the page did not connect within {timeout_s:g} s: "
                               + "; ".join(line.strip() for line in lines)) from None

    async def declare_checks(self, checks: ChecksFile | None) -> None:
        """Check a user's page's tools with `checks` from the next call on (None: no checks,
        every call `unchecked`)."""
        if not isinstance(self.kind, UserPage):
            raise BrowserError("the bridge's own page verifies its tools itself; declared "
                               "checks are for your own page (--page)")
        await self.kind.declare_checks(checks)

    async def reload(self) -> None:
        """Load the page afresh (a fresh DOM, a new call), as when it was first opened."""
        self.ready.clear()
        await self.kind.open(self.page, ready=self.ready.set)

    async def reconnect(self) -> None:
        """End the page's call and make a new one: the bridge's own page keeps its DOM, a user's
        page is loaded afresh (the bridge knows no other way to make it hang up)."""
        self.ready.clear()
        await self.kind.reconnect()

    async def aclose(self) -> None:
        """Close page, context, Chromium and Playwright. Safe to call twice."""
        self._closing = True
        await self._tasks.aclose()
        await self.kind.close()
        for closer in (self._context, self._browser):
            if closer is not None:
                try:
                    await closer.close()
                except Exception:  # already closed by a crash or by Chromium exiting
                    log.debug("close skipped", exc_info=True)
        self._context = self._browser = self._page = None
        await self.router.aclose()
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
        self._tmp.cleanup()

