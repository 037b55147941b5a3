"""Audio on the engine's peer: a paced outbound track for the agent's voice, and the inbound reader."""

from __future__ import annotations

import asyncio
import fractions
import time
from typing import Any

import av
import numpy as np
from aiortc.jitterbuffer import JitterBuffer
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

SAMPLE_RATE_HZ = 48_000
FRAME_MS = 20
SAMPLES_PER_FRAME = SAMPLE_RATE_HZ * FRAME_MS // 1000
ASR_RATE_HZ = 16_000
_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE_HZ)
# Behind by more than this (the sender stalled), skip ahead instead of bursting frames.
_MAX_LAG_S = 0.2
# Silence sent after the last audio before a track that pauses goes quiet, so that the
# receiver's jitter buffer drains into real silence rather than into concealment.
_HANGOVER_S = 1.0


class Playback:
    """One clip on the outbound track: `started` and `finished` resolve as it plays."""

    def __init__(self, samples: np.ndarray, loop: asyncio.AbstractEventLoop) -> None:
        self.samples = samples
        self.offset = 0
        self.started: asyncio.Future[float] = loop.create_future()
        self.finished: asyncio.Future[bool] = loop.create_future()  # True when played whole

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE_HZ

    def settle(self, *, completed: bool) -> None:
        if not self.started.done():
            self.started.cancel()
        if not self.finished.done():
            self.finished.set_result(completed)


class OutboundAudioTrack(MediaStreamTrack):
    """48 kHz mono, one 20 ms frame per `recv`, paced in real time.

    aiortc's sender pulls frames as fast as `recv` returns them, so pacing is the track's job.
    Clips queue; `clear()` drops them and takes effect at the next frame (within 20 ms).

    When idle the track sends silence, or with `send_silence=False` nothing at all once a
    second of silence has followed the last audio, as a sender with discontinuous transmission
    does: no frames to encode, encrypt and send 50 times a second for nothing. The next clip then
    starts at once, its timestamps on the wall clock, so the receiver sees the pause as a gap. A
    microphone that a turn detector listens to must keep sending silence: the detector counts it
    to find the end of a turn.
    """

    kind = "audio"

    def __init__(self, *, send_silence: bool = True) -> None:
        super().__init__()
        self._queue: list[Playback] = []
        self._start: float | None = None
        self._pts = 0
        self._send_silence = send_silence
        self._audible: asyncio.Event | None = None
        self._resuming = False
        self._audio_t: float | None = None  # when audio last played or was cut off
        self.frames_sent = 0

    def play(self, samples: np.ndarray) -> Playback:
        """Queue int16 mono 48 kHz samples; returns the Playback to await."""
        clip = Playback(np.ascontiguousarray(samples, dtype=np.int16), asyncio.get_running_loop())
        self._queue.append(clip)
        if self._audible is not None:
            self._audible.set()
        return clip

    @property
    def playing(self) -> bool:
        return bool(self._queue)

    def clear(self) -> bool:
        """Stop all queued audio now; True if anything was queued."""
        had = bool(self._queue)
        for clip in self._queue:
            clip.settle(completed=False)
        self._queue.clear()
        if had:
            self._audio_t = time.monotonic()
        return had

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._queue:
            self._audio_t = time.monotonic()
        elif not self._send_silence and (
            self._audio_t is None or time.monotonic() - self._audio_t > _HANGOVER_S
        ):
            await self._until_audible()
            self._audio_t = time.monotonic()
        now = time.monotonic()
        if self._start is None:
            self._start = now
        elif self._resuming:
            # Back from a pause: the first frame is due now, its timestamp where the wall
            # clock is, a whole number of frames after the last one.
            self._resuming = False
            frames = max(self._pts // SAMPLES_PER_FRAME,
                         int((now - self._start) * SAMPLE_RATE_HZ) // SAMPLES_PER_FRAME)
            self._pts = frames * SAMPLES_PER_FRAME
            self._start = now - self._pts / SAMPLE_RATE_HZ
        else:
            due = self._start + self._pts / SAMPLE_RATE_HZ
            if due > now:
                await asyncio.sleep(due - now)
            elif now - due > _MAX_LAG_S:
                self._start = now - self._pts / SAMPLE_RATE_HZ
        frame = av.AudioFrame.from_ndarray(
            self._next_samples().reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE_HZ
        frame.pts = self._pts
        frame.time_base = _TIME_BASE
        self._pts += SAMPLES_PER_FRAME
        self.frames_sent += 1
        return frame

    async def _until_audible(self) -> None:
        if self._audible is None:
            self._audible = asyncio.Event()
        self._audible.clear()
        while not self._queue:
            await self._audible.wait()
            self._audible.clear()
            if self.readyState != "live":
                raise MediaStreamError
        self._resuming = self._start is not None

    def _next_samples(self) -> np.ndarray:
        out = np.zeros(SAMPLES_PER_FRAME, dtype=np.int16)
        filled = 0
        while filled < SAMPLES_PER_FRAME and self._queue:
            clip = self._queue[0]
            if not clip.started.done():
                clip.started.set_result(time.monotonic())
            take = min(SAMPLES_PER_FRAME - filled, len(clip.samples) - clip.offset)
            out[filled : filled + take] = clip.samples[clip.offset : clip.offset + take]
            clip.offset += take
            filled += take
            if clip.offset >= len(clip.samples):
                self._queue.pop(0)
                clip.settle(completed=True)
        return out

    def stop(self) -> None:
        self.clear()
        super().stop()
        if self._audible is not None:
            self._audible.set()


def prompt_jitter_buffer(receiver: Any) -> bool:
    """Make an aiortc audio receiver hand each packet to its decoder once the next one arrives.

    aiortc holds four 20 ms packets back before it decodes the first (its audio jitter buffer's
    prefetch), which delays every frame, and so the end of every turn, by 60 ms more than a
    call on this machine needs. Returns False if this aiortc keeps its buffer elsewhere.
    """
    name = "_RTCRtpReceiver__jitter_buffer"
    current = getattr(receiver, name, None)
    if not isinstance(current, JitterBuffer) or receiver.track.kind != "audio":
        return False
    setattr(receiver, name, JitterBuffer(capacity=current.capacity, prefetch=1))
    return True
