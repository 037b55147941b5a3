"""Turn detection on synthesised speech: start/stop times and the whole utterance kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bridge.drive.synthesis import read_wav, synthesize_utterance_wav
from bridge.engine.agent.tts import resample
from bridge.engine.turns import InputAudioBuffer, TurnSettings


@pytest.fixture(scope="module")
def utterance(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    wav = Path(tmp_path_factory.mktemp("turns")) / "u.wav"
    synthesize_utterance_wav("make the button bigger", wav, lead_silence_s=1.0,
                             tail_silence_s=1.5)
    return resample(read_wav(wav), 16_000).samples


def feed_all(
    buffer: InputAudioBuffer, pcm: np.ndarray, *, pauses: bool = False
) -> list[tuple[str, int, int]]:
    """(kind, audio_ms, samples the session would transcribe) for each turn event."""
    seen: list[tuple[str, int, int]] = []
    started_ms = 0
    for start in range(0, pcm.size, 320):  # 20 ms chunks, as frames arrive
        for event in buffer.feed(pcm[start:start + 320]):
            taken = 0
            if event.kind == "started":
                started_ms = event.audio_ms
            elif event.kind == "paused":
                taken = buffer.peek(from_ms=started_ms).size
            else:
                taken = buffer.take(from_ms=started_ms).size
            if pauses or event.kind != "paused":
                seen.append((event.kind, event.audio_ms, taken))
    return seen


def test_one_turn_with_times_and_whole_audio(utterance: np.ndarray) -> None:
    events = feed_all(InputAudioBuffer(TurnSettings(silence_duration_ms=500)), utterance)
    assert [e[0] for e in events] == ["started", "stopped"]
    speech = np.flatnonzero(np.abs(utterance) > 500)
    first_ms, last_ms = speech[0] / 16, speech[-1] / 16
    assert abs(events[0][1] - first_ms) < 150
    # The silence window runs from the end of the speech, not from the end of the VAD's
    # hangover (90-150 ms later): at most two 30 ms frames late.
    assert last_ms + 450 <= events[1][1] <= last_ms + 560
    kept_ms = events[1][2] / 16
    assert kept_ms >= (events[1][1] - events[0][1]) + 250  # includes the prefix padding


def test_silence_window_setting_is_honoured(utterance: np.ndarray) -> None:
    short = feed_all(InputAudioBuffer(TurnSettings(silence_duration_ms=200)), utterance)
    long = feed_all(InputAudioBuffer(TurnSettings(silence_duration_ms=900)), utterance)
    assert long[-1][1] - short[-1][1] == pytest.approx(700, abs=60)


def test_no_turns_without_turn_detection(utterance: np.ndarray) -> None:
    buffer = InputAudioBuffer(None)
    assert feed_all(buffer, utterance) == []
    assert buffer.buffered_ms == pytest.approx(utterance.size / 16, abs=1)


def test_a_pause_comes_early_in_the_final_silence_with_all_the_speech(utterance: np.ndarray) -> None:
    events = feed_all(InputAudioBuffer(TurnSettings(silence_duration_ms=500)), utterance,
                      pauses=True)
    kinds = [e[0] for e in events]
    assert kinds[0] == "started" and kinds[-2:] == ["paused", "stopped"]
    pause, stop = events[-2], events[-1]
    assert stop[1] - pause[1] == pytest.approx(300, abs=40)  # 500 ms window, pause at 200 ms
    speech = np.flatnonzero(np.abs(utterance) > 500)
    last_ms = speech[-1] / 16
    assert pause[1] > last_ms  # the pause's audio already holds the end of the speech
    assert stop[2] - pause[2] == pytest.approx(300 * 16, abs=40 * 16)  # only silence after it


def test_noise_under_the_speech_keeps_the_vads_own_end(utterance: np.ndarray) -> None:
    # A noise bed within 35 dB of the speech is not silence: no frame is counted early.
    noisy = utterance.astype(np.float64) + np.random.default_rng(0).normal(0, 300, utterance.size)
    events = feed_all(InputAudioBuffer(TurnSettings(silence_duration_ms=500)),
                      np.clip(noisy, -32768, 32767).astype(np.int16))
    stops = [e[1] for e in events if e[0] == "stopped"]
    last_ms = np.flatnonzero(np.abs(utterance) > 500)[-1] / 16
    assert stops and last_ms + 560 <= stops[-1] <= last_ms + 700
