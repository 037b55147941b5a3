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
    expect: {tool: changeBackgroundColor, args: {color: blue}, within_ms: 5000}
"""


def test_a_noisy_faster_utterance_still_ends_in_its_verified_call(
        voice_page: BridgeHandle, tmp_path: Path) -> None:
    scenario = parse_scenario(NOISY, path=tmp_path / "noisy.voice.yaml")
    mark = voice_page.event_log.last_seq
    [result] = run_steps(voice_page, scenario, progress=lambda line: None)
    assert result.ok, result.reason
    assert result.latency_of == "tool" and result.latency_ms is not None
    assert result.as_json()["impair"] == {"noise": {"kind": "pink", "snr_db": 20.0},
                                          "speed": 1.1}
    [audio] = all_of(UserAudio, voice_page.event_log.records(after=mark))
    assert Impairments.from_mapping(audio.impairments) == Impairments(
        noise="pink", snr_db=20, speed=1.1)
