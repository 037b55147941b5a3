"""Each seed tool by voice, the whole way: speech synthesised now is said into the controlled
page's microphone track, travels as Opus to the engine, becomes a function call that the page
runs and the bridge verifies in the DOM, and the engine's spoken answer reaches the page."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bridge.drive.handle import BridgeHandle
from tests.conftest import content_words

pytestmark = pytest.mark.e2e

RECEIVED_AUDIO = """async () => {
  const stats = await window.rtcBridge.pc.getStats();
  for (const report of stats.values()) {
    if (report.type === "inbound-rtp" && report.kind === "audio") {
      return {energy: report.totalAudioEnergy ?? 0, samples: report.totalSamplesReceived ?? 0};
    }
  }
  return {energy: 0, samples: 0};
}"""

COMMANDS = [
    ("change the background color to blue", "changeBackgroundColor", {"color": "blue"},
     ("backgroundColor", "rgb(0, 0, 255)")),
    ("make the text yellow", "changeTextColor", {"color": "yellow"},
     ("color", "rgb(255, 255, 0)")),
    ("make the button bigger", "changeButtonStyle", {"size": "bigger"}, None),
    ("what is on the page", "getPageHTML", {}, None),
]


@pytest.mark.parametrize(("said", "tool", "arguments", "shown"), COMMANDS,
                         ids=[c[1] for c in COMMANDS])  # fmt: skip
def test_spoken_command_is_verified_and_answered_aloud(
    rtc_bridge: BridgeHandle, said: str, tool: str, arguments: dict[str, Any],
    shown: tuple[str, str] | None,
) -> None:
    utterance = rtc_bridge.say(said)
    heard = rtc_bridge.event_log.wait_for(
        lambda r: r.type.startswith("conversation.item.input_audio_transcription."),
        timeout_s=20, after=utterance.mark)
    # Every word that carries the command was heard; "the" may come out as "my" or "this".
    assert content_words(heard.event.get("transcript") or "") == content_words(said), heard.event
    call = rtc_bridge.wait_for_tool(tool, arguments, after=utterance.mark, timeout_s=20)
    assert call.verified is True, call.reason
    if shown is not None:
        assert call.observed[shown[0]] == shown[1]
    answer = rtc_bridge.event_log.wait_for(
        lambda r: r.dir == "server" and r.type == "response.output_audio_transcript.delta"
        and bool(r.event.get("delta")), timeout_s=15, after=utterance.mark)
    rtc_bridge.event_log.wait_for(
        lambda r: r.dir == "server" and r.type == "output_audio_buffer.started"
        and r.event.get("response_id") == answer.event["response_id"],
        timeout_s=15, after=utterance.mark)
    # The page's <audio> plays the answer: energy arrives, not just packets of silence. Counted
    # from the answer's start (an earlier answer was cut off when this command was said), and
    # not to its end: the next command may interrupt it.
    before = rtc_bridge.evaluate(RECEIVED_AUDIO)
    deadline = time.monotonic() + 10
    after = before
    while after["energy"] - before["energy"] <= 0.01 and time.monotonic() < deadline:
        time.sleep(0.1)
        after = rtc_bridge.evaluate(RECEIVED_AUDIO)
    assert after["samples"] > before["samples"]
    assert after["energy"] - before["energy"] > 0.01
