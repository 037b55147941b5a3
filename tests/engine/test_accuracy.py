"""A small slice of the speech accuracy suite (`make accuracy` runs all of it): utterances from
two synthesisers, each played into a WebRTC call and judged by the engine's function call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bridge.browser.tools import ToolRegistry
from bridge.measure.accuracy import CASES, VOICES, Sample, hear_over_webrtc

WORDINGS = ("make the background blue", "make the text yellow", "make the button bigger",
            "what is on the page", "thank you")  # fmt: skip


def test_spoken_commands_from_two_synthesisers_become_the_right_calls(
    arun: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    cases = [c for c in CASES if c.text in WORDINGS]
    voices = [v for v in VOICES if v.label in ("espeak-ng:en-us", "flite:kal")]
    samples = [Sample(case, voice, voice.rates_wpm[0], None, "white")
               for case in cases for voice in voices]  # fmt: skip
    tools = ToolRegistry.load().definitions()
    outcomes = arun(hear_over_webrtc(samples, tmp_path_factory.mktemp("utterances"), tools,
                                     sessions=2), timeout_s=120)  # fmt: skip
    assert len(outcomes) == len(samples) == 10
    wrong = [(o.sample.voice.label, o.sample.case.text, o.transcript, o.call) for o in outcomes
             if not o.ok]  # fmt: skip
    assert len(wrong) <= 1, wrong
    assert all(o.transcript for o in outcomes)
    assert all(o.latency_ms is not None for o in outcomes if o.ok and o.sample.case.tool)
