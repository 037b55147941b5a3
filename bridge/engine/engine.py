"""The embedded engine: answers SDP offers with an aiortc peer and runs one session per call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from aiortc import RTCPeerConnection

from ..errors import InvalidOffer, ProtocolError, TooManySessions
from ..tasks import TaskGroup
from .agent.base import Agent, Speech
from .agent.local import LocalAgent
from .call import Call
from .candidates import offer_host
from .limits import SessionLimits
from .peer import ChannelTap, offer_failure
from .protocol import new_id
from .session import RealtimeSession

__all__ = ["Engine"]


class Engine:
    """An OpenAI-Realtime-GA-compatible WebRTC peer, in this process.

    One `Call` per call, each an RTCPeerConnection with a `RealtimeSession` on it, held to
    ``limits`` (see `Call`); at most ``max_sessions`` at a time. Every session asks ``agent``
    what to say and do; by default that is the local agent, hearing and speaking with
    ``speech`` (typed text only without it). ``rtc_host``, when given, is the address its
    answers offer in their ICE candidates (`candidates`).
    """

    def __init__(
        self,
        *,
        speech: Speech | None = None,
        agent: Agent | None = None,
        max_sessions: int = 32,
        connect_timeout_s: float = 30.0,
        limits: SessionLimits | None = None,
        rtc_host: str | None = None,
    ) -> None:
        if agent is not None and speech is not None:
            raise ValueError("an engine takes an agent, or speech for its local agent; not both")
        self.agent: Agent = agent if agent is not None else LocalAgent(speech)
        self.limits = limits or SessionLimits()
        self._max_sessions = max_sessions
        self._connect_timeout_s = connect_timeout_s
        self._rtc_host = rtc_host
        self._calls: dict[str, Call] = {}
        self._taps: list[ChannelTap] = []
        self._background = TaskGroup(name="engine")
        self._closed = False

    @property
    def calls(self) -> Mapping[str, Call]:
        """The live calls by id (a call leaves this map the moment it starts to end)."""
        return MappingProxyType(self._calls)

    @property
    def sessions(self) -> Mapping[str, RealtimeSession]:
        """The session of each live call, by call id."""
        return {call_id: call.session for call_id, call in self._calls.items()}

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    def peer(self, call_id: str) -> RTCPeerConnection | None:
        """The peer connection of a live call (e.g. to open a side channel on it), or None."""
        call = self._calls.get(call_id)
        return call.peer if call is not None else None

    def tap(self, listener: ChannelTap) -> Callable[[], None]:
        """Call `listener` with every data-channel message in both directions, timed where the
        engine handles it (measurements, tracing); returns a function that removes it."""
        self._taps.append(listener)

        def remove() -> None:
            if listener in self._taps:
                self._taps.remove(listener)

        return remove

    async def create_call(self, offer_sdp: str, *, session: Mapping[str, Any] | None) -> Call:
        """Answer `offer_sdp` (the SDP is the call's `answer_sdp`); raises InvalidOffer when the
        session or the offer cannot be used, TooManySessions at the limit or when closing."""
        if self._closed:
            raise TooManySessions("the engine is shutting down")
        if len(self._calls) >= self._max_sessions:
            raise TooManySessions(
                f"the engine already has {len(self._calls)} calls (limit {self._max_sessions})"
            )
        try:
            call = Call(new_id("rtc"), session=session, agent=self.agent, limits=self.limits,
                        taps=self._taps, connect_timeout_s=self._connect_timeout_s,
                        background=self._background, on_end=self._forget)
        except ProtocolError as err:
            raise InvalidOffer(f"invalid session: {err.message}", param=err.param) from err
        self._calls[call.id] = call
        try:
            await call.answer(offer_sdp)
        except Exception as err:  # aiortc raises ValueError, KeyError, … on offers it rejects
            await call.end("the offer could not be negotiated")
            raise InvalidOffer(f"the offer could not be negotiated: {offer_failure(err)}",
                               param="sdp") from err
        if self._rtc_host is not None:
            call.answer_sdp = offer_host(call.answer_sdp, self._rtc_host)
        return call

    async def hangup(self, call_id: str) -> bool:
        """End one call; True if it was live. Safe to call twice."""
        call = self._calls.get(call_id)
        if call is None:
            return False
        await call.end("hung up")
        return True

    def _forget(self, call: Call) -> None:
        self._calls.pop(call.id, None)

    async def aclose(self) -> None:
        """End every call (together: each waits briefly for its peer to take what was last
        sent), then wait for calls already ending; harmless to call twice."""
        self._closed = True
        await asyncio.gather(*(call.end("the engine is closing") for call in list(self._calls.values())),
                             return_exceptions=True)
        await self._background.join()
        await self._background.aclose()
