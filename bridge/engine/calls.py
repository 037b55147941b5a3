"""The embedded engine: answers SDP offers with an aiortc peer and runs one session per call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from ..errors import InvalidOffer, TooManySessions
from .audio import OutboundAudioTrack
from .protocol import ProtocolError, new_id
from .session import RealtimeSession, Speech

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Call:
    id: str
    answer_sdp: str


class Engine:
    """An OpenAI-Realtime-GA-compatible WebRTC peer, in this process.

    One RTCPeerConnection and one RealtimeSession per call. No ICE servers are configured:
    host candidates are all a local call needs, and a STUN lookup would stall the answer.
    """

    def __init__(
        self,
        *,
        speech: Speech | None = None,
        max_sessions: int = 32,
        connect_timeout_s: float = 30.0,
    ) -> None:
        self._speech = speech
        self._max_sessions = max_sessions
        self._connect_timeout_s = connect_timeout_s
        self._peers: dict[str, RTCPeerConnection] = {}
        self.sessions: dict[str, RealtimeSession] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    @property
    def active_calls(self) -> int:
        return len(self._peers)

    async def create_call(self, offer_sdp: str, *, session: Mapping[str, Any] | None) -> Call:
        """Answer `offer_sdp`; raises InvalidOffer when aiortc cannot negotiate it."""
        if self._closed:
            raise TooManySessions("the engine is shutting down")
        if len(self._peers) >= self._max_sessions:
            raise TooManySessions(
                f"the engine already has {len(self._peers)} calls (limit {self._max_sessions})"
            )
        call_id = new_id("rtc")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        output = OutboundAudioTrack()
        try:
            realtime = RealtimeSession(
                call_id, session=session, output=output, speech=self._speech,
                on_close=self._forget,
            )
        except ProtocolError as err:
            await pc.close()
            raise InvalidOffer(f"invalid session: {err.message}", param=err.param) from err
        self._peers[call_id] = pc
        self.sessions[call_id] = realtime
        self._wire(pc, realtime)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
            pc.addTrack(output)
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as err:  # aiortc raises ValueError, KeyError, … on offers it rejects
            await self.hangup(call_id)
            raise InvalidOffer(f"the offer could not be negotiated: {err}", param="sdp") from err
        self._spawn(self._expire_unconnected(call_id, pc))
        return Call(id=call_id, answer_sdp=pc.localDescription.sdp)

    def _wire(self, pc: RTCPeerConnection, realtime: RealtimeSession) -> None:
        @pc.on("datachannel")
        def on_datachannel(channel: Any) -> None:
            channel.on("message", realtime.handle_message)
            channel.on("close", lambda: self._spawn(self.hangup(realtime.id)))
            realtime.attach_channel(channel)

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "audio":
                realtime.attach_input(track)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                await self.hangup(realtime.id)

    async def _expire_unconnected(self, call_id: str, pc: RTCPeerConnection) -> None:
        # An answered call whose peer never connects would otherwise hold its ports forever.
        await asyncio.sleep(self._connect_timeout_s)
        if self._peers.get(call_id) is pc and pc.connectionState != "connected":
            log.info("call %s never connected; closing it", call_id)
            await self.hangup(call_id)

    async def hangup(self, call_id: str) -> bool:
        """Close one call; True if it existed. Safe to call twice."""
        pc = self._peers.pop(call_id, None)
        realtime = self.sessions.get(call_id)
        if realtime is not None:
            await realtime.close()
        if pc is None:
            return False
        await pc.close()
        return True

    def _forget(self, realtime: RealtimeSession) -> None:
        self.sessions.pop(realtime.id, None)
        if realtime.id in self._peers:
            self._spawn(self.hangup(realtime.id))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        self._closed = True
        for call_id in list(self._peers):
            await self.hangup(call_id)
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
