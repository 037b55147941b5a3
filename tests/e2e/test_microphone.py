"""The microphone path: Chromium's fake device plays a WAV synthesised now, through Opus and
WebRTC, to the engine, which hears speech turns (and, with ASR, acts on them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.synthesis import synthesize_utterance_wav

pytestmark = pytest.mark.e2e

COMMAND = "change the background color to blue"


@pytest.fixture(scope="module")
def bridge_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    wav = tmp_path_factory.mktemp("mic") / "command.wav"
    synthesize_utterance_wav(COMMAND, wav, lead_silence_s=1.0, tail_silence_s=2.0)
    return Settings.from_env(port=0, headless=True, upstream="local", mic_file=Path(wav))


def test_microphone_audio_reaches_the_engine_and_opens_turns(rtc_bridge: BridgeHandle) -> None:
    log = rtc_bridge.event_log
    started = log.wait_for(lambda r: r.type == "input_audio_buffer.speech_started",
                           timeout_s=20)
    stopped = log.wait_for(lambda r: r.type == "input_audio_buffer.speech_stopped",
                           timeout_s=20, after=started.seq)
    assert stopped.event["audio_end_ms"] > started.event["audio_start_ms"]
    log.wait_for(lambda r: r.type == "input_audio_buffer.committed", timeout_s=5,
                 after=started.seq)
    engine, call_id = rtc_bridge.server.bridge.engine, rtc_bridge.browser.call_id
    assert engine is not None and call_id is not None
    session = engine.sessions[call_id]
    assert session.stats.frames_received > 50  # 20 ms Opus frames decoded at the engine
    assert session.stats.turns >= 1


def test_spoken_command_is_executed_and_verified(rtc_bridge: BridgeHandle) -> None:
    call = rtc_bridge.wait_for_tool("changeBackgroundColor", {"color": "blue"}, timeout_s=30)
    assert call.observed["backgroundColor"] == "rgb(0, 0, 255)"
    heard = rtc_bridge.event_log.wait_for(
        lambda r: r.type == "conversation.item.input_audio_transcription.completed",
        timeout_s=5)
    # The fake device loops from wherever it was when the call connected, so the first turn
    # may be clipped; the words that carry the command must be heard.
    assert {"background", "blue"} <= set(heard.event["transcript"].split())
