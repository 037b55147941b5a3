"""Measuring what a voice became, from the signal alone: where a reference lies in a capture,
the SNR against that reference, where the words begin and end, the pitch (YIN), and a room's
decay. Independent of how the impairments were made, so that they can check them.

    lag = align(captured, clean)
    snr = snr_by_reference_db(captured, clean, 48000)
    shift = 1200 * log2(f0_hz(captured, 48000) / f0_hz(clean, 48000))
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .room import rms_db, speech_level_db

__all__ = ["align", "aligned", "f0_hz", "rt60_by_reference_s", "snr_by_reference_db",
           "voiced_duration_s", "voiced_span_s"]

Samples = npt.NDArray[np.float64]

_SPAN_FRAME_S = 0.010
_SPAN_BELOW_PEAK_DB = 35.0
_YIN_FRAME_S = 0.030
_YIN_HOP_S = 0.010
_YIN_THRESHOLD = 0.15
_YIN_BELOW_PEAK_DB = 25.0


def _floats(samples: npt.ArrayLike) -> Samples:
    return np.asarray(samples, dtype=np.float64).reshape(-1)


def align(captured: npt.ArrayLike, reference: npt.ArrayLike) -> int:
    """Where ``reference`` starts in ``captured`` (samples; negative if it started before the
    capture): the peak of their cross-correlation."""
    y, x = _floats(captured), _floats(reference)
    if x.size == 0 or y.size == 0:
        raise ValueError("nothing to align: an empty signal")
    size = 1 << int(np.ceil(np.log2(y.size + x.size)))
    correlation = np.fft.irfft(np.fft.rfft(y, size) * np.conj(np.fft.rfft(x, size)), size)
    lag = int(np.argmax(correlation))
    return lag - size if lag > size - x.size else lag


def aligned(captured: npt.ArrayLike, reference: npt.ArrayLike) -> Samples:
    """The stretch of ``captured`` that lines up with ``reference`` (as long; zeros where the
    capture did not reach)."""
    y, x = _floats(captured), _floats(reference)
    lag = align(y, x)
    out = np.zeros(x.size)
    start, end = max(0, lag), min(y.size, lag + x.size)
    if end > start:
        out[start - lag : end - lag] = y[start:end]
    return out


def snr_by_reference_db(captured: npt.ArrayLike, reference: npt.ArrayLike, rate_hz: int) -> float:
    """The SNR of ``captured`` as `add_noise` defines it: the speech level of the reference
    as captured (its least-squares gain, after alignment) against the RMS of what is left
    (the noise), over the reference's span."""
    x = _floats(reference)
    segment = aligned(captured, x)
    gain = float(segment @ x / (x @ x)) if x.any() else 0.0
    residual = segment - gain * x
    return speech_level_db(gain * x, rate_hz) - rms_db(residual)


def voiced_span_s(samples: npt.ArrayLike, rate_hz: int, *,
                  below_peak_db: float = _SPAN_BELOW_PEAK_DB) -> tuple[float, float]:
    """Where the words begin and end (seconds): the first and last 10 ms frame within
    ``below_peak_db`` of the loudest. (0, 0) for silence."""
    power = _frame_power(_floats(samples), round(_SPAN_FRAME_S * rate_hz))
    if power.size == 0 or not power.max() > 0:
        return 0.0, 0.0
    active = np.flatnonzero(power >= power.max() * 10 ** (-below_peak_db / 10))
    return float(active[0]) * _SPAN_FRAME_S, float(active[-1] + 1) * _SPAN_FRAME_S


def voiced_duration_s(samples: npt.ArrayLike, rate_hz: int, *,
                      below_peak_db: float = _SPAN_BELOW_PEAK_DB) -> float:
    """How long the words last, from where they begin to where they end (`voiced_span_s`)."""
    start, end = voiced_span_s(samples, rate_hz, below_peak_db=below_peak_db)
    return end - start


