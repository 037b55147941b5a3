"""The inspector of one running bridge: its guard and token, the screencast, the watchers'
streams, and what they are shown of the bridge's state.

    inspector = Inspector(settings, event_log=log, browser=browser, upstream="local")
    inspector.url                 # what `rtc-bridge run` prints (with ?token=… when one is needed)
    inspector.begin_closing()     # the streams end (serving is stopping)
    await inspector.aclose()      # the screencast stops
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..browser.controlled import ControlledBrowser
from ..config import Settings
from ..events.log import EventLog
from .feed import Redactor
from .guard import Guard
from .screencast import Screencast

__all__ = ["PATH", "Inspector"]

PATH = "/inspect"


class Inspector:
    """Everything the inspector's routes serve, for one bridge. Nothing runs while nobody
    watches: no task, no listener, no screencast."""

    def __init__(self, settings: Settings, *, event_log: EventLog,
                 browser: ControlledBrowser | None, upstream: str) -> None:
        # Exposed, the inspector is a remote control anyone who reaches the port could use:
        # it takes a token then, made here unless one was given.
        token = settings.inspect_token or (
            secrets.token_urlsafe(24) if settings.exposed else None)
        self.guard = Guard(token=token, port=settings.port)
        self.event_log = event_log
        self.redactor = Redactor([settings.openai_api_key, settings.local_api_key, token])
        self.screencast = (Screencast(self._current_page, max_fps=settings.inspect_max_fps)
                           if browser is not None else None)
        self._browser = browser
        self._base_url = settings.base_url
        self._upstream = upstream
        self._max_fps = settings.inspect_max_fps
        self._wakers: set[asyncio.Event] = set()
        self._closing = False

    @property
    def url(self) -> str:
        """Where to open the inspector (from another machine: this one's address for the host)."""
        token = self.guard.token
        return f"{self._base_url}{PATH}" + (f"?token={token}" if token else "")

    @property
    def closing(self) -> bool:
        return self._closing

    def add_waker(self, wake: asyncio.Event) -> None:
        """`wake` is set when the inspector closes (each stream's own event)."""
        self._wakers.add(wake)

    def remove_waker(self, wake: asyncio.Event) -> None:
        self._wakers.discard(wake)

    def begin_closing(self) -> None:
        """End every stream: serving is stopping, and open streams would hold it up."""
        self._closing = True
        for wake in self._wakers:
            wake.set()

    async def aclose(self) -> None:
        self.begin_closing()
        if self.screencast is not None:
            await self.screencast.aclose()

    def status(self) -> dict[str, Any]:
        """What the watchers' status line shows: never a header or a secret."""
        browser = self._browser
        page = self._current_page()
        return {
            "browser": browser is not None,
            "page": None if browser is None else ("own" if browser.own_page else "yours"),
            "page_url": _without_query(page.url) if page is not None else None,
            "connected": bool(browser and browser.connected),
            "call_id": browser.call_id if browser is not None else None,
            "upstream": self._upstream,
            "max_fps": self._max_fps,
        }

    def _current_page(self) -> Any:
        if self._browser is None:
            return None
        try:
            page = self._browser.page
        except RuntimeError:  # not opened yet, or being reopened
            return None
        return None if page.is_closed() else page


def _without_query(url: str) -> str:
    """A URL without credentials, query and fragment, which may carry what is not ours to show."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
