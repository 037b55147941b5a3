"""The engine's answer asks for DTX, and the silence DTX leaves out is put back: from the
packets' timestamps, and on the wall clock while the microphone is quiet. The end to end
case (a real Chromium sending DTX) is `tests/e2e/test_dtx.py`."""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import Callable, Coroutine
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from bridge.engine.audio import ASR_RATE_HZ, SAMPLE_RATE_HZ, SAMPLES_PER_FRAME
from bridge.engine.inbound import FILL_STEP_S, read_inbound, with_dtx

Arun = Callable[[Coroutine[Any, Any, Any]], Any]

ANSWER = ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\n"
          "a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\n")


def test_the_answer_asks_for_dtx_on_opus_only() -> None:
    out = with_dtx(ANSWER)
    assert "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n" in out
    assert out.count("usedtx") == 1
    assert with_dtx(out) == out


def test_an_opus_format_without_parameters_gets_a_line_of_its_own() -> None:
    answer = "v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 109\na=rtpmap:109 opus/48000/2\na=sendrecv\n"
    assert with_dtx(answer) == ("v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 109\na=rtpmap:109 opus/48000/2\n"
                                "a=fmtp:109 usedtx=1\na=sendrecv\n")


class ScriptedTrack(MediaStreamTrack):
    """Frames at given timestamps (in 48 kHz samples) after given delays, then the end. Like
    aiortc's remote track, a `recv` cancelled while it waits loses nothing."""

    kind = "audio"

    def __init__(self, script: list[tuple[float, int, int]]) -> None:
        super().__init__()
        self._script = script  # (delay before it in s, pts, amplitude)
        self._queue: asyncio.Queue[av.AudioFrame | None] = asyncio.Queue()
        self._feeder: asyncio.Task[None] | None = None

    async def _feed(self) -> None:
        for delay, pts, amplitude in self._script:
            await asyncio.sleep(delay)
            samples = np.full((1, SAMPLES_PER_FRAME), amplitude, dtype=np.int16)
            frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
            frame.sample_rate, frame.pts = SAMPLE_RATE_HZ, pts
            frame.time_base = fractions.Fraction(1, SAMPLE_RATE_HZ)
            self._queue.put_nowait(frame)
        self._queue.put_nowait(None)

    async def recv(self) -> av.AudioFrame:
        if self._feeder is None:
            self._feeder = asyncio.get_running_loop().create_task(self._feed())
        frame = await self._queue.get()
        if frame is None:
            raise MediaStreamError
        return frame


def _read(script: list[tuple[float, int, int]], arun: Arun) -> tuple[list[np.ndarray], int]:
    chunks: list[np.ndarray] = []
    frames = [0]

    def counted() -> None:
        frames[0] += 1

    arun(read_inbound(ScriptedTrack(script), chunks.append, on_frame=counted))
    return chunks, frames[0]


def test_a_gap_in_the_timestamps_comes_back_as_silence(arun: Arun) -> None:
    loud = 8000
    # Two loud frames, then one 400 ms later by its timestamp but at once on the clock.
    chunks, frames = _read([(0, 0, loud), (0, 960, loud), (0, 960 * 21, loud)], arun)
    assert frames == 3
    total = sum(chunk.size for chunk in chunks)
    assert abs(total - round(0.44 * ASR_RATE_HZ)) <= 32  # 3 frames + 380 ms put back
    assert any(chunk.size >= 0.37 * ASR_RATE_HZ and not chunk.any() for chunk in chunks)


def test_quiet_then_nothing_is_filled_on_the_clock_and_not_twice(arun: Arun) -> None:
    # A quiet frame, then the next packet 0.4 s later (by timestamp and by clock).
    started = time.monotonic()
    chunks, frames = _read([(0, 0, 0), (0.4, 960 * 21, 0)], arun)
    assert time.monotonic() - started >= 0.4
    zeros = [chunk for chunk in chunks if chunk.size == round(FILL_STEP_S * ASR_RATE_HZ)]
    assert len(zeros) >= 5  # filled while it waited, before the packet came
    total = sum(chunk.size for chunk in chunks)
    assert frames == 2
    assert abs(total - round(0.44 * ASR_RATE_HZ)) <= 32  # what the timestamps say, once


def test_a_loud_frame_is_never_followed_by_made_up_silence(arun: Arun) -> None:
    chunks, _ = _read([(0, 0, 8000), (0.2, 960, 8000)], arun)
    assert [chunk.size for chunk in chunks if chunk.size and not chunk.any()] == []
