"""A small realtime client over aiortc: talks to any OpenAI-style calls endpoint or the engine.

Used by the engine's tests and the benchmarks; also handy for scripting a session in Python.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from ..engine.audio import OutboundAudioTrack, Playback
from ..engine.peer import close_shielded
from ..tasks import TaskGroup

Predicate = Callable[[dict[str, Any]], bool]


class RealtimeClient:
    """One WebRTC call: a microphone track you can `speak` into, and the `oai-events` channel."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.mic = OutboundAudioTrack()
        self.pc.addTrack(self.mic)
        self.channel = self.pc.createDataChannel("oai-events")
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.raw_messages: list[str] = []
        self.audio_frames = 0
        self.audio_peak = 0
        self.audio_levels: list[tuple[float, int]] = []  # (arrival, peak) of each frame heard
        self._changed = asyncio.Condition()
        self._opened = asyncio.Event()
        self._tasks = TaskGroup(name="realtime client")
        self.channel.on("open", self._opened.set)
        self.channel.on("message", self._on_message)
        self.pc.on("track", self._on_track)

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def accept(self, answer_sdp: str, *, timeout_s: float = 10.0) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
        await asyncio.wait_for(self._opened.wait(), timeout_s)

    async def connect_http(
        self, url: str, *, token: str = "local", session: dict[str, Any] | None = None
    ) -> httpx.Response:
        """POST the offer to `url` (…/realtime/calls), as OpenAI's clients do."""
        offer = await self.offer()
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(timeout=15.0, trust_env=False) as http:
            if session is None:
                response = await http.post(url, content=offer, headers={
                    **headers, "Content-Type": "application/sdp"})
            else:
                response = await http.post(url, headers=headers, files={
                    "sdp": (None, offer, "application/sdp"),
                    "session": (None, json.dumps(session), "application/json")})
        if response.status_code == 201:
            await self.accept(response.text)
        return response

    def send(self, event: dict[str, Any]) -> None:
        self.channel.send(json.dumps(event))

    def send_raw(self, data: str | bytes) -> None:
        self.channel.send(data)

    def speak(self, pcm48k: np.ndarray) -> Playback:
        """Play int16 mono 48 kHz samples into the call's microphone track."""
        return self.mic.play(pcm48k)

    async def wait_for(
        self, predicate: Predicate | str, *, timeout_s: float = 10.0, after: int = 0
    ) -> dict[str, Any]:
        """The first event (at index >= `after`) matching a type name or a predicate."""
        test = (lambda e: e.get("type") == predicate) if isinstance(predicate, str) else predicate

        def found() -> dict[str, Any] | None:
            return next((e for _, e in self.events[after:] if test(e)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout_s)
        event = found()
        assert event is not None
        return event

    def types(self) -> list[str]:
        return [str(e.get("type")) for _, e in self.events]

    def _on_message(self, message: str | bytes) -> None:
        text = message.decode() if isinstance(message, bytes) else message
        self.raw_messages.append(text)
        self.events.append((time.monotonic(), json.loads(text)))
        self._tasks.spawn(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._tasks.spawn(self._read_audio(track))

    async def _read_audio(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.audio_frames += 1
            peak = int(np.abs(frame.to_ndarray()).max())  # type: ignore[union-attr]
            self.audio_peak = max(self.audio_peak, peak)
            self.audio_levels.append((time.monotonic(), peak))

    async def close(self) -> None:
        await close_shielded(self.pc)
        await self._tasks.aclose()
