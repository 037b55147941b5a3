"""One call to the engine: its peer connection, its realtime session, its data channel and
its timers, and one way for all of it to end."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from ..tasks import TaskGroup
from .agent.base import Agent
from .audio import OutboundAudioTrack, prompt_jitter_buffer
from .inbound import with_dtx
from .limits import EventRate, SessionLimits
from .peer import ChannelTap, TappedChannel, close_peer, drain
from .session import RealtimeSession

__all__ = ["Call"]

log = logging.getLogger(__name__)


class Call:
    """A call: an aiortc peer and the `RealtimeSession` on it.

    `end(reason)` is the only way a call ends, whoever asks (a hangup, the channel or the
    connection closing, a fault in the session, a timer): it runs once, and then the call's
    timers are stopped, its session closed, what the session last sent delivered, and its peer
    closed. ``on_end`` hears of it first; ``background`` runs the ends that events and timers
    start, so that whoever closes the engine can wait for them.

    No ICE servers are configured: host candidates are all a local call needs, and a STUN
    lookup would stall the answer. A call that never connects ends after
    ``connect_timeout_s``; one that reaches ``limits.max_session_s`` ends with
    `session_expired`. Client events over ``limits``' rate are dropped with an `error` event.
    """

    def __init__(
        self,
        call_id: str,
        *,
        session: Mapping[str, Any] | None,
        agent: Agent,
        limits: SessionLimits,
        taps: Sequence[ChannelTap],
        connect_timeout_s: float,
        background: TaskGroup,
        on_end: Callable[[Call], None],
    ) -> None:
        self.id = call_id
        self.answer_sdp = ""
        self.channel: Any = None
        self.ending = False
        self._limits = limits
        self._taps = taps
        self._connect_timeout_s = connect_timeout_s
        self._background = background
        self._on_end = on_end
        self._timers = TaskGroup(name=f"call {call_id}")
        # The agent's voice: nothing on the wire between replies.
        output = OutboundAudioTrack(send_silence=False)
        # Raises ProtocolError for a session that cannot be used, before a peer exists.
        self.session = RealtimeSession(call_id, session=session, output=output, agent=agent,
                                       on_fail=lambda: self.end_soon("the session failed"))
        self.session.config["expires_at"] = int(time.time() + limits.max_session_s)
        self.peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._wire()

    async def answer(self, offer_sdp: str) -> str:
        """Negotiate ``offer_sdp``; the answer's SDP. aiortc raises what it raises for an offer
        it cannot use (ValueError, KeyError, …)."""
        await self.peer.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        self.peer.addTrack(self.session.output)
        await self.peer.setLocalDescription(await self.peer.createAnswer())
        self.answer_sdp = with_dtx(self.peer.localDescription.sdp)
        if not self.ending:
            self._timers.spawn(self._end_unless_connected())
            self._timers.spawn(self._expire())
        return self.answer_sdp

    def end_soon(self, reason: str) -> None:
        """`end(reason)` in the background, unless the call is ending already."""
        if not self.ending:
            self._background.spawn(self.end(reason))

    async def end(self, reason: str) -> None:
        """End the call (see the class); a second call returns at once."""
        if self.ending:
            return
        self.ending = True
        log.debug("call %s ends: %s", self.id, reason)
        self._on_end(self)
        await self._timers.aclose()
        await self.session.close()
        if self.channel is not None:
            await drain(self.channel)
        await close_peer(self.peer)

    def _wire(self) -> None:
        pc, session = self.peer, self.session

        @pc.on("datachannel")
        def on_datachannel(channel: Any) -> None:
            self.channel = channel
            channel.on("message", self._on_message(self._limits.event_rate()))
            channel.on("close", lambda: self.end_soon("the data channel closed"))
            session.attach_channel(TappedChannel(channel, self.id, self._taps))

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "audio":
                for receiver in pc.getReceivers():
                    if receiver.track is track:
                        prompt_jitter_buffer(receiver)
                session.attach_input(track)

        @pc.on("connectionstatechange")
        def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                self.end_soon(f"the connection {pc.connectionState}")

    def _on_message(self, rate: EventRate) -> Callable[[str | bytes], None]:
        def on_message(data: str | bytes) -> None:
            for tap in self._taps:
                tap(self.id, "in", data)
            if rate.admit():
                self.session.handle_message(data)
                return
            dropped = rate.dropped_report()
            if dropped:
                self.session.report_error(
                    f"too many events: {dropped} dropped, over this session's limit of "
                    f"{self._limits.max_events_per_s:g} events/s", code="rate_limit_exceeded")

        return on_message

    async def _end_unless_connected(self) -> None:
        # An answered call whose peer never connects would otherwise hold its ports forever.
        await asyncio.sleep(self._connect_timeout_s)
        if self.peer.connectionState != "connected":
            log.info("call %s never connected; closing it", self.id)
            self.end_soon("it never connected")

    async def _expire(self) -> None:
        await asyncio.sleep(self._limits.max_session_s)
        minutes = self._limits.max_session_s / 60
        self.session.fail(f"Your session hit the maximum duration of {minutes:g} minutes.",
                          code="session_expired", error_type="invalid_request_error")
