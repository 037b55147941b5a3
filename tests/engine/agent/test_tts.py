"""The agent's voice (espeak-ng at 48 kHz) and the utterance WAVs used by tests and demos."""

from __future__ import annotations

import struct
import wave
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bridge.drive.synthesis import read_wav, synthesize_utterance_wav, voices, write_wav
from bridge.engine.agent.tts import Pcm, parse_wav, resample, synthesize
from bridge.errors import SpeechError

Arun = Callable[[Coroutine[Any, Any, Any]], Any]


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt((samples.astype(np.float64) ** 2).mean())) if samples.size else 0.0


def test_synthesize_returns_48khz_speech(arun: Arun) -> None:
    pcm = arun(synthesize("The background is now blue."))
    assert pcm.sample_rate_hz == 48000
    assert pcm.samples.dtype == np.int16 and pcm.samples.ndim == 1
    assert 0.8 < pcm.duration_s < 5.0
    assert _rms(pcm.samples) > 500


def test_rate_changes_the_duration(arun: Arun) -> None:
    slow = arun(synthesize("one two three four five six", rate_wpm=120))
    fast = arun(synthesize("one two three four five six", rate_wpm=300))
    assert slow.duration_s > 1.5 * fast.duration_s


@pytest.mark.parametrize(
    "text", ["-v nonsense --stdout", "say \"quoted\" and 'single' words", "ünïcödé ✓ 日本 \x00 nul"]
)
def test_any_text_is_spoken_not_interpreted(arun: Arun, text: str) -> None:
    pcm = arun(synthesize(text))
    assert pcm.sample_rate_hz == 48000 and pcm.samples.size > 4800


def test_empty_text_is_empty_audio(arun: Arun) -> None:
    pcm = arun(synthesize("  \n "))
    assert pcm.samples.size == 0 and pcm.sample_rate_hz == 48000


def test_unknown_voice_is_a_speech_error(arun: Arun) -> None:
    with pytest.raises(SpeechError, match="voice"):
        arun(synthesize("hello", voice="nosuchvoice"))
    with pytest.raises(SpeechError, match="invalid"):
        arun(synthesize("hello", voice="--stdin"))


def test_missing_espeak_is_a_speech_error(arun: Arun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SpeechError, match="espeak-ng is not installed"):
        arun(synthesize("hello"))


def test_resample_keeps_pitch_and_length() -> None:
    rate = 22050
    t = np.arange(rate) / rate
    tone = Pcm((np.sin(2 * np.pi * 440 * t) * 10000).astype(np.int16), rate)
    for target in (48000, 16000):
        out = resample(tone, target)
        assert out.sample_rate_hz == target
        assert abs(out.samples.size - target) <= target // 100  # flushed: nothing held back
        spectrum = np.abs(np.fft.rfft(out.samples.astype(np.float64)))
        peak_hz = np.argmax(spectrum) * target / out.samples.size
        assert abs(peak_hz - 440) < 3


def test_parse_wav_accepts_a_streamed_header() -> None:
    samples = np.arange(-500, 500, dtype=np.int16)
    fmt = struct.pack("<HHIIHH", 1, 1, 22050, 44100, 2, 16)
    # espeak-ng --stdout declares ~2 GB of data because it cannot seek back to fix the size.
    data = (b"RIFF" + struct.pack("<I", 0x7FFFFFFF) + b"WAVE" + b"fmt " + struct.pack("<I", 16)
            + fmt + b"data" + struct.pack("<I", 0x7FFFF000) + samples.tobytes())  # fmt: skip
    pcm = parse_wav(data)
    assert pcm.sample_rate_hz == 22050 and np.array_equal(pcm.samples, samples)
    with pytest.raises(SpeechError):
        parse_wav(b"not a wav at all")


@pytest.mark.parametrize(("synth", "rate_hz"), [("espeak-ng", 48000), ("flite", 16000)])
def test_utterance_wav_is_16bit_mono_with_silence(tmp_path: Path, synth: str, rate_hz: int) -> None:
    path = synthesize_utterance_wav(
        "make the button bigger", tmp_path / "u.wav", synth=synth,  # type: ignore[arg-type]
        sample_rate_hz=rate_hz, lead_silence_s=0.5, tail_silence_s=1.0,
    )  # fmt: skip
    with wave.open(str(path)) as file:
        assert file.getsampwidth() == 2  # 16-bit: Chromium plays 24-bit PCM as silence
        assert file.getnchannels() == 1
        assert file.getframerate() == rate_hz
    pcm = read_wav(path)
    lead, tail = int(0.5 * rate_hz), int(1.0 * rate_hz)
    assert not pcm.samples[:lead].any() and not pcm.samples[-tail:].any()
    assert _rms(pcm.samples[lead:-tail]) > 500


def test_noise_is_mixed_at_the_requested_ratio(tmp_path: Path) -> None:
    clean = read_wav(synthesize_utterance_wav("make the text red", tmp_path / "c.wav"))
    for kind in ("white", "pink"):
        noisy = read_wav(synthesize_utterance_wav(
            "make the text red", tmp_path / f"{kind}.wav", noise_snr_db=20, noise=kind
        ))  # fmt: skip
        lead = noisy.samples[: int(0.45 * noisy.sample_rate_hz)]
        speech = clean.samples[int(0.5 * 48000) : -48000]
        # level in the leading "silence" is now the noise, about 20 dB under the speech
        ratio_db = 20 * np.log10(_rms(speech) / _rms(lead))
        assert 14 < ratio_db < 26, (kind, ratio_db)


def test_voices_lists_what_is_installed() -> None:
    assert "en-us" in voices("espeak-ng")
    assert {"slt", "kal"} <= set(voices("flite"))


def test_write_and_read_round_trip(tmp_path: Path) -> None:
    pcm = Pcm(np.array([0, 1, -1, 32767, -32768], dtype=np.int16), 8000)
    again = read_wav(write_wav(tmp_path / "r.wav", pcm))
    assert again.sample_rate_hz == 8000 and np.array_equal(again.samples, pcm.samples)
