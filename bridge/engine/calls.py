"""The embedded engine: answers SDP offers with an aiortc peer and runs one session per call."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from ..errors import InvalidOffer, ProtocolError, TooManySessions
from .audio import OutboundAudioTrack, prompt_jitter_buffer
from .limits import SessionLimits
from .protocol import new_id
from .session import RealtimeSession, Speech

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Call:
    id: str
    answer_sdp: str


class ChannelTap(Protocol):
    """Sees each `oai-events` message of every call as the engine sends or receives it."""

    def __call__(self, call_id: str, direction: Literal["in", "out"], data: str | bytes) -> None: ...


class Engine:
    """An OpenAI-Realtime-GA-compatible WebRTC peer, in this process.

    One RTCPeerConnection and one RealtimeSession per call. No ICE servers are configured:
    host candidates are all a local call needs, and a STUN lookup would stall the answer.
    Each call is held to `limits`: client events over the rate are dropped with an `error`
    event, and a call that reaches the maximum duration ends with `session_expired`.
    """

    def __init__(
        self,
        *,
        speech: Speech | None = None,
        max_sessions: int = 32,
        connect_timeout_s: float = 30.0,
        limits: SessionLimits | None = None,
    ) -> None:
        self._speech = speech
        self._max_sessions = max_sessions
        self._connect_timeout_s = connect_timeout_s
        self.limits = limits or SessionLimits()
        self._peers: dict[str, RTCPeerConnection] = {}
        self.sessions: dict[str, RealtimeSession] = {}
        self._channels: dict[str, Any] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._call_tasks: dict[str, set[asyncio.Task[Any]]] = {}
        self._taps: list[ChannelTap] = []
        self._closed = False

    @property
    def active_calls(self) -> int:
        return len(self._peers)

    def peer(self, call_id: str) -> RTCPeerConnection | None:
        """The peer connection of a live call (e.g. to open a side channel on it), or None."""
        return self._peers.get(call_id)

    def tap(self, listener: ChannelTap) -> Callable[[], None]:
        """Call `listener` with every data-channel message in both directions, timed where the
        engine handles it (measurements, tracing); returns a function that removes it."""
        self._taps.append(listener)

        def remove() -> None:
            if listener in self._taps:
                self._taps.remove(listener)

        return remove

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
        # The agent's voice: nothing on the wire between replies.
        output = OutboundAudioTrack(send_silence=False)
        try:
            realtime = RealtimeSession(
                call_id, session=session, output=output, speech=self._speech,
                on_close=self._forget,
            )
        except ProtocolError as err:
            await _close_peer(pc)
            raise InvalidOffer(f"invalid session: {err.message}", param=err.param) from err
        realtime.config["expires_at"] = int(time.time() + self.limits.max_session_s)
        self._peers[call_id] = pc
        self.sessions[call_id] = realtime
        self._wire(pc, realtime)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
            pc.addTrack(output)
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as err:  # aiortc raises ValueError, KeyError, … on offers it rejects
            await self.hangup(call_id)
            raise InvalidOffer(f"the offer could not be negotiated: {_reason(err)}",
                               param="sdp") from err
        self._spawn(self._expire_unconnected(call_id, pc), call_id=call_id)
        self._spawn(self._expire(call_id), call_id=call_id)
        return Call(id=call_id, answer_sdp=pc.localDescription.sdp)

    def _wire(self, pc: RTCPeerConnection, realtime: RealtimeSession) -> None:
        @pc.on("datachannel")
        def on_datachannel(channel: Any) -> None:
            taps = self._taps
            rate = self.limits.event_rate()
            self._channels[realtime.id] = channel

            def on_message(data: str | bytes) -> None:
                for tap in taps:
                    tap(realtime.id, "in", data)
                if rate.admit():
                    realtime.handle_message(data)
                    return
                dropped = rate.dropped_report()
                if dropped:
                    realtime.report_error(
                        f"too many events: {dropped} dropped, over this session's limit of "
                        f"{self.limits.max_events_per_s:g} events/s", code="rate_limit_exceeded")

            channel.on("message", on_message)
            channel.on("close", lambda: self._spawn(self.hangup(realtime.id)))
            realtime.attach_channel(_TappedChannel(channel, realtime.id, taps))

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "audio":
                for receiver in pc.getReceivers():
                    if receiver.track is track:
                        prompt_jitter_buffer(receiver)
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

    async def _expire(self, call_id: str) -> None:
        await asyncio.sleep(self.limits.max_session_s)
        realtime = self.sessions.get(call_id)
        if realtime is not None:
            minutes = self.limits.max_session_s / 60
            realtime.fail(f"Your session hit the maximum duration of {minutes:g} minutes.",
                          code="session_expired", error_type="invalid_request_error")

    async def hangup(self, call_id: str) -> bool:
        """Close one call; True if it existed. Safe to call twice."""
        pc = self._peers.pop(call_id, None)
        current = asyncio.current_task()
        for task in self._call_tasks.pop(call_id, set()):
            if task is not current:
                task.cancel()
        realtime = self.sessions.get(call_id)
        if realtime is not None:
            await realtime.close()
        channel = self._channels.pop(call_id, None)
        if pc is None:
            return False
        if channel is not None:
            await _drain(channel)
        await _close_peer(pc)
        return True

    def _forget(self, realtime: RealtimeSession) -> None:
        self.sessions.pop(realtime.id, None)
        if realtime.id in self._peers:
            self._spawn(self.hangup(realtime.id))

    def _spawn(self, coro: Any, *, call_id: str | None = None) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if call_id is not None:
            # Cancelled when the call hangs up, so that no timer outlives its call.
            tasks = self._call_tasks.setdefault(call_id, set())
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def aclose(self) -> None:
        self._closed = True
        # Together: each waits (briefly) for its peer to take what was last sent.
        await asyncio.gather(*(self.hangup(call_id) for call_id in list(self._peers)),
                             return_exceptions=True)
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def close_shielded(pc: RTCPeerConnection) -> None:
    """`pc.close()`, not cancelled with the task that awaits it. A second close() waits on the
    first one's future; cancelling that waiter would cancel the future, and the first close()
    would then fail ("Task exception was never retrieved: InvalidStateError")."""
    await asyncio.shield(pc.close())


async def _close_peer(pc: RTCPeerConnection) -> None:
    """Close a peer connection, even one that a rejected offer left half set up."""
    try:
        await close_shielded(pc)
    except Exception:  # aiortc trips over transports it never created; close what exists
        log.debug("peer close failed; stopping its transports one by one", exc_info=True)
        for transceiver in pc.getTransceivers():
            for dtls in {transceiver.sender.transport, transceiver.receiver.transport}:
                await _stop_quietly(dtls)
                await _stop_quietly(getattr(dtls, "transport", None))
        sctp = pc.sctp
        if sctp is not None:
            await _stop_quietly(sctp.transport)
            await _stop_quietly(getattr(sctp.transport, "transport", None))


async def _stop_quietly(transport: Any) -> None:
    if transport is None:
        return
    try:
        await transport.stop()
    except Exception:  # already stopped, or never started
        log.debug("transport stop failed", exc_info=True)


async def _drain(channel: Any, *, timeout_s: float = 0.5) -> None:
    """Wait (briefly) until what was sent on `channel` has been acknowledged by the peer.

    Closing a peer aborts its SCTP association, dropping queued messages, such as the `error`
    event that says why a call ends.
    """
    for _ in range(round(timeout_s / 0.01)):
        if channel.readyState != "open" or not _unacknowledged(channel):
            return
        await asyncio.sleep(0.01)


def _unacknowledged(channel: Any) -> bool:
    transport = getattr(channel, "transport", None)
    return bool(channel.bufferedAmount or getattr(transport, "_data_channel_queue", None)
                or getattr(transport, "_outbound_queue", None)
                or getattr(transport, "_sent_queue", None))


def _reason(err: Exception) -> str:
    """A short reason for a rejected offer, without the WebRTC stack's internals."""
    if isinstance(err, ValueError) and str(err).strip():
        return str(err).strip()[:200]
    return f"the WebRTC stack could not use it ({type(err).__name__})"


class _TappedChannel:
    """The session's view of its data channel, showing each message sent to the taps first."""

    def __init__(self, channel: Any, call_id: str, taps: list[ChannelTap]) -> None:
        self._channel = channel
        self._call_id = call_id
        self._taps = taps

    @property
    def readyState(self) -> str:
        return str(self._channel.readyState)

    @readyState.setter
    def readyState(self, state: str) -> None:
        self._channel.readyState = state

    def send(self, data: str) -> None:
        for tap in self._taps:
            tap(self._call_id, "out", data)
        self._channel.send(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)
