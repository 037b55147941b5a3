"""The measurements that check impairments, on signals whose answer is known: a tone's pitch,
a burst's span, noise of a chosen power against its reference, a room of a chosen decay."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from bridge.audio import add_reverb, speech_level_db
from bridge.audio.measure import (
    align,
    aligned,
    f0_hz,
    f0_track,
    pitch_shift_cents,
    rt60_by_reference_s,
    snr_by_reference_db,
    voiced_duration_s,
    voiced_span_s,
)

RATE_HZ = 48000


def _vowel(f0: float, seconds: float, *, rate: int = RATE_HZ) -> npt.NDArray[np.float64]:
    """Harmonics of ``f0`` with a gliding amplitude, as a sustained vowel."""
    t = np.arange(round(seconds * rate)) / rate
    return np.asarray(sum(5000 / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, 8)))


def _speechlike(seed: int = 0) -> npt.NDArray[np.float64]:
    """Vowels of several pitches after hissed consonants, with pauses, and half a second of
    silence either side."""
    rng = np.random.default_rng(seed)
    parts = [np.zeros(RATE_HZ // 2)]
    for f0 in (110, 130, 120, 100):
        parts += [rng.standard_normal(RATE_HZ // 12) * 800,
                  _vowel(f0, 0.25) * rng.uniform(0.5, 1.0), np.zeros(RATE_HZ // 20)]
    parts.append(np.zeros(RATE_HZ // 2))
    return np.concatenate(parts)


@pytest.mark.parametrize("f0", [90.0, 150.0, 220.0])
def test_yin_finds_a_vowels_pitch_within_a_few_cents(f0: float) -> None:
    assert 1200 * np.log2(f0_hz(_vowel(f0, 0.5), RATE_HZ) / f0) == pytest.approx(0, abs=3)


def test_yin_ignores_silence_and_says_nan_when_nothing_is_voiced() -> None:
    padded = np.concatenate([np.zeros(RATE_HZ), _vowel(150, 0.4), np.zeros(RATE_HZ)])
    assert f0_hz(padded, RATE_HZ) == pytest.approx(150, rel=0.002)
    assert np.isnan(f0_hz(np.zeros(RATE_HZ), RATE_HZ))
    assert np.isnan(f0_hz(np.random.default_rng(1).standard_normal(RATE_HZ) * 1000, RATE_HZ))


def _glide(f0_from: float, f0_to: float, seconds: float) -> npt.NDArray[np.float64]:
    """A vowel whose pitch glides from ``f0_from`` to ``f0_to``, its loudness swelling, after
    a quarter second of silence: intonation, made without any pitch shifter."""
    t = np.arange(round(seconds * RATE_HZ)) / RATE_HZ
    phase = 2 * np.pi * np.cumsum(f0_from + (f0_to - f0_from) * t / seconds) / RATE_HZ
    voice = sum(5000 / k * np.sin(k * phase) for k in range(1, 8)) * np.sin(np.pi * t / seconds)
    return np.concatenate([np.zeros(RATE_HZ // 4), voice, np.zeros(RATE_HZ // 4)])


@pytest.mark.parametrize(("cents", "speed"), [(200, 1.0), (-200, 1.0), (0, 1.15), (150, 0.9)])
def test_a_pitch_shift_is_measured_frame_by_frame_at_any_tempo(cents: float, speed: float) -> None:
    reference = _glide(100, 140, 1.0)
    ratio = 2 ** (cents / 1200)
    said = np.concatenate([np.zeros(1111), _glide(100 * ratio, 140 * ratio, 1.0 / speed)])
    assert pitch_shift_cents(said, reference, RATE_HZ, speed=speed) == pytest.approx(cents, abs=3)
    track = f0_track(reference, RATE_HZ)
    assert np.nanmin(track) == pytest.approx(100, rel=0.03)
    assert np.nanmax(track) == pytest.approx(140, rel=0.03)
    assert np.isnan(pitch_shift_cents(np.zeros(RATE_HZ), reference, RATE_HZ))


def test_alignment_finds_the_lag_either_way() -> None:
    reference = _speechlike()
    assert align(np.concatenate([np.zeros(1234), reference]), reference) == 1234
    assert align(reference[700:], reference) == -700
    later = aligned(np.concatenate([np.zeros(99), reference * 0.5]), reference)
    assert later.size == reference.size and np.allclose(later, reference * 0.5)


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 30.0])
def test_snr_by_reference_recovers_the_noise_below_the_speech_level(snr_db: float) -> None:
    reference = _speechlike()
    level = 10 ** (speech_level_db(reference, RATE_HZ) / 10) * 32768**2
    # Louder by 4 dB and 2,000 samples late: the gain and the lag are found, not assumed.
    gain = 10 ** (4 / 20)
    noise = np.random.default_rng(3).standard_normal(reference.size + 5000)
    captured = noise * gain * np.sqrt(level * 10 ** (-snr_db / 10))
    captured[2000 : 2000 + reference.size] += reference * gain
    assert snr_by_reference_db(captured, reference, RATE_HZ) == pytest.approx(snr_db, abs=0.2)


def test_the_voiced_span_is_where_the_sound_is() -> None:
    x = np.concatenate([np.zeros(RATE_HZ // 4), _vowel(120, 1.0), np.zeros(RATE_HZ // 2)])
    assert voiced_span_s(x, RATE_HZ) == pytest.approx((0.25, 1.25), abs=0.011)
    assert voiced_duration_s(x * 0.1, RATE_HZ) == pytest.approx(1.0, abs=0.011)
    assert voiced_span_s(np.zeros(RATE_HZ), RATE_HZ) == (0.0, 0.0)


@pytest.mark.parametrize("rt60_s", [0.3, 0.4, 0.8])
def test_a_rooms_rt60_is_heard_against_the_dry_speech(rt60_s: float) -> None:
    dry = _speechlike(seed=4)
    wet = add_reverb(dry, RATE_HZ, rt60_s=rt60_s, seed=2)
    assert rt60_by_reference_s(wet, dry, RATE_HZ) == pytest.approx(rt60_s, rel=0.15)
    assert rt60_by_reference_s(dry, dry, RATE_HZ) < 0.05
