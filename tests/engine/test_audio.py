"""The engine's outbound track: paced frames, and nothing on the wire while it has nothing to
say (after a short tail of silence), resuming on the wall clock."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from bridge.engine import audio
from bridge.engine.audio import SAMPLES_PER_FRAME, OutboundAudioTrack
from tests.conftest import run_async


def test_a_silent_track_keeps_sending_silence() -> None:
    async def scenario() -> int:
        track = OutboundAudioTrack()
        for _ in range(3):
            frame = await asyncio.wait_for(track.recv(), 1.0)
        assert frame.pts is not None
        return frame.pts

    assert run_async(scenario()) == 2 * SAMPLES_PER_FRAME


def test_a_pausing_track_sends_nothing_until_it_has_audio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio, "_HANGOVER_S", 0.05)

    async def scenario() -> None:
        track = OutboundAudioTrack(send_silence=False)
        waiting = asyncio.ensure_future(track.recv())
        await asyncio.sleep(0.1)
        assert not waiting.done()  # nothing played yet: nothing sent
        clip = track.play(np.full(SAMPLES_PER_FRAME, 1000, dtype=np.int16))
        first = await asyncio.wait_for(waiting, 1.0)
        assert first.pts == 0 and clip.started.done()
        assert np.abs(first.to_ndarray()).max() == 1000
        # The tail: silence for the hangover, then quiet again.
        tail = await asyncio.wait_for(track.recv(), 1.0)
        assert np.abs(tail.to_ndarray()).max() == 0
        last = tail
        for _ in range(20):  # a frame is due every 20 ms; a paused track gives none in 100 ms
            pending = asyncio.ensure_future(track.recv())
            done, _ = await asyncio.wait({pending}, timeout=0.1)
            if not done:
                break
            last = pending.result()
        assert not pending.done()
        await asyncio.sleep(0.2)
        track.play(np.full(SAMPLES_PER_FRAME, 500, dtype=np.int16))
        resumed = await asyncio.wait_for(pending, 1.0)
        assert resumed.pts is not None and last.pts is not None
        # Its timestamp is where the wall clock is: the pause shows as a gap.
        assert resumed.pts >= last.pts + 10 * SAMPLES_PER_FRAME
        assert resumed.pts % SAMPLES_PER_FRAME == 0
        track.stop()

    run_async(scenario())


def test_stopping_a_paused_track_ends_it() -> None:
    async def scenario() -> None:
        track = OutboundAudioTrack(send_silence=False)
        waiting = asyncio.ensure_future(track.recv())
        await asyncio.sleep(0.02)
        track.stop()
        with pytest.raises(MediaStreamError):
            await asyncio.wait_for(waiting, 1.0)

    run_async(scenario())
