"""Which voice says which wording, impaired how: a seeded draw, the same on every run."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ...audio import Impairments
from .corpus import ANY_TOOLSET, Corpus, Item, Voice

__all__ = ["TRANSFORMS", "Utterance", "plan"]

# Each utterance gets one of these: the voice as synthesised, or one impairment at the edge of
# the range the engine must take (pitch ±250 cents, tempo 0.88-1.15 with the pitch kept, a
# room with RT60 0.4 s, white or pink noise 20 dB below the speech).
TRANSFORMS: tuple[Impairments, ...] = (
    Impairments(),
    Impairments(pitch_cents=250),
    Impairments(pitch_cents=-250),
    Impairments(speed=0.88),
    Impairments(speed=1.15),
    Impairments(reverb_rt60_s=0.4),
    Impairments(noise="white", snr_db=20),
    Impairments(noise="pink", snr_db=20),
)

T = TypeVar("T")


@dataclass(frozen=True)
class Utterance:
    """One spoken item: a wording (or off-topic speech) for a tool set, a voice, an impairment."""

    item: Item
    toolset: str
    voice: Voice
    impairment: Impairments

    @property
    def transform(self) -> str:
        return self.impairment.label


def plan(
    corpus: Corpus,
    *,
    repeats: int = 2,
    seed: int = 14,
    transforms: Sequence[Impairments] = TRANSFORMS,
) -> list[Utterance]:
    """Every command ``repeats`` times and every off-topic item once, each with a voice and a
    transform drawn in shuffled rounds (so each is used about equally), grouped by tool set."""
    rng = random.Random(f"{corpus.part}/{seed}")
    voices = _rounds(corpus.voices, rng)
    impairments = _rounds(transforms, rng)
    names = sorted(corpus.toolsets)
    items: list[tuple[Item, str]] = [(c, c.toolset) for c in corpus.commands for _ in range(repeats)]
    items += [(o, o.toolset if o.toolset != ANY_TOOLSET else rng.choice(names)) for o in corpus.off_topic]
    utterances = []
    for item, toolset in items:
        impairment = next(impairments)
        # A seed of its own per utterance: the noise and the room differ from one to the next.
        seeded = Impairments(impairment.speed, impairment.pitch_cents, impairment.reverb_rt60_s,
                             impairment.gain_db, impairment.noise, impairment.snr_db,
                             rng.randrange(2**31))  # fmt: skip
        utterances.append(Utterance(item, toolset, next(voices), seeded))
    order = {name: index for index, name in enumerate(dict.fromkeys(u.toolset for u in utterances))}
    return sorted(utterances, key=lambda u: order[u.toolset])


def _rounds(options: Sequence[T], rng: random.Random) -> Iterator[T]:
    while True:
        shuffled = list(options)
        rng.shuffle(shuffled)
        yield from shuffled


