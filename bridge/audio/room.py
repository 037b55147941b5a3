"""Room and line: reverberation, noise at a signal-to-noise ratio, gain, and the levels they
are set by.

Levels are in dB relative to full scale of int16 audio (0 dB: a square wave at 32768). The
speech level is the RMS of the active frames only (20 ms frames within 40 dB of the loudest),
so silence around an utterance does not lower it; an SNR is that level against the noise's
RMS over the whole signal.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["add_noise", "add_reverb", "as_int16", "change_gain", "rms_db", "room_response",
           "speech_level_db"]

Samples = npt.NDArray[np.float64]
NoiseKind = Literal["white", "pink"]

_FULL_SCALE = 32768.0
_FRAME_S = 0.020
_ACTIVE_RANGE_DB = 40.0


def rms_db(samples: npt.ArrayLike) -> float:
    """RMS level of all of ``samples`` in dBFS (-inf for silence)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    power = float(np.mean(x**2)) if x.size else 0.0
    return 10 * np.log10(power) - 20 * np.log10(_FULL_SCALE) if power > 0 else -np.inf


def speech_level_db(samples: npt.ArrayLike, rate_hz: int) -> float:
    """RMS level in dBFS of the active 20 ms frames (within 40 dB of the loudest)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    size = max(1, round(_FRAME_S * rate_hz))
    frames = x[: x.size // size * size].reshape(-1, size)
    if frames.size == 0:
        return rms_db(x)
    power = np.mean(frames**2, axis=1)
    if not power.max() > 0:
        return -np.inf
    active = power[power >= power.max() * 10 ** (-_ACTIVE_RANGE_DB / 10)]
    return float(10 * np.log10(active.mean()) - 20 * np.log10(_FULL_SCALE))


def change_gain(samples: npt.ArrayLike, gain_db: float) -> Samples:
    """``samples`` made ``gain_db`` louder (negative: quieter)."""
    return np.asarray(samples, dtype=np.float64).reshape(-1) * 10 ** (gain_db / 20)


def noise(size: int, kind: NoiseKind, rng: np.random.Generator) -> Samples:
    """Unit-RMS white or pink (-3 dB per octave) noise."""
    white = rng.standard_normal(size)
    if kind == "pink" and size > 1:
        spectrum = np.fft.rfft(white)
        frequency = np.arange(spectrum.size, dtype=np.float64)
        frequency[0] = 1.0
        white = np.fft.irfft(spectrum / np.sqrt(frequency), n=size)
    elif kind not in ("white", "pink"):
        raise ValueError(f"noise must be white or pink, not {kind!r}")
    rms = float(np.sqrt(np.mean(white**2))) if size else 1.0
    return white / (rms or 1.0)


def add_noise(
    samples: npt.ArrayLike, rate_hz: int, *, kind: NoiseKind, snr_db: float, seed: int = 0
) -> Samples:
    """``samples`` with ``kind`` noise over all of it, ``snr_db`` below the speech level."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    level = speech_level_db(x, rate_hz)
    if not np.isfinite(level):
        return x.copy()
    noise_rms = _FULL_SCALE * 10 ** ((level - snr_db) / 20)
    return x + noise(x.size, kind, np.random.default_rng(seed)) * noise_rms


def room_response(rate_hz: int, *, rt60_s: float = 0.4, direct_to_reverb_db: float = 3.0,
                  seed: int = 0) -> Samples:
    """A room's impulse response: the direct sound, then a diffuse tail of decaying noise that
    falls 60 dB in ``rt60_s``, ``direct_to_reverb_db`` below the direct sound in energy."""
    if not 0.05 <= rt60_s <= 5.0:
        raise ValueError(f"rt60_s must be in 0.05..5, not {rt60_s}")
    rng = np.random.default_rng(seed)
    length = round(rt60_s * rate_hz)
    t = np.arange(length) / rate_hz
    tail = rng.standard_normal(length) * np.exp(-3 * np.log(10) * t / rt60_s)
    # The first reflections come a few milliseconds after the direct sound.
    tail[: round(0.004 * rate_hz)] = 0.0
    tail *= np.sqrt(10 ** (-direct_to_reverb_db / 10) / np.sum(tail**2))
    tail[0] = 1.0
    return np.asarray(tail, dtype=np.float64)


def add_reverb(samples: npt.ArrayLike, rate_hz: int, *, rt60_s: float = 0.4,
               direct_to_reverb_db: float = 3.0, seed: int = 0) -> Samples:
    """``samples`` heard in a room (see `room_response`), as long as before and at the same
    speech level."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if x.size == 0:
        return x.copy()
    response = room_response(rate_hz, rt60_s=rt60_s, direct_to_reverb_db=direct_to_reverb_db, seed=seed)
    size = 1 << int(np.ceil(np.log2(x.size + response.size - 1)))
    wet = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(response, size), size)[: x.size]
    before, after = speech_level_db(x, rate_hz), speech_level_db(wet, rate_hz)
    if np.isfinite(before) and np.isfinite(after):
        wet *= 10 ** ((before - after) / 20)
    return np.asarray(wet, dtype=np.float64)


def as_int16(samples: npt.ArrayLike) -> npt.NDArray[np.int16]:
    """``samples`` rounded to int16, clipped at full scale."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)
