"""Tempo and pitch: WSOLA time stretching (pitch kept) and band-limited resampling.

WSOLA (waveform similarity overlap-add) cuts the signal into overlapping windowed frames and
lays them out at a new spacing, each frame shifted by up to ``tolerance`` so that it continues
the waveform of the frame before it: the pitch periods stay whole, so the pitch is kept. A
pitch shift is a stretch by the pitch factor followed by resampling back to the first length.
"""

from __future__ import annotations

import math

import av
import numpy as np
import numpy.typing as npt

__all__ = ["change_tempo", "resample", "shift_pitch", "stretch"]

Samples = npt.NDArray[np.float64]

_FRAME_S = 0.040
_TOLERANCE_S = 0.012
# The similarity search runs on the signal decimated to about 4 kHz, then is refined at full
# rate around the best lag: the same choice at a twentieth of the cost.
_SEARCH_RATE_HZ = 4000


def stretch(samples: npt.ArrayLike, rate_hz: int, factor: float) -> Samples:
    """``samples`` made ``factor`` times as long (``factor`` > 1 slower), the pitch kept."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if not 0.25 <= factor <= 4.0:
        raise ValueError(f"stretch factor must be in 0.25..4, not {factor}")
    if x.size == 0 or factor == 1.0:
        return x.copy()
    frame = 2 * round(_FRAME_S * rate_hz / 2)
    hop_out = frame // 2
    hop_in = hop_out / factor
    tolerance = round(_TOLERANCE_S * rate_hz)
    step = max(1, rate_hz // _SEARCH_RATE_HZ)
    window = np.hanning(frame + 1)[:frame]  # periodic: halves overlap-add to exactly 1
    tail = 2 * frame + 2 * tolerance + 2 * math.ceil(hop_in)
    padded = np.concatenate([np.zeros(tolerance + frame), x, np.zeros(tail)])
    offset = tolerance + frame
    length = round(x.size * factor)
    count = length // hop_out + 2
    out = np.zeros(count * hop_out + frame)
    weight = np.zeros_like(out)
    previous = offset
    for k in range(count):
        nominal = offset + round(k * hop_in)
        if k == 0:
            position = nominal
        else:
            position = nominal + _best_lag(padded, previous + hop_out, nominal, frame, tolerance, step)
        out[k * hop_out : k * hop_out + frame] += padded[position : position + frame] * window
        weight[k * hop_out : k * hop_out + frame] += window
        previous = position
    # Where only the first frame's rising half covers the output, dividing by the window
    # gives back the input itself.
    return (out / np.maximum(weight, 1e-3))[:length]


def _best_lag(x: Samples, natural: int, nominal: int, frame: int, tolerance: int, step: int) -> int:
    """The shift within ±``tolerance`` of ``nominal`` whose frame best continues ``natural``."""
    template = x[natural : natural + frame]
    region = x[nominal - tolerance : nominal + tolerance + frame]
    coarse = _correlate(region[::step], template[::step])
    best = int(np.argmax(coarse)) * step
    low, high = max(0, best - step), min(2 * tolerance, best + step)
    fine = _correlate(region[low : high + frame], template)
    return low + int(np.argmax(fine)) - tolerance


def _correlate(region: Samples, template: Samples) -> Samples:
    """Normalised cross-correlation of ``template`` at every offset inside ``region``."""
    scores = np.correlate(region, template, mode="valid")
    energy = np.convolve(region**2, np.ones(template.size), mode="valid")
    return np.asarray(scores / np.sqrt(energy + 1e-9), dtype=np.float64)


def change_tempo(samples: npt.ArrayLike, rate_hz: int, speed: float) -> Samples:
    """``samples`` said ``speed`` times as fast (1.15: 15 % faster, shorter), the pitch kept."""
    if speed <= 0:
        raise ValueError(f"speed must be positive, not {speed}")
    return stretch(samples, rate_hz, 1.0 / speed)


def shift_pitch(samples: npt.ArrayLike, rate_hz: int, cents: float) -> Samples:
    """``samples`` with every frequency moved by ``cents`` (1200 to the octave), same duration."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if cents == 0 or x.size == 0:
        return x.copy()
    ratio = 2.0 ** (cents / 1200.0)
    longer = stretch(x, rate_hz, ratio)
    # Played at rate * ratio, the stretched audio has the first duration and a pitch * ratio.
    faster = resample(longer, round(rate_hz * ratio), rate_hz)
    if faster.size >= x.size:
        return faster[: x.size]
    return np.concatenate([faster, np.zeros(x.size - faster.size)])


def resample(samples: npt.ArrayLike, from_hz: int, to_hz: int) -> Samples:
    """``samples`` at ``from_hz`` resampled to ``to_hz`` (libswresample, flushed)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if from_hz <= 0 or to_hz <= 0:
        raise ValueError(f"rates must be positive, not {from_hz} and {to_hz}")
    if from_hz == to_hz or x.size == 0:
        return x.copy()
    scale = max(1.0, float(np.abs(x).max()))
    frame = av.AudioFrame.from_ndarray((x / scale).astype(np.float32).reshape(1, -1), format="flt",
                                       layout="mono")
    frame.sample_rate = from_hz
    resampler = av.AudioResampler(format="flt", layout="mono", rate=to_hz)
    chunks = [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
    chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    joined = np.concatenate(chunks) if chunks else np.zeros(0)
    expected = math.ceil(x.size * to_hz / from_hz)
    return np.asarray(joined[:expected], dtype=np.float64) * scale
