"""The controlled page's picture for the people watching: a CDP screencast that runs only while
somebody watches and follows the page when it is reopened.

It runs on a CDP session of its own (`new_cdp_session`): Chromium captures and paces frames for
each session apart, so a demo recording (`demo.recording`, another session) and the inspector
each get their own frames, and neither one's acknowledgements hold the other back. Frames are
acknowledged no faster than `max_fps`: Chromium captures the next frame only once the last
ones were acknowledged, so the pace bounds what capturing costs, not only what is sent.

    async with screencast.watching(wake):   # `wake` is set at each new frame
        frame = screencast.latest
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from ..tasks import TaskGroup

__all__ = ["Frame", "Screencast"]

log = logging.getLogger(__name__)

# While watched, how often the current page is compared with the one being cast: a page
# reopened after a crash (or in a relaunched Chromium) is picked up within this.
FOLLOW_S = 0.5
OPTIONS = {"format": "jpeg", "quality": 70, "maxWidth": 1280, "maxHeight": 800,
           "everyNthFrame": 1}


@dataclass(frozen=True)
class Frame:
    """One screencast frame: `jpeg_b64` as CDP sends it (base64 JPEG); `seq` counts from 1."""

    seq: int
    jpeg_b64: str
    received_s: float  # time.monotonic()


class Screencast:
    """Casts the page `page_of()` returns (None: no page open) while anybody watches."""

    def __init__(self, page_of: Callable[[], Any], *, max_fps: float) -> None:
        self._page_of = page_of
        self._interval_s = 1.0 / max_fps
        self._watchers: set[asyncio.Event] = set()
        self._transition = asyncio.Lock()
        self._tasks = TaskGroup(name="inspector screencast")
        self._follow: asyncio.Task[None] | None = None
        self._cdp: Any = None
        self._page: Any = None
        self._next_ack_s = 0.0
        self.latest: Frame | None = None
        self.frames_captured = 0

    @property
    def watchers(self) -> int:
        return len(self._watchers)

    @property
    def casting(self) -> bool:
        """True while a screencast runs in Chromium."""
        return self._cdp is not None

    @contextlib.asynccontextmanager
    async def watching(self, wake: asyncio.Event) -> AsyncIterator[None]:
        """Watch while inside: the first watcher starts the screencast, the last one out stops
        it; `wake` is set at each new frame."""
        async with self._transition:
            self._watchers.add(wake)
            if self._follow is None:
                self._follow = self._tasks.spawn(self._follow_page())
        try:
            yield
        finally:
            # Left at once; the stop runs in a task of the screencast's own, awaited shielded:
            # a watcher's request can be cancelled again while it leaves (the server cleaning up
            # a lost connection), and a stop cut short there left the screencast running.
            self._watchers.discard(wake)
            if not self._tasks.closed:  # else `aclose` has stopped it
                await asyncio.shield(self._tasks.spawn(self._stop_unless_watched()))

    async def _stop_unless_watched(self) -> None:
        async with self._transition:
            if not self._watchers:
                await self._stop()

    async def aclose(self) -> None:
        async with self._transition:
            self._watchers.clear()
            await self._stop()
        await self._tasks.aclose()

    async def _stop(self) -> None:
        follow, self._follow = self._follow, None
        if follow is not None:
            follow.cancel()
            await asyncio.gather(follow, return_exceptions=True)
        await self._detach()
        self.latest = None

    async def _follow_page(self) -> None:
        while True:
            page = self._page_of()
            if page is not self._page:
                await self._detach()
                if page is not None:
                    await self._attach(page)
            await asyncio.sleep(FOLLOW_S)

    async def _attach(self, page: Any) -> None:
        try:
            cdp = await page.context.new_cdp_session(page)
            cdp.on("Page.screencastFrame", lambda params: self._on_frame(cdp, params))
            await cdp.send("Page.startScreencast", OPTIONS)
        except Exception as err:  # a crashed or closing page: tried again at the next look
            log.debug("the inspector's screencast could not start: %s", err)
            return
        self._cdp, self._page = cdp, page

    async def _detach(self) -> None:
        cdp, self._cdp, self._page = self._cdp, None, None
        if cdp is None:
            return
        try:
            await cdp.send("Page.stopScreencast")
            await cdp.detach()
        except Exception:  # the page or Chromium went first
            log.debug("the inspector's screencast was already gone", exc_info=True)

    def _on_frame(self, cdp: Any, params: dict[str, Any]) -> None:
        if cdp is not self._cdp:
            return  # a late frame of a session being let go
        now = time.monotonic()
        self.frames_captured += 1
        self.latest = Frame(self.frames_captured, str(params.get("data", "")), now)
        for wake in self._watchers:
            wake.set()
        ack_at = max(now, self._next_ack_s)
        self._next_ack_s = ack_at + self._interval_s
        self._tasks.spawn(self._ack(cdp, params.get("sessionId"), ack_at - now))

    async def _ack(self, cdp: Any, session_id: Any, delay_s: float) -> None:
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        if cdp is not self._cdp:
            return
        try:
            await cdp.send("Page.screencastFrameAck", {"sessionId": session_id})
        except Exception:  # the screencast stopped meanwhile
            log.debug("screencast ack failed", exc_info=True)
