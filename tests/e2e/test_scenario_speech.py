"""Scenario steps that speak the way people are heard, on the embedded engine in Chromium: a
noisy, faster utterance still ends in its verified call, and the event log and the step's
result say what was done to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.audio import Impairments
from bridge.demo.scenario import parse_scenario
from bridge.demo.session import run_steps
from bridge.drive.handle import BridgeHandle
from bridge.events.records import UserAudio, all_of

pytestmark = pytest.mark.e2e

NOISY = """\
name: heard through noise
steps:
  - say: change the background color to blue
    noise: {kind: pink, snr_db: 20}
    speed: 1.1
    expect: {tool: changeBackgroundColor, args: {color: blue}, within_ms: 15000, timeout_s: 20}
"""


def test_a_noisy_faster_utterance_still_ends_in_its_verified_call(
        voice_page: BridgeHandle, tmp_path: Path) -> None:
    scenario = parse_scenario(NOISY, path=tmp_path / "noisy.voice.yaml")
    mark = voice_page.event_log.last_seq
    [result] = run_steps(voice_page, scenario, progress=lambda line: None)
    assert result.ok, result.reason
    assert result.latency_of == "tool" and result.latency_ms is not None
    # About 0.6 s on a quiet machine; a full suite beside a three-worker run stretched it to
    # 8 s once, so the budget here only has to hold, and the figure is printed.
    print(f"noisy, faster utterance → verified call: {result.latency_ms:.0f} ms")
    assert result.as_json()["impair"] == {"noise": {"kind": "pink", "snr_db": 20.0},
                                          "speed": 1.1}
    [audio] = all_of(UserAudio, voice_page.event_log.records(after=mark))
    assert Impairments.from_mapping(audio.impairments) == Impairments(
        noise="pink", snr_db=20, speed=1.1)


def test_a_budget_the_call_cannot_meet_fails_the_step_with_its_latency(
        voice_page: BridgeHandle, tmp_path: Path) -> None:
    text = ("steps:\n  - type: make the text white\n"
            "    expect: {tool: changeTextColor, args: {color: white}, within_ms: 1}\n")
    [result] = run_steps(voice_page, parse_scenario(text, path=tmp_path / "b.voice.yaml"),
                         progress=print)
    assert not result.ok and result.latency_ms is not None and result.latency_ms > 1
    assert result.reason == f"tool latency {result.latency_ms:.0f} ms is over within_ms 1"
    assert [call.verdict for call in result.tool_calls] == ["verified"]


BARGE_IN = """\
name: talking over the agent
steps:
  - type: tell me a long story about penguins who sail across the sea to find a lighthouse
  - say: make the text yellow
    when: {agent_speaking_ms: 800}
    expect: {tool: changeTextColor, args: {color: yellow}, timeout_s: 20,
             interrupted: {quiet_within_ms: 1000}}
"""


def test_a_step_said_over_the_agent_cuts_its_answer_off_at_the_page(
        voice_page: BridgeHandle, tmp_path: Path) -> None:
    scenario = parse_scenario(BARGE_IN, path=tmp_path / "barge.voice.yaml")
    story, barge = run_steps(voice_page, scenario, progress=print)
    assert story.ok and barge.ok, barge.reason
    # The story's answer was still playing when the step began (its settling was skipped).
    assert story.started_t is not None and barge.started_t is not None
    started = [r for r in voice_page.events(type="output_audio_buffer.started")
               if r.dir == "server" and r.t > story.started_t]
    assert started
    assert 0.8 <= barge.started_t - started[0].t < 3.0
    assert story.latency_of == "response" and story.latency_ms is not None
    # Cut off, not played to its end: the story lasts many seconds. The bound of a plain
    # `interrupted: true` (300 ms) is the unit tests'; a full suite on two cores stretches
    # what the page has buffered past it (335 ms seen once), so the figure is printed.
    assert barge.quiet_after_ms is not None and barge.quiet_after_ms <= 1000
    print(f"story: first agent voice at the page {story.latency_ms:.0f} ms after the typed "
          f"message; barge-in: {barge.latency_ms:.0f} ms to the verified call, the story "
          f"quiet at the page {barge.quiet_after_ms:.0f} ms after the cut")


def test_a_barge_in_fails_when_the_agent_never_speaks(
        voice_page: BridgeHandle, tmp_path: Path) -> None:
    text = ("steps:\n  - say: make the text white\n    when: {agent_speaking_ms: 100}\n"
            "    expect: {tool: changeTextColor, timeout_s: 2}\n")
    [result] = run_steps(voice_page, parse_scenario(text, path=tmp_path / "s.voice.yaml"),
                         progress=print)
    assert not result.ok and "the agent never started speaking within 2 s" in (
        result.reason or "")
