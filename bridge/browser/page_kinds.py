"""What differs between the two kinds of page the controlled browser opens.

- `VoicePage`, the bridge's own (`pages/`): it reports its events and asks the bridge to run
  and verify each tool call itself (`bridgeReport("tool_call")`); typing goes into its text box.
- `UserPage`, anybody's voice page: the instrument (`instrument`) sees its channel, mixes the
  bridge's speech into its microphone and watches its DOM; its tools run as it runs them and are
  checked afterwards (`tool_watch`); typing sends a user message on its own channel.

Both are connected once the upstream has answered the page's session (`session.updated`, or
`session.created` for a page that sends no `session.update`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from ..config import TypingMode
from ..engine.session_config import BETA_KEYS
from ..errors import BrowserError
from ..events.log import EventLog
from ..events.records import PageWarning
from .checks.dom import count_delta_selectors
from .checks.model import ChecksFile
from .instrument.page import InstrumentConfig, PageInstrument, install
from .microphone import MicrophonePlan
from .target import PageTarget
from .tool_watch import ToolWatch
from .typed_turns import TypedTurns

log = logging.getLogger(__name__)

# A page that sends no session.update of its own is connected this long after session.created.
NO_SESSION_UPDATE_S = 1.0
START_TIMEOUT_MS = 15_000


class PageKind(Protocol):
    """The part of the controlled browser that depends on which page it opened."""

    async def prepare(self, context: BrowserContext) -> None: ...

    async def open(self, page: Page, *, ready: Callable[[], None]) -> None: ...

    def on_event(self, direction: str, event: Mapping[str, Any]) -> None: ...

    async def type_text(self, text: str) -> None: ...

    async def reconnect(self) -> None: ...

    async def close(self) -> None: ...


class VoicePage:
    """The bridge's own voice page at `url`; it connects by itself (`?autoconnect=1`), or with
    `click_to_connect` when its Connect button is clicked: a browser without the bridge's
    flags (a remote one) runs the page's audio only after such a gesture."""

    def __init__(self, url: str, *, click_to_connect: bool = False) -> None:
        self._url = url
        self._click = click_to_connect
        self._page: Page | None = None
        self._ready: Callable[[], None] = lambda: None

    async def prepare(self, context: BrowserContext) -> None:
        """Nothing to add: the page reports through the binding by itself."""

    async def open(self, page: Page, *, ready: Callable[[], None]) -> None:
        self._page, self._ready = page, ready
        await page.goto(self._url)
        if self._click:
            await page.get_by_test_id("connect-button").click()

    def on_event(self, direction: str, event: Mapping[str, Any]) -> None:
        if direction == "server" and event.get("type") == "session.updated":
            self._ready()

    async def type_text(self, text: str) -> None:
        """Send a typed message as a person would: fill the text box, press send."""
        page = _open(self._page)
        await page.get_by_test_id("message-input").fill(text)
        await page.get_by_test_id("send-button").click()

    async def reconnect(self) -> None:
        """Hang up the page's call and make a new one, the DOM kept, as its button would."""
        try:
            await _open(self._page).evaluate(
                "async () => { window.rtcBridge.disconnect(); await window.rtcBridge.connect(); }")
        except PlaywrightError as err:
            raise BrowserError(f"the voice page could not reconnect: {err.message}") from err

    async def close(self) -> None:
        page = self._page
        if page is not None and not page.is_closed():
            try:
                await page.evaluate("() => window.rtcBridge && window.rtcBridge.disconnect()")
            except PlaywrightError:  # the page may already be gone; closing goes on regardless
                log.debug("page disconnect skipped", exc_info=True)


