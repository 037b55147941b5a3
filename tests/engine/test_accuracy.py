"""A small slice of the speech accuracy suite (`make accuracy` runs all of it): tuning wordings
from three synthesisers, each played into a WebRTC call and judged by the engine's function call.
(The suite's held-out parts are never read here.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bridge.audio import Impairments
from bridge.measure.accuracy import Item, Utterance, hear_over_webrtc, load, synthesize_all

WORDINGS = ("make the background blue", "make the text yellow", "make the button bigger",
            "what is on the page", "thank you")  # fmt: skip


def test_spoken_commands_from_three_synthesisers_become_the_right_calls(
    arun: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    corpus = load("tuning")
    items: list[Item] = [c for c in corpus.commands if c.toolset == "ours" and c.text in WORDINGS]
    items += [o for o in corpus.off_topic if o.text in WORDINGS]
    labels = ("espeak-ng:en-us", "flite:kal16", "festival:kal_diphone")
    voices = [v for v in corpus.voices if v.label in labels]
    utterances = [Utterance(item, "ours", voice, Impairments()) for item in items for voice in voices]
    cache = tmp_path_factory.mktemp("utterances")
    paths = arun(synthesize_all(utterances, cache), timeout_s=60)
    heard = arun(hear_over_webrtc(utterances, paths, corpus.toolsets), timeout_s=120)
    assert len(heard) == len(utterances) == 15
    wrong = [(h.utterance.voice.label, h.utterance.item.text, h.transcript, h.call)
             for h in heard if not h.ok]
    assert len(wrong) <= 2, wrong
    assert all(h.transcript for h in heard)
    assert all(h.latency_ms is not None for h in heard if h.ok and h.call is not None)
