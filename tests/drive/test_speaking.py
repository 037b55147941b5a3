"""Utterances for the live microphone: synthesis with a chosen voice, and where the words end."""

from __future__ import annotations

import io
import shutil
import wave

import numpy as np
import pytest

from bridge.drive.speaking import Utterance, speech_end_s, synthesize_wav


def _wav(samples: np.ndarray, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


def _duration_s(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as file:
        return float(file.getnframes() / file.getframerate())


def test_speech_end_ignores_trailing_silence() -> None:
    rate = 16000
    t = np.arange(rate) / rate
    tone = (np.sin(2 * np.pi * 300 * t) * 8000).astype(np.int16)
    data = _wav(np.concatenate([np.zeros(rate // 2, np.int16), tone, np.zeros(rate, np.int16)]))
    assert speech_end_s(data) == pytest.approx(1.5, abs=0.03)
    assert speech_end_s(b"not audio at all") is None


@pytest.mark.parametrize("voice", [None, "en-gb", "flite:slt"])
def test_say_synthesises_with_the_chosen_voice(voice: str | None) -> None:
    if voice and voice.startswith("flite") and shutil.which("flite") is None:
        pytest.skip("flite is not installed")
    data = synthesize_wav("make the button bigger", voice)
    end = speech_end_s(data)
    assert end is not None and 0.5 < end <= _duration_s(data)


def test_latency_runs_from_the_end_of_the_words() -> None:
    said = Utterance(kind="say", text="hi", source=None, mark=3, started_t=10.0, ended_t=11.2,
                     clip_ended_t=11.3)
    assert said.latency_ms(12.0) == pytest.approx(800.0)
