"""Impaired speech before it reaches the page: decoded, impaired and encoded again at the page's
rate; where its words end (the noise does not move it, a tempo does); what the event log says."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from bridge.audio import Impairments
from bridge.browser.instrument.records import PlayTiming
from bridge.browser.page_audio import VoicePageAudio
from bridge.drive.impaired import RATE_HZ, decode_mono, encode_wav, impair_audio, voiced_end_s
from bridge.drive.speaking import speak
from bridge.events.log import EventLog
from bridge.events.records import UserAudio, all_of


def _words(rate: int = 16000) -> bytes:
    """A tone for a second between half a second of silence before and after, as a WAV."""
    t = np.arange(rate) / rate
    tone = 8000 * np.sin(2 * np.pi * 180 * t) * np.sin(np.pi * t) ** 0.2
    samples = np.concatenate([np.zeros(rate // 2), tone, np.zeros(rate // 2)])
    return encode_wav(samples.astype(np.int16), rate)


class PlayedHere(VoicePageAudio):
    """The voice page's audio without a page: what it was asked to play is kept."""

    def __init__(self) -> None:
        self.played: list[bytes] = []

    async def play(self, audio: bytes) -> PlayTiming:
        self.played.append(audio)
        with wave.open(io.BytesIO(audio)) as file:
            duration_ms = file.getnframes() / file.getframerate() * 1000
        now_ms = time.time() * 1000
        return PlayTiming(now_ms, now_ms + duration_ms, duration_ms)


def test_audio_is_decoded_to_the_pages_rate_and_encoded_as_a_wav() -> None:
    decoded = decode_mono(_words())
    assert decoded.dtype == np.int16 and decoded.size == pytest.approx(2 * RATE_HZ, abs=100)
    with wave.open(io.BytesIO(encode_wav(decoded, RATE_HZ))) as file:
        assert (file.getframerate(), file.getnchannels(), file.getsampwidth()) == (RATE_HZ, 1, 2)
    with pytest.raises(ValueError, match="cannot be decoded"):
        decode_mono(b"not audio at all")


@pytest.mark.parametrize(("impairments", "end_s"), [
    (Impairments(gain_db=-6), 1.5),
    (Impairments(noise="white", snr_db=0), 1.5),
    (Impairments(speed=1.25), 1.2),
    (Impairments(speed=0.8), 1.875),
])
def test_the_words_end_where_the_impaired_voice_ends(impairments: Impairments,
                                                     end_s: float) -> None:
    impaired = impair_audio(_words(), impairments)
    assert impaired.voiced_end_s == pytest.approx(end_s, abs=0.03)
    assert impaired.samples.size == pytest.approx(2 * RATE_HZ / impairments.speed, rel=0.01)
    assert voiced_end_s(impaired.clean, RATE_HZ) == pytest.approx(1.5, abs=0.03)


def test_speaking_impaired_plays_the_impaired_audio_and_logs_what_was_done(
        arun: Callable[..., Any]) -> None:
    log, audio = EventLog(), PlayedHere()
    impairments = Impairments(speed=1.25, noise="pink", snr_db=15)

    async def both() -> tuple[Any, Any]:
        return (await speak(audio, log, _words(), kind="play", source="words.wav",
                            impair=impairments),
                await speak(audio, log, _words(), kind="play", impair=Impairments()))

    impaired, clean = arun(both())
    assert impaired.impaired is not None and clean.impaired is None
    assert audio.played[0] == impaired.impaired.wav and audio.played[1] == _words()
    assert impaired.ended_t - impaired.started_t == pytest.approx(1.2, abs=0.03)
    assert clean.ended_t - clean.started_t == pytest.approx(1.5, abs=0.03)
    first, second = all_of(UserAudio, log.records())
    assert first.impairments == {"noise": {"kind": "pink", "snr_db": 15.0}, "speed": 1.25}
    assert second.impairments is None and "impairments" not in second.to_event()
