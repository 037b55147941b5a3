"""The engine's side of a peer connection: closing it (even half set up), letting a data
channel deliver what was sent before it closes, and showing each message to the taps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from aiortc import RTCPeerConnection

__all__ = ["ChannelTap", "TappedChannel", "close_peer", "close_shielded", "drain", "offer_failure"]

log = logging.getLogger(__name__)


class ChannelTap(Protocol):
    """Sees each `oai-events` message of every call as the engine sends or receives it."""

    def __call__(self, call_id: str, direction: Literal["in", "out"], data: str | bytes) -> None: ...


async def close_shielded(pc: RTCPeerConnection) -> None:
    """`pc.close()`, not cancelled with the task that awaits it. A second close() waits on the
    first one's future; cancelling that waiter would cancel the future, and the first close()
    would then fail ("Task exception was never retrieved: InvalidStateError")."""
    await asyncio.shield(pc.close())


async def close_peer(pc: RTCPeerConnection) -> None:
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


async def drain(channel: Any, *, timeout_s: float = 0.5) -> None:
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


def offer_failure(err: Exception) -> str:
    """A short reason for a rejected offer, without the WebRTC stack's internals."""
    if isinstance(err, ValueError) and str(err).strip():
        return str(err).strip()[:200]
    return f"the WebRTC stack could not use it ({type(err).__name__})"


class TappedChannel:
    """A session's view of its data channel, showing each message sent to the taps first."""

    def __init__(self, channel: Any, call_id: str, taps: Sequence[ChannelTap]) -> None:
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