class UserPage:
    """A user's voice page: `target` (a URL, or a local page the bridge serves at
    `base_url`), then a click on `start` if given, the tools checked with `checks`."""

    def __init__(self, target: PageTarget, *, base_url: str, start: str | None,
                 checks: ChecksFile | None, drop_ice_servers: bool, event_log: EventLog,
                 session: Callable[[], str | None], upstream_takes_beta: bool,
                 typing: TypingMode = "interrupt",
                 microphone: MicrophonePlan | None = None) -> None:
        self._url = target.url_on(base_url)
        self._start = start
        self._checks = checks
        self._config = InstrumentConfig(drop_ice_servers=drop_ice_servers,
                                        count_selectors=_count_selectors(checks),
                                        release_device_mic=bool(microphone
                                                                and microphone.silent_device),
                                        pause_idle_mic=bool(microphone and microphone.pause_idle))
        self._log = event_log
        self._session = session
        self._page: Page | None = None
        self._watch: ToolWatch | None = None
        self._ready: Callable[[], None] = lambda: None
        self._created: asyncio.TimerHandle | None = None
        self._turns = TypedTurns(typing)
        self._upstream_takes_beta = upstream_takes_beta
        self._warned: set[str] = set()

    async def declare_checks(self, checks: ChecksFile | None) -> None:
        """Check the tools with `checks` from the next call on."""
        self._checks = checks
        self._config = replace(self._config, count_selectors=_count_selectors(checks))
        if self._watch is not None:
            self._watch.checks = checks
        if self._page is not None and not self._page.is_closed():
            await PageInstrument(self._page).set_count_selectors(self._config.count_selectors)

    async def prepare(self, context: BrowserContext) -> None:
        await install(context, self._config)

    async def open(self, page: Page, *, ready: Callable[[], None]) -> None:
        if self._watch is not None:
            await self._watch.aclose()
        self._page, self._ready = page, ready
        self._turns.reset()
        self._watch = ToolWatch(page, checks=self._checks, event_log=self._log,
                                session=self._session)
        await page.goto(self._url)
        if self._start is not None:
            try:
                await page.locator(self._start).click(timeout=START_TIMEOUT_MS)
            except PlaywrightError as err:
                raise BrowserError(f"--start {self._start!r}: nothing to click on {self._url}: "
                                   f"{err.message.splitlines()[0]}") from err

    def on_event(self, direction: str, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if direction == "server":
            self._turns.on_server_event(event)
        if direction == "server" and kind == "session.updated":
            self._connected()
        elif direction == "server" and kind == "session.created":
            self._created = asyncio.get_running_loop().call_later(
                NO_SESSION_UPDATE_S, self._connected)
        elif direction == "client" and kind == "session.update":
            self._check_session_update(event.get("session"))
            if self._created is not None:
                self._created.cancel()  # its session.update is on the way: wait for its answer
                self._created = None
        if self._watch is not None:
            self._watch.on_event(direction, event)

    def _check_session_update(self, session: Any) -> None:
        """Warn, once, about a beta-shaped session.update that the upstream will refuse."""
        if self._upstream_takes_beta or not isinstance(session, Mapping):
            return
        beta = sorted(key for key in session if key in BETA_KEYS)
        if not beta and session.get("type") == "realtime":
            return
        shape = f"beta fields {', '.join(beta)}" if beta else "no `type: realtime`"
        message = (f"the page's session.update is shaped for the switched-off beta interface "
                   f"({shape}): OpenAI's GA Realtime API rejects it with an error event")
        if message not in self._warned:
            self._warned.add(message)
            log.warning(message)
            self._log.append_bridge(PageWarning(message=message), session=self._session())

    def _connected(self) -> None:
        if self._created is not None:
            self._created.cancel()
            self._created = None
        self._ready()

    async def type_text(self, text: str) -> None:
        """A user message and `response.create` on the page's own realtime channel, as a page
        with a text box would send them, once no answer stands in their way (`TypedTurns`)."""
        await self._turns.send(PageInstrument(_open(self._page)), text)

    async def reconnect(self) -> None:
        """A page of yours has no hang-up the bridge knows of: it is opened afresh (and its
        `start` clicked), which makes a new call."""
        await self.open(_open(self._page), ready=self._ready)

    async def close(self) -> None:
        if self._created is not None:
            self._created.cancel()
        await self._turns.aclose()
        if self._watch is not None:
            await self._watch.aclose()


def _count_selectors(checks: ChecksFile | None) -> dict[str, tuple[str, ...]]:
    """Per tool, its `count_delta` selectors that need no argument: counted in the page."""
    if checks is None:
        return {}
    counted = {name: tuple(count_delta_selectors(tool.checks, {}))
               for name, tool in checks.tools.items()}
    return {name: selectors for name, selectors in counted.items() if selectors}


def _open(page: Page | None) -> Page:
    if page is None or page.is_closed():
        raise BrowserError("the controlled page is not open")
    return page
