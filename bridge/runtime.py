"""The running bridge as one object: what it owns, in what order it starts and stops.

    bridge = Bridge(settings)
    await bridge.start()      # engine voice warming, the controlled browser opening its page
    ...                       # serve it: http.create_app(bridge)
    await bridge.aclose()     # browser, engine, voice, upstream; `bridge.stopped` logged last
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from .browser.checks.model import load_checks
from .browser.controlled import ControlledBrowser
from .browser.target import PageTarget
from .browser.tools import ToolRegistry
from .config import Settings
from .engine import Engine
from .engine.agent.voice import RECOGNITION_KINDS, EngineVoice
from .engine.limits import SessionLimits
from .events.log import EventLog
from .events.records import BrowserFailed, Stopped
from .events.refusals import RefusalWatch
from .inspect.inspector import Inspector
from .tasks import TaskGroup
from .upstream import LocalUpstream, OpenAIUpstream, Upstream

log = logging.getLogger(__name__)


class Bridge:
    """Settings, event log (and what watches it), tool registry, upstream, engine (and its
    voice), the controlled browser, the inspector, and the background tasks that start them.

    Collaborators are parameters so tests swap them without patching; whatever is not given
    is built from `settings`. An engine exists when the upstream is local or one was given.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        event_log: EventLog | None = None,
        upstream: Upstream | None = None,
        engine: Engine | None = None,
        registry: ToolRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.target = PageTarget.from_page(settings.page)
        self.event_log = event_log or EventLog(settings.events_path)
        self._refusals = RefusalWatch(self.event_log)
        self.registry = registry or ToolRegistry.load()
        self.voice: EngineVoice | None = None
        if engine is None and settings.upstream == "local":
            self.voice = EngineVoice(kind=RECOGNITION_KINDS[settings.recognition])
            engine = Engine(speech=self.voice, max_sessions=settings.max_sessions,
                            limits=SessionLimits(max_events_per_s=settings.max_events_per_s,
                                                 max_session_s=settings.max_session_s),
                            rtc_host=settings.rtc_host)
        self.engine = engine
        self.upstream = upstream or _default_upstream(settings, engine)
        self.browser: ControlledBrowser | None = None
        if settings.open_browser:
            self.browser = ControlledBrowser(
                settings, registry=self.registry, event_log=self.event_log,
                upstream=self.upstream, target=self.target,
                checks=load_checks(settings.checks_path) if settings.checks_path else None)
        self.inspector: Inspector | None = None
        if settings.inspect:
            self.inspector = Inspector(settings, event_log=self.event_log, browser=self.browser,
                                       upstream=self.upstream.name)
        self._tasks = TaskGroup(name="bridge")
        self._stopping = False
        self._closed = False

    @property
    def stopping(self) -> bool:
        """True once shutdown began: from then on a part that fails is part of stopping."""
        return self._stopping

    def begin_stopping(self) -> None:
        self._stopping = True
        if self.inspector is not None:
            self.inspector.begin_closing()  # its open streams would hold the server up

    async def start(self) -> None:
        """Start what runs in the background. Returns at once: the controlled page loads from
        the server this bridge is served by, which accepts connections only after start."""
        if self.voice is not None:
            # The first decode would otherwise pay for starting the decoder processes.
            self._tasks.spawn(self._warm_up(self.voice))
        if self.browser is not None:
            self._tasks.spawn(self._start_browser(self.browser))

    async def aclose(self) -> None:
        """Stop everything, each part even if one before it fails; the event log last, with
        `bridge.stopped`. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stopping = True
        calls = self.engine.active_calls if self.engine is not None else None
        await self._tasks.aclose()
        # The inspector first: its screencast runs on the browser's page.
        closers = [part.aclose for part in (self.inspector, self.browser, self.engine, self.voice)
                   if part is not None]
        for close in [*closers, self.upstream.aclose]:
            try:
                await close()
            except Exception:  # the others still close; the log says which one failed
                log.exception("closing %s failed", getattr(close, "__self__", close))
        self._refusals.close()
        self.event_log.append_bridge(Stopped(calls_closed=calls))
        self.event_log.close()

    def health(self) -> dict[str, Any]:
        """What `GET /api/health` reports."""
        browser = self.browser
        return {
            "status": "ok",
            "upstream": self.upstream.name,
            "page": {
                "controlled": browser is not None,
                "connected": bool(browser and browser.connected),
                "call_id": browser.call_id if browser else None,
            },
            "calls": self.engine.active_calls if self.engine else None,
        }

    async def _warm_up(self, voice: EngineVoice) -> None:
        if self.browser is not None:
            # Once the controlled page is connected: starting the decoder processes alongside
            # Chromium slowed the start by most of a second on two cores.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.browser.ready.wait(), 30)
        await voice.warm_up()

    async def _start_browser(self, browser: ControlledBrowser) -> None:
        try:
            await browser.start()
        except Exception as err:  # logged and in the event log; the server keeps serving
            if self._stopping:  # e.g. Ctrl-C reached Playwright's driver while Chromium started
                log.info("the controlled browser's start was cut short by shutdown: %s", err)
                return
            log.error("the controlled browser could not start: %s", err)
            self.event_log.append_bridge(BrowserFailed(error=str(err)))


def _default_upstream(settings: Settings, engine: Engine | None) -> Upstream:
    if settings.upstream == "openai":
        assert settings.openai_api_key is not None  # Settings refuses openai without a key
        return OpenAIUpstream(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            session=settings.session_config(),
            connect_timeout_s=settings.upstream_connect_timeout_s,
            read_timeout_s=settings.upstream_read_timeout_s,
        )
    assert engine is not None
    return LocalUpstream(engine, session=settings.session_config())
