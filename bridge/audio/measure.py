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

__all__ = ["align", "aligned", "f0_hz", "f0_track", "pitch_shift_cents", "rt60_by_reference_s",
           "snr_by_reference_db", "voiced_duration_s", "voiced_span_s"]

Samples = npt.NDArray[np.float64]

_SPAN_FRAME_S = 0.005
_SPAN_BELOW_PEAK_DB = 35.0
_YIN_FRAME_S = 0.030
_YIN_HOP_S = 0.0025
# The share of voiced frames left out at either end before averaging (octave errors, glides).
_YIN_TRIM = 0.1
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
    """Where the words begin and end (seconds): the first and last 5 ms frame within
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


def f0_track(samples: npt.ArrayLike, rate_hz: int, *, low_hz: float = 60.0,
             high_hz: float = 400.0) -> Samples:
    """The fundamental frequency every 2.5 ms (frame k starts at sample k * hop), NaN where
    the frame is quiet (25 dB below the loudest) or not voiced. YIN: the cumulative-mean-
    normalised difference function, its first dip below 0.15, refined by a parabola."""
    x = _floats(samples)
    frame, hop = round(_YIN_FRAME_S * rate_hz), round(_YIN_HOP_S * rate_hz)
    longest, shortest = int(np.ceil(rate_hz / low_hz)), int(rate_hz // high_hz)
    span = frame + longest
    if x.size < span:
        return np.zeros(0)
    windows = x[np.arange(0, x.size - span + 1, hop)[:, None] + np.arange(span)]
    size = 1 << int(np.ceil(np.log2(span + frame)))
    correlation = np.fft.irfft(np.fft.rfft(windows, size) *
                               np.conj(np.fft.rfft(windows[:, :frame], size)), size)
    squares = np.concatenate([np.zeros((windows.shape[0], 1)), np.cumsum(windows**2, axis=1)],
                             axis=1)
    energy = squares[:, frame]
    lagged = squares[:, frame : frame + longest + 1] - squares[:, : longest + 1]
    difference = np.maximum(energy[:, None] + lagged - 2 * correlation[:, : longest + 1], 0.0)
    normalised = np.ones_like(difference)
    normalised[:, 1:] = difference[:, 1:] * np.arange(1, longest + 1) / np.maximum(
        np.cumsum(difference[:, 1:], axis=1), 1e-12)
    loud = (energy > 0) & (energy >= energy.max() * 10 ** (-_YIN_BELOW_PEAK_DB / 10))
    track = np.full(windows.shape[0], np.nan)
    for k in np.flatnonzero(loud):
        period = _yin_period(normalised[k], shortest, longest)
        if period is not None:
            track[k] = rate_hz / period
    return track


def _yin_period(normalised: Samples, shortest: int, longest: int) -> float | None:
    """One frame's period in samples from its normalised difference, None if not voiced."""
    below = np.flatnonzero(normalised[shortest : longest + 1] < _YIN_THRESHOLD)
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


def f0_hz(samples: npt.ArrayLike, rate_hz: int) -> float:
    """The voice's fundamental frequency: a trimmed mean (10 % off either end) of the log of
    `f0_track` over its voiced frames; frames every 2.5 ms make it an integral over the voice
    that does not move with where the frames fall. NaN when no frame is voiced."""
    voiced = np.sort(f0_track(samples, rate_hz))
    voiced = voiced[np.isfinite(voiced)]
    if voiced.size == 0:
        return float("nan")
    cut = int(voiced.size * _YIN_TRIM)
    return float(np.exp2(np.mean(np.log2(voiced[cut : voiced.size - cut]))))


def pitch_shift_cents(captured: npt.ArrayLike, reference: npt.ArrayLike, rate_hz: int, *,
                      speed: float = 1.0) -> float:
    """How far the pitch of ``captured`` lies from that of ``reference`` (cents), for the same
    words said ``speed`` times as fast: the two lined up by their loudness envelopes (which a
    pitch shift keeps, unlike the waveform), then the median, over the frames voiced in both,
    of the difference of their `f0_track`s. NaN when no frame is voiced in both."""
    y, x = _floats(captured), _floats(reference)
    hop = round(_YIN_HOP_S * rate_hz)
    envelope_x = _envelope(x, hop)
    said = np.interp(np.arange(0, envelope_x.size, speed), np.arange(envelope_x.size), envelope_x)
    lag = align(_envelope(y, hop), said)
    track_x, track_y = f0_track(x, rate_hz), f0_track(y, rate_hz)
    index = np.round((np.arange(track_y.size) - lag) * speed).astype(int)
    inside = (index >= 0) & (index < track_x.size)
    pairs = np.full(track_y.size, np.nan)
    pairs[inside] = track_x[index[inside]]
    both = np.isfinite(pairs) & np.isfinite(track_y)
    if not both.any():
        return float("nan")
    return float(np.median(1200 * np.log2(track_y[both] / pairs[both])))


def _envelope(x: Samples, hop: int) -> Samples:
    """RMS over 20 ms (longer than a pitch period, so the waveform does not show) every hop."""
    width = 8 * hop
    squares = np.concatenate([[0.0], np.cumsum(x**2)])
    starts = np.arange(0, max(1, x.size - width + 1), hop)
    ends = np.minimum(starts + width, x.size)
    return np.asarray(np.sqrt((squares[ends] - squares[starts]) / width), dtype=np.float64)


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