def _frame_power(x: Samples, size: int) -> Samples:
    frames = x[: x.size // size * size].reshape(-1, size)
    return np.asarray(np.mean(frames**2, axis=1), dtype=np.float64)


def f0_hz(samples: npt.ArrayLike, rate_hz: int, *, low_hz: float = 60.0,
          high_hz: float = 400.0) -> float:
    """The median fundamental frequency over the voiced frames (YIN: the cumulative-mean-
    normalised difference function, its first dip below 0.15, refined by a parabola). NaN
    when no frame is voiced."""
    x = _floats(samples)
    frame, hop = round(_YIN_FRAME_S * rate_hz), round(_YIN_HOP_S * rate_hz)
    longest, shortest = int(np.ceil(rate_hz / low_hz)), int(rate_hz // high_hz)
    span = frame + longest
    if x.size < span:
        return float("nan")
    starts = np.arange(0, x.size - span + 1, hop)
    windows = x[starts[:, None] + np.arange(span)]
    energy = np.sum(windows[:, :frame] ** 2, axis=1)
    loud = energy >= energy.max() * 10 ** (-_YIN_BELOW_PEAK_DB / 10)
    pitches = [_yin_period(w, frame, shortest, longest) for w in windows[loud & (energy > 0)]]
    periods = np.array([p for p in pitches if p is not None])
    return float(rate_hz / np.median(periods)) if periods.size else float("nan")


def _yin_period(window: Samples, frame: int, shortest: int, longest: int) -> float | None:
    """One frame's period in samples, or None when it is not voiced."""
    size = 1 << int(np.ceil(np.log2(window.size + frame)))
    head = window[:frame]
    correlation = np.fft.irfft(np.fft.rfft(window, size) * np.conj(np.fft.rfft(head, size)),
                               size)[: longest + 1]
    squares = np.concatenate([[0.0], np.cumsum(window**2)])
    lagged = squares[frame : frame + longest + 1] - squares[: longest + 1]
    difference = np.maximum(squares[frame] + lagged - 2 * correlation, 0.0)
    taus = np.arange(1, longest + 1)
    normalised = np.ones(longest + 1)
    normalised[1:] = difference[1:] * taus / np.maximum(np.cumsum(difference[1:]), 1e-12)
    below = np.flatnonzero(normalised[shortest:] < _YIN_THRESHOLD)
    if below.size == 0:
        return None
    tau = shortest + int(below[0])
    while tau + 1 <= longest and normalised[tau + 1] < normalised[tau]:
        tau += 1
    if tau + 1 > longest:
        return float(tau)
    left, middle, right = normalised[tau - 1 : tau + 2]
    bend = left - 2 * middle + right
    return tau + (0.5 * (left - right) / bend if bend > 0 else 0.0)


def rt60_by_reference_s(captured: npt.ArrayLike, reference: npt.ArrayLike, rate_hz: int, *,
                        band_hz: tuple[float, float] = (200.0, 4000.0)) -> float:
    """A room's RT60 heard in ``captured``: its impulse response from ``reference`` (aligned;
    deconvolved within ``band_hz``, where speech has energy), then a line fitted to its
    energy in 10 ms bins from 5 ms after the direct sound down to 10 dB above the floor,
    extended to -60 dB."""
    x = _floats(reference)
    y = aligned(captured, x)
    size = 1 << int(np.ceil(np.log2(2 * x.size)))
    spectrum_x, spectrum_y = np.fft.rfft(x, size), np.fft.rfft(y, size)
    frequencies = np.fft.rfftfreq(size, 1 / rate_hz)
    # A smooth band (a raised cosine in log frequency) rings for less than a sharp one.
    octaves = np.log2(np.maximum(frequencies, 1.0) / band_hz[0]) / np.log2(band_hz[1] / band_hz[0])
    band = np.where((octaves > 0) & (octaves < 1), np.sin(np.pi * np.clip(octaves, 0, 1)) ** 2, 0.0)
    floor = 1e-3 * float(np.mean(np.abs(spectrum_x[band > 0.5]) ** 2))
    response = band * spectrum_y * np.conj(spectrum_x) / (np.abs(spectrum_x) ** 2 + floor)
    tail = np.fft.irfft(response, size)[round(0.005 * rate_hz) : x.size]
    bin_size = round(0.010 * rate_hz)
    energy = 10 * np.log10(_frame_power(tail, bin_size) + 1e-30)
    noise = float(np.median(energy[energy.size // 2 :]))
    above = np.flatnonzero(energy < noise + 10)
    end = int(above[0]) if above.size else energy.size
    if end < 3:
        return 0.0
    slope = np.polyfit(np.arange(end) * 0.010, energy[:end], 1)[0]
    return float(-60 / slope) if slope < 0 else float("inf")
