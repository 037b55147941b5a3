"""Reading a demo's recording back, for the tests that check what it holds: the streams, the
frames, the sound as mono samples, and how loud it is between two moments."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

SPEECH_RMS = 0.01  # full scale 1.0; espeak-ng speech through Opus is around 0.05–0.1


@dataclass(frozen=True)
class Decoded:
    """A WebM decoded with PyAV: its streams (type, codec), duration, video frames (time, RGB)
    when asked for, and the sound as mono float samples at `rate`."""

    streams: list[tuple[str, str]]
    duration_s: float
    rate: int
    samples: npt.NDArray[np.float64]
    frames: list[tuple[float, npt.NDArray[Any]]] = field(default_factory=list)

    def rms(self, start_s: float, end_s: float) -> float:
        """The sound's RMS level from `start_s` to `end_s` (seconds into the recording)."""
        window = self.samples[max(0, round(start_s * self.rate)) : max(0, round(end_s * self.rate))]
        return float(np.sqrt((window**2).mean())) if window.size else 0.0


def decode(path: Path, *, frames: bool = True) -> Decoded:
    with av.open(str(path)) as container:
        streams = [(str(s.type), s.codec_context.name) for s in container.streams]
        duration_s = (container.duration or 0) / 1e6
    pictures: list[tuple[float, npt.NDArray[Any]]] = []
    if frames:
        with av.open(str(path)) as container:
            pictures = [(float(f.time), f.to_ndarray(format="rgb24"))
                        for f in container.decode(video=0)]
    with av.open(str(path)) as container:
        rate = container.streams.audio[0].rate
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    return Decoded(streams, duration_s, rate, samples.astype(np.float64), pictures)
