"""The bench bridge as the steps use it: its loop, its controlled page and the engine probe,
and the measurements taken on the page's current call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from ...drive.handle import BridgeHandle
from . import connect, probe, scale, voice

__all__ = ["QUIET_S", "BridgeRunner"]

# Between commands, once the reply is in: the page's last event batch has reached the bridge,
# so that neither the echo nor the next command queues behind the previous one's traffic.
QUIET_S = 0.04


class BridgeRunner:
    """The bench bridge's loop, its controlled page and the engine probe."""

    def __init__(self, handle: BridgeHandle, engine_probe: probe.EngineProbe) -> None:
        self.handle = handle
        self.probe = engine_probe
        self.engine = engine_probe.engine

    @property
    def page(self) -> Any:
        return self.handle.browser.page

    def call(self, fn: Callable[[], Any], *, timeout_s: float = 300.0) -> Any:
        try:
            return self.handle.thread.call(fn, timeout_s=timeout_s)
        except TimeoutError as err:  # the bare TimeoutError of a future says nothing
            raise TimeoutError(f"{fn} on {self.handle.url} took over {timeout_s:g} s") from err

    def navigations(self, loads: int) -> list[float]:
        browser, engine_probe = self.handle.browser, self.probe
        samples: list[float] = self.call(
            partial(connect.navigation_to_channel_open, browser, engine_probe, loads),
            timeout_s=60 + 20 * loads)
        return samples

    async def round_trips(self, calls: int) -> list[float]:
        """`calls` tool round trips in the page's current call (a few unmeasured first, so
        that caches are warm); a user's page's output carries no verdict of its own."""
        session = await scale.session_for(self.probe, self.page,
                                          call_id=self.handle.browser.call_id)
        await asyncio.sleep(0.2)
        # The bridge's page asks for a spoken (here: text) reply to each output; a page of the
        # seed's kind asks for none, so its round trip ends with its output.
        own = self.handle.browser.own_page
        await probe.tool_round_trips(session.engine_session, session.times, 4, until_reply=own)
        session.times.sent.clear()
        session.times.outputs.clear()
        await probe.tool_round_trips(session.engine_session, session.times, calls,
                                     quiet_s=QUIET_S, until_reply=own)
        rtts, failed = session.times.round_trips_ms(verified=own)
        if failed:
            raise RuntimeError(f"{failed} of {calls} tool calls got no answer")
        return rtts

    async def session(self) -> scale.Session:
        """The controlled page's current call, replying in text."""
        session = await scale.session_for(self.probe, self.page)
        await asyncio.sleep(0.2)  # the page has the session.updated before the first command
        return session

    def spoken_commands(self, clips: list[Any], count: int) -> list[float]:
        """Voice → verified action of `count` spoken commands (the clips in turn) in the page's
        current call; the commands that got no verified call are left out."""
        async def measure() -> list[float]:
            session = await self.session()
            spoken = [clips[i % len(clips)] for i in range(count)]
            samples, _ = await voice.voice_to_action(
                self.page, self.handle.event_log, session.call_id, session.times, spoken)
            return samples

        samples: list[float] = self.call(measure, timeout_s=120 + 15 * count)
        return samples
