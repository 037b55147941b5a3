"""The page's microphone as the engine reads it: Opus with DTX, and the silence DTX leaves out.

A browser that sends a quiet microphone at full rate costs its renderer, its network service and
the engine's Opus decoder 50 packets a second for nothing. The engine's answer asks for
discontinuous transmission (`usedtx=1` on its Opus format), as OpenAI's does not need to: the
browser then sends a short comfort-noise packet about every 400 ms while the microphone is quiet.
Turn detection counts silence by the samples it is given, so the silence left out is put back:
as zeros for the gap in the packets' timestamps when the next packet comes, and, while the last
frame was quiet, as it passes on the wall clock, so that a turn's end is heard on time rather
than at the next packet.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .audio import ASR_RATE_HZ, SAMPLE_RATE_HZ

# A frame quieter than this (RMS of int16 samples, about -40 dBFS) may be followed by DTX.
QUIET_RMS = 330.0
# While the last frame was quiet, silence is put back in steps of this long when no packet
# comes: three frames, so a late packet of a steady stream never triggers it.
FILL_STEP_S = 0.06

_OPUS_RTPMAP = re.compile(r"^a=rtpmap:(\d+) opus/48000", re.MULTILINE | re.IGNORECASE)


def with_dtx(answer_sdp: str) -> str:
    """`answer_sdp` with `usedtx=1` on each Opus format's parameters (a line added if it has
    none); other formats and lines are left as they are."""
    for payload_type in _OPUS_RTPMAP.findall(answer_sdp):
        fmtp = re.compile(rf"^(a=fmtp:{payload_type} )(.*?)(\r?)$", re.MULTILINE)
        found = fmtp.search(answer_sdp)
        if found is None:
            rtpmap = re.compile(rf"^(a=rtpmap:{payload_type} opus/48000\S*)(\r?)$",
                                re.MULTILINE | re.IGNORECASE)
            answer_sdp = rtpmap.sub(rf"\g<1>\g<2>\na=fmtp:{payload_type} usedtx=1\g<2>",
                                    answer_sdp, count=1)
        elif "usedtx=" not in found.group(2):
            answer_sdp = fmtp.sub(r"\g<1>\g<2>;usedtx=1\g<3>", answer_sdp, count=1)
    return answer_sdp


class _ClockFill:
    """Puts back silence on the clock: `FILL_STEP_S` of zeros every `FILL_STEP_S` from `arm()`
    until `disarm()`. A timer, not a timeout on the track's `recv`: cancelling a read that has
    just been handed its frame can lose the cancellation on Python 3.11, and the reader with it.
    """

    def __init__(self, on_pcm: Callable[[np.ndarray], None], rate_hz: int) -> None:
        self._on_pcm = on_pcm
        self._step = np.zeros(round(FILL_STEP_S * rate_hz), dtype=np.int16)
        self._timer: asyncio.TimerHandle | None = None
        self.filled = 0  # samples put back since the last `disarm()`

    def arm(self) -> None:
        self._timer = asyncio.get_running_loop().call_later(FILL_STEP_S, self._fill)

    def _fill(self) -> None:
        self._on_pcm(self._step)
        self.filled += self._step.size
        self.arm()

    def disarm(self) -> int:
        """Stop filling; the samples filled since the last `disarm()`."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        filled, self.filled = self.filled, 0
        return filled


async def read_inbound(
    track: MediaStreamTrack,
    on_pcm: Callable[[np.ndarray], None],
    *,
    rate_hz: int = ASR_RATE_HZ,
    on_frame: Callable[[], None] = lambda: None,
) -> int:
    """Read `track` until it ends; `on_pcm` gets mono int16 PCM at `rate_hz`: each received
    frame (`on_frame` is told of each), and zeros for the silence DTX left out. Returns the
    number of frames read."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate_hz)
    fill = _ClockFill(on_pcm, rate_hz)
    frames = 0
    next_pts: int | None = None  # where the next frame starts, at 48 kHz, if it follows on
    try:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return frames
            filled = fill.disarm()
            if not isinstance(frame, av.AudioFrame):
                continue  # an audio track yields audio frames; anything else carries no sound
            frames += 1
            on_frame()
            if next_pts is not None and frame.pts is not None and frame.pts > next_pts:
                gap = round((frame.pts - next_pts) * rate_hz / SAMPLE_RATE_HZ) - filled
                if gap > 0:
                    on_pcm(np.zeros(gap, dtype=np.int16))
            if frame.pts is not None:
                next_pts = frame.pts + frame.samples
            chunks = [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
            pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
            on_pcm(pcm)
            if pcm.size == 0 or float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) < QUIET_RMS:
                fill.arm()
    finally:
        fill.disarm()
