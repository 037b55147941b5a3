"""Impaired speech, checked where the page sends it: each impairment `say` applies is measured
in what the voice page's outgoing mix carried (its mix tap, beside the microphone track, before
WebRTC encodes it), by estimates that do not use the impairment code: the SNR against the clean
speech, the voiced duration, the speech level, the pitch (YIN, frame by frame against the clean
speech) and a room's RT60. And an impaired command still becomes a verified tool call.

The figures are printed (`pytest -n 0 -s tests/e2e/test_impaired_speech.py`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from bridge.audio import Impairments, speech_level_db
from bridge.audio.measure import (
    align,
    aligned,
    pitch_shift_cents,
    rt60_by_reference_s,
    snr_by_reference_db,
    voiced_duration_s,
)
from bridge.drive.handle import BridgeHandle
from bridge.drive.impaired import decode_mono, encode_wav, voiced_end_s
from bridge.drive.speaking import Utterance, synthesize_wav
from bridge.events.records import UserAudio, all_of

pytestmark = pytest.mark.e2e

TEXT = "make the background blue"
RATE_HZ = 48_000
Int16 = npt.NDArray[np.int16]


@pytest.fixture(scope="module")
def clean() -> Int16:
    """The speech as synthesised, before any impairment: the reference."""
    return decode_mono(synthesize_wav(TEXT), RATE_HZ)


def _tapped(bridge: BridgeHandle, impair: Impairments) -> tuple[Utterance, Int16]:
    with bridge.tap_outgoing() as tap:
        said = bridge.say(TEXT, impair=impair)
    assert said.impaired is not None and tap.rate_hz == RATE_HZ
    assert tap.samples.size > said.impaired.samples.size
    return said, tap.samples


def _cents(captured: Int16, reference: Int16, *, speed: float = 1.0) -> float:
    return pitch_shift_cents(captured, reference, RATE_HZ, speed=speed)


def _duration_ratio(captured: Int16, reference: Int16) -> float:
    return voiced_duration_s(captured, RATE_HZ) / voiced_duration_s(reference, RATE_HZ)


def _level_change_db(captured: Int16, reference: Int16) -> float:
    return speech_level_db(captured, RATE_HZ) - speech_level_db(reference, RATE_HZ)


def test_an_impaired_command_is_verified(voice_page: BridgeHandle) -> None:
    said = voice_page.say(TEXT, impair=Impairments(noise="pink", snr_db=20))
    call = voice_page.wait_for_tool("changeBackgroundColor", {"color": "blue"}, after=said.mark,
                                    timeout_s=20)
    assert call.verified is True, call.reason
    [record] = all_of(UserAudio, voice_page.events(after=said.mark))
    assert record.impairments == {"noise": {"kind": "pink", "snr_db": 20.0}}


@pytest.mark.parametrize("kind", ["white", "pink"])
def test_noise_is_at_its_snr_in_the_outgoing_mix(rtc_bridge: BridgeHandle, clean: Int16,
                                                 kind: str) -> None:
    _, captured = _tapped(rtc_bridge, Impairments(noise=kind, snr_db=10, seed=7))  # type: ignore[arg-type]
    snr = snr_by_reference_db(captured, clean, RATE_HZ)
    print(f"\n{kind} noise at 10 dB: {snr:.2f} dB at the tap")
    assert snr == pytest.approx(10, abs=1.0)


def test_a_faster_tempo_shortens_the_words_keeps_the_pitch_and_ends_them_sooner(
        rtc_bridge: BridgeHandle, clean: Int16) -> None:
    said, captured = _tapped(rtc_bridge, Impairments(speed=1.15))
    ratio, cents = _duration_ratio(captured, clean), _cents(captured, clean, speed=1.15)
    print(f"\ntempo 1.15: duration x{ratio:.4f} (want x{1 / 1.15:.4f}), pitch {cents:+.1f} c")
    assert ratio == pytest.approx(1 / 1.15, rel=0.02)
    assert abs(cents) <= 20
    # `ended_t` is where the impaired words ended, as the tap heard them.
    assert said.impaired is not None
    start = align(captured, said.impaired.samples)
    heard_end_s = voiced_end_s(captured[start:], RATE_HZ)
    assert said.ended_t - said.started_t == pytest.approx(heard_end_s, abs=0.025)
    assert heard_end_s < voiced_end_s(clean, RATE_HZ) / 1.1


@pytest.mark.parametrize("cents", [200, -200])
def test_a_pitch_shift_moves_the_pitch_and_keeps_the_duration(
        rtc_bridge: BridgeHandle, clean: Int16, cents: float) -> None:
    _, captured = _tapped(rtc_bridge, Impairments(pitch_cents=cents))
    shift, ratio = _cents(captured, clean), _duration_ratio(captured, clean)
    print(f"\npitch {cents:+g} c: {shift:+.1f} c at the tap, duration x{ratio:.4f}")
    assert shift == pytest.approx(cents, abs=20)
    assert ratio == pytest.approx(1.0, rel=0.02)


def test_reverb_keeps_the_level_and_brings_the_room(rtc_bridge: BridgeHandle,
                                                    clean: Int16) -> None:
    _, captured = _tapped(rtc_bridge, Impairments(reverb_rt60_s=0.4))
    level, rt60 = _level_change_db(captured, clean), rt60_by_reference_s(captured, clean, RATE_HZ)
    print(f"\nreverb 0.4 s: level {level:+.2f} dB, RT60 {rt60:.3f} s at the tap")
    assert abs(level) <= 1.0
    assert rt60 == pytest.approx(0.4, rel=0.15)


def test_a_volume_change_moves_the_level_and_nothing_else(rtc_bridge: BridgeHandle,
                                                          clean: Int16) -> None:
    _, captured = _tapped(rtc_bridge, Impairments(gain_db=-6))
    level, ratio = _level_change_db(captured, clean), _duration_ratio(captured, clean)
    print(f"\nvolume -6 dB: level {level:+.2f} dB at the tap, duration x{ratio:.4f}")
    assert level == pytest.approx(-6, abs=1.0)
    assert ratio == pytest.approx(1.0, rel=0.02)


def test_the_tap_hears_the_outgoing_mix_alone(rtc_bridge: BridgeHandle, clean: Int16,
                                              tmp_path: Path) -> None:
    """A 48 kHz WAV played unimpaired comes back sample for sample: the agent's answer to the
    tests before (still playing at the page) is not in it."""
    wav = tmp_path / "clean.wav"
    wav.write_bytes(encode_wav(clean, RATE_HZ))
    with rtc_bridge.tap_outgoing() as tap:
        rtc_bridge.play(wav)
    segment = aligned(tap.samples, clean)
    assert np.abs(segment - clean).max() <= 1
