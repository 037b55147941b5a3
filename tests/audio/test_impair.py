"""The impairments a voice meets: each measured on its output by an independent estimate
(pitch from a spectrum peak, duration, level, SNR, a room's decay), not taken on trust."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from bridge.audio import (
    ImpairmentError,
    Impairments,
    add_noise,
    add_reverb,
    change_tempo,
    resample,
    room_response,
    shift_pitch,
    speech_level_db,
)

RATE_HZ = 48000


def _voice_like(f0_hz: float = 150.0, seconds: float = 2.0) -> npt.NDArray[np.float64]:
    """Seven harmonics of ``f0_hz``, like a sustained vowel."""
    t = np.arange(round(seconds * RATE_HZ)) / RATE_HZ
    return np.asarray(sum(6000 / k * np.sin(2 * np.pi * f0_hz * k * t) for k in range(1, 8)))


def _f0(samples: npt.ArrayLike) -> float:
    """The strongest spectral peak between 80 and 400 Hz of the middle second, interpolated."""
    x = np.asarray(samples, dtype=np.float64)
    middle = x[x.size // 2 - RATE_HZ // 2 : x.size // 2 + RATE_HZ // 2]
    size = 8 * middle.size
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size), size))
    frequencies = np.fft.rfftfreq(size, 1 / RATE_HZ)
    band = (frequencies > 80) & (frequencies < 400)
    return float(frequencies[np.argmax(np.where(band, spectrum, 0))])


@pytest.mark.parametrize("cents", [250, -250, 100])
def test_a_pitch_shift_moves_the_pitch_by_its_cents_and_keeps_the_duration(cents: float) -> None:
    voice = _voice_like()
    shifted = shift_pitch(voice, RATE_HZ, cents)
    assert shifted.size == voice.size
    assert 1200 * np.log2(_f0(shifted) / _f0(voice)) == pytest.approx(cents, abs=5)


@pytest.mark.parametrize("speed", [0.88, 1.15])
def test_a_tempo_change_keeps_the_pitch_and_scales_the_duration(speed: float) -> None:
    voice = _voice_like()
    faster = change_tempo(voice, RATE_HZ, speed)
    assert faster.size / voice.size == pytest.approx(1 / speed, rel=0.005)
    assert abs(1200 * np.log2(_f0(faster) / _f0(voice))) < 5


def test_noise_lies_its_snr_below_the_speech_level() -> None:
    speech = np.concatenate([np.zeros(RATE_HZ // 2), _voice_like(seconds=1.0), np.zeros(RATE_HZ // 2)])
    for kind in ("white", "pink"):
        noisy = add_noise(speech, RATE_HZ, kind=kind, snr_db=20, seed=3)
        noise = noisy - speech
        snr = speech_level_db(speech, RATE_HZ) - 10 * np.log10(np.mean(noise**2) / 32768**2)
        assert snr == pytest.approx(20, abs=0.2)


def test_pink_noise_falls_three_db_an_octave() -> None:
    noisy = add_noise(np.full(RATE_HZ * 4, 1000.0), RATE_HZ, kind="pink", snr_db=0, seed=1) - 1000.0
    power = np.abs(np.fft.rfft(noisy)) ** 2
    frequencies = np.fft.rfftfreq(noisy.size, 1 / RATE_HZ)

    def band(low: float) -> float:
        return float(power[(frequencies >= low) & (frequencies < 2 * low)].mean())

    assert 10 * np.log10(band(500) / band(1000)) == pytest.approx(3.0, abs=0.5)


def test_a_room_decays_sixty_db_in_its_rt60() -> None:
    response = room_response(RATE_HZ, rt60_s=0.4, seed=2)
    tail = response[1:] ** 2
    # Schroeder's backward integration; the slope between -5 and -25 dB, extended to -60.
    decay = 10 * np.log10(np.cumsum(tail[::-1])[::-1] / tail.sum())
    t5, t25 = np.argmax(decay < -5), np.argmax(decay < -25)
    assert 3 * (t25 - t5) / RATE_HZ == pytest.approx(0.4, rel=0.1)


def test_reverb_keeps_the_length_and_the_speech_level() -> None:
    voice = _voice_like(seconds=1.0)
    wet = add_reverb(voice, RATE_HZ, rt60_s=0.4, seed=5)
    assert wet.size == voice.size
    assert speech_level_db(wet, RATE_HZ) == pytest.approx(speech_level_db(voice, RATE_HZ), abs=0.1)


def test_impairments_apply_in_order_and_give_int16() -> None:
    voice = _voice_like()
    out = Impairments(speed=1.15, pitch_cents=-250, gain_db=-6).apply(voice, RATE_HZ)
    assert out.dtype == np.int16 and out.size == pytest.approx(voice.size / 1.15, rel=0.005)
    assert 1200 * np.log2(_f0(out) / 150) == pytest.approx(-250, abs=5)
    assert speech_level_db(out, RATE_HZ) == pytest.approx(speech_level_db(voice, RATE_HZ) - 6, abs=0.3)
    assert Impairments().apply(voice, RATE_HZ).tolist() == np.round(voice).astype(np.int16).tolist()


def test_labels_and_checks() -> None:
    assert Impairments().label == "clean"
    assert Impairments(pitch_cents=250, noise="pink").label == "pitch +250 c, pink noise 20 dB"
    for bad in ({"speed": 3.0}, {"pitch_cents": 2000}, {"noise": "brown"}, {"reverb_rt60_s": 0.0}):
        with pytest.raises(ValueError):
            Impairments(**bad)


def test_resampling_keeps_a_tone() -> None:
    tone = 8000 * np.sin(2 * np.pi * 440 * np.arange(RATE_HZ) / RATE_HZ)
    down = resample(tone, RATE_HZ, 16000)
    assert down.size == 16000
    assert np.sqrt(np.mean(down**2)) == pytest.approx(8000 / np.sqrt(2), rel=0.02)


def test_the_package_imports_nothing_else_of_the_bridge() -> None:
    folder = Path(__file__).resolve().parents[2] / "bridge" / "audio"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1 and not (node.module or "").startswith("bridge"), path.name
            elif isinstance(node, ast.Import):
                assert not any(alias.name.startswith("bridge") for alias in node.names), path.name


def test_the_mapping_form_reads_as_the_issue_writes_it() -> None:
    read = Impairments.from_mapping({"noise": {"kind": "white", "snr_db": 10}, "speed": 1.15,
                                     "pitch_cents": -200, "reverb": True, "volume_db": -6})
    assert read == Impairments(speed=1.15, pitch_cents=-200, reverb_rt60_s=0.4, gain_db=-6,
                               noise="white", snr_db=10)
    assert Impairments.from_mapping({"reverb": 0.8}).reverb_rt60_s == 0.8
    assert Impairments.from_mapping({"reverb": False}) == Impairments()
    assert Impairments.from_mapping(None) == Impairments() == Impairments.from_mapping({})
    assert Impairments.from_mapping({"noise": {"kind": "pink"}}).snr_db == 20


@pytest.mark.parametrize("impairments", [
    Impairments(), Impairments(noise="pink", snr_db=10, seed=3), Impairments(speed=0.9),
    Impairments(pitch_cents=200, reverb_rt60_s=0.4), Impairments(reverb_rt60_s=1.2, gain_db=-6)])
def test_the_mapping_form_round_trips(impairments: Impairments) -> None:
    assert Impairments.from_mapping(impairments.to_mapping()) == impairments
    assert (impairments.to_mapping() == {}) is impairments.is_clean


@pytest.mark.parametrize(("mapping", "message"), [
    ({"nosie": {}}, "step 2.impair: unknown key 'nosie' (known: noise, speed"),
    ({"noise": "pink"}, "step 2.impair.noise: expected {kind: white|pink, snr_db: N}"),
    ({"noise": {"kind": "brown"}}, "step 2.impair.noise.kind: expected white or pink, not str"),
    ({"noise": {"kind": "pink", "level": 3}}, "step 2.impair.noise: unknown key 'level'"),
    ({"noise": {"kind": "pink", "snr_db": "10"}}, "step 2.impair.noise.snr_db: expected a number"),
    ({"noise": {"kind": "pink", "snr_db": 99}}, "step 2.impair.noise.snr_db: must be in -20..80"),
    ({"speed": True}, "step 2.impair.speed: expected a number, not bool True"),
    ({"speed": 3}, "step 2.impair.speed: must be in 0.5..2, not 3.0"),
    ({"pitch_cents": 5000}, "step 2.impair.pitch_cents: must be within an octave"),
    ({"reverb": "yes"}, "step 2.impair.reverb: expected true, false or an RT60 in seconds"),
    ({"reverb": 9}, "step 2.impair.reverb: must be in 0.05..5"),
    ({"volume_db": float("nan")}, "step 2.impair.volume_db: expected a number"),
    ({"volume_db": -90}, "step 2.impair.volume_db: must be in -60..40"),
    ({"seed": 1.5}, "step 2.impair.seed: expected a whole number"),
    (["speed"], "step 2.impair: expected a mapping of impairments"),
])
def test_the_mapping_form_names_the_key_it_cannot_use(mapping: Any, message: str) -> None:
    with pytest.raises(ImpairmentError) as caught:
        Impairments.from_mapping(mapping, where="step 2.impair")
    assert str(caught.value).startswith(message), str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_the_voice_before_the_noise_is_the_same_voice() -> None:
    voice = _voice_like(seconds=1.0)
    impairments = Impairments(speed=1.15, gain_db=-3, noise="white", snr_db=10)
    dry, wet = impairments.apply_parts(voice, RATE_HZ)
    assert np.array_equal(wet, impairments.apply(voice, RATE_HZ))
    assert np.array_equal(dry, Impairments(speed=1.15, gain_db=-3).apply(voice, RATE_HZ))
    noise = wet.astype(np.float64) - dry
    assert speech_level_db(dry, RATE_HZ) - 10 * np.log10(np.mean(noise**2) / 32768**2) == \
        pytest.approx(10, abs=0.2)
