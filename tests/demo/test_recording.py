"""Muxing a capture into WebM, without a browser: frames and sound land where they were captured."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from bridge.demo.recording import Capture, audio_track, write_webm
from bridge.errors import RecordingError

RATE = 48_000


def _jpeg(rgb: tuple[int, int, int], width: int = 320, height: int = 240) -> bytes:
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :] = rgb
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuvj420p"
    codec.time_base = Fraction(1, 25)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuvj420p")
    return b"".join(bytes(p) for p in [*codec.encode(frame), *codec.encode(None)])


def _tone(seconds: float, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (np.sin(2 * np.pi * 440 * t) * amplitude * 32767).astype(np.int16)


def test_chunks_are_laid_end_to_end_and_gaps_stay_silent() -> None:
    capture = Capture(started_t=10.0, stopped_t=12.0)
    tone = _tone(0.25)
    # Stamps jitter by a few ms: contiguous. Then a real gap of half a second.
    capture.audio += [(10.5, tone), (10.753, tone), (11.5, tone)]
    track = audio_track(capture)
    assert track.size == 2 * RATE
    assert not track[: RATE // 2].any()
    assert np.array_equal(track[RATE // 2 : RATE // 2 + tone.size * 2], np.concatenate([tone, tone]))
    assert not track[round(1.0 * RATE) + 10 : round(1.5 * RATE)].any()
    assert track[round(1.5 * RATE) : round(1.75 * RATE)].any()


def test_write_webm_has_vp8_and_opus_in_sync(tmp_path: Path) -> None:
    capture = Capture(started_t=10.0, stopped_t=13.0)
    capture.frames += [(10.02, _jpeg((255, 255, 255))), (11.0, _jpeg((0, 0, 255)))]
    capture.audio.append((11.5, _tone(0.5)))
    info = write_webm(capture, tmp_path / "out.webm")
    assert (info.width, info.height, info.video_frames) == (320, 240, 3)
    with av.open(str(tmp_path / "out.webm")) as container:
        assert sorted((s.type, s.codec_context.name) for s in container.streams) == [
            ("audio", "opus"), ("video", "vp8")]
        assert (container.duration or 0) / 1e6 == pytest.approx(3.0, abs=0.1)
    with av.open(str(tmp_path / "out.webm")) as container:
        frames = [(float(f.time), f.to_ndarray(format="rgb24")[5, 5]) for f in
                  container.decode(video=0)]
    blue_at = next(t for t, rgb in frames if rgb[2] > 200 and rgb[0] < 60)
    assert blue_at == pytest.approx(1.0, abs=0.01)
    with av.open(str(tmp_path / "out.webm")) as container:
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    level = np.abs(samples)
    loud = np.flatnonzero(level > 0.05)
    assert loud[0] / RATE == pytest.approx(1.5, abs=0.03)
    assert loud[-1] / RATE == pytest.approx(2.0, abs=0.03)


def test_nothing_to_record_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no screencast frame"):
        write_webm(Capture(started_t=0.0, stopped_t=1.0), tmp_path / "out.webm")
