"""The controlled browser: Playwright → Chromium → the voice page, with calls verified in Python."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from .chromium import choose_chromium, launch_args, write_silence
from .config import Settings
from .eventlog import EventLog
from .tools import ToolRegistry
from .verify import Verifier

log = logging.getLogger(__name__)
BINDING = "bridgeReport"


class ControlledBrowser:
    """Owns one Chromium and its voice page; every tool call the page runs is verified here.

    The page calls the `bridgeReport(kind, payload)` binding: `event` for each data-channel
    event (logged), `tool_before` (registry + schema gate) and `tool_after` (DOM check).
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
        self._verifier: Verifier | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="rtc-bridge-")
        self._closing = False
        self._tasks: set[asyncio.Task[Any]] = set()
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
        if mic is None and self._settings.headless:
            mic = write_silence(Path(self._tmp.name) / "silence.wav")
        self._browser = await chromium.launch(
            executable_path=choice.executable,
            channel=None if choice.executable else "chromium",
            headless=self._settings.headless,
            args=launch_args(fake_mic=mic),
        )
        self._browser.on("disconnected", lambda _: self._recover("chromium exited"))
        self._context = await self._browser.new_context(permissions=["microphone"])
        await self._context.expose_binding(BINDING, self._on_report)
        await self._open_page()

    async def _open_page(self) -> None:
        assert self._context is not None
        self.ready.clear()
        page = await self._context.new_page()
        page.on("crash", lambda _: self._recover("the page crashed"))
        page.on("close", lambda _: self._recover("the page was closed"))
        page.on("console", self._on_console)
        self._page = page
        self._verifier = Verifier(self._registry, page)
        await page.goto(f"{self._url}/?autoconnect=1")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            log.warning("page console: %s", message.text)

    def _recover(self, why: str) -> None:
        if self._closing:
            return
        self._log.append(dir="bridge", type="bridge.page_lost", event={"reason": why},
                         session=self.call_id)
        task = asyncio.get_running_loop().create_task(self._reopen(why))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reopen(self, why: str) -> None:
        self.ready.clear()
        browser_alive = self._browser is not None and self._browser.is_connected()
        try:
            if browser_alive:
                if self._page is not None and not self._page.is_closed():
                    await self._page.close()
                await self._open_page()
            else:
                await self._launch()
        except Exception as err:  # a failed reopen is logged; the next health check shows it
            log.error("could not reopen the controlled page after %s: %s", why, err)
            self._log.append(dir="bridge", type="bridge.page_reopen_failed",
                             event={"reason": why, "error": str(err)}, session=self.call_id)
            return
        self._log.append(dir="bridge", type="bridge.page_reopened", event={"reason": why},
                         session=self.call_id)

    async def _on_report(self, source: Any, kind: str, payload: Any) -> Any:
        if not isinstance(payload, dict):
            return None
        if kind == "event":
            return self._on_event(payload)
        raw_call = payload.get("call")
        call: dict[str, Any] = raw_call if isinstance(raw_call, dict) else {}
        verifier = self._verifier
        if verifier is None:
            return {"allowed": False, "verified": False, "reason": "the bridge is not ready"}
        if kind == "tool_before":
            gate = await verifier.before(call)
            if not gate.allowed:
                self._log.append(dir="bridge", type="bridge.tool_refused",
                                 event={**_call_fields(call), "reason": gate.reason},
                                 session=self.call_id)
            return gate.as_json()
        if kind == "tool_after":
            raw_result = payload.get("result")
            result: dict[str, Any] = raw_result if isinstance(raw_result, dict) else {}
            verification = await verifier.after(call, result)
            self._log.append(dir="bridge", type="bridge.tool_verified",
                             event={**_call_fields(call), **verification.as_json(),
                                    "ok": bool(result.get("ok"))},
                             session=self.call_id)
            return verification.as_json()
        return None

    def _on_event(self, payload: dict[str, Any]) -> None:
        event = payload.get("event")
        direction = payload.get("dir")
        if not isinstance(event, dict) or direction not in ("client", "server"):
            return
        if isinstance(payload.get("session"), str):
            self.call_id = payload["session"]
        kind = event.get("type")
        self._log.append(dir=direction, type=str(kind), event=event, session=self.call_id)
        if direction == "server" and kind == "session.updated":
            self.ready.set()

    async def type_text(self, text: str) -> None:
        """Send a typed message as a person would: fill the text box, press send."""
        page = self.page
        await page.get_by_test_id("message-input").fill(text)
        await page.get_by_test_id("send-button").click()

    async def aclose(self) -> None:
        """Close page, context, Chromium and Playwright. Safe to call twice."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
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


def _call_fields(call: dict[str, Any]) -> dict[str, Any]:
    return {"call_id": call.get("call_id"), "name": call.get("name"),
            "arguments": call.get("arguments")}
