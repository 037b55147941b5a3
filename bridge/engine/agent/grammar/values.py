"""The rules for values a person says: numbers, CSS lengths, colour names and hex codes.

Colour names are said as words ("dark slate gray"), and weighted by how often people ask for
them, so that a rare name does not take the place of a common one in a noisy decode.
"""

from __future__ import annotations

from collections.abc import Sequence

from ....css.colors import color_names
from ..words import ONES, TEENS, TENS
from .lexicon import MISSING_WORDS, Lexicon, inflected
from .terms import Alt, Ref, Term, Words, alt, opt, seq

__all__ = ["COLOR_MODIFIERS", "value_rules"]

# Berlin and Kay's eleven basic colour terms (with both spellings of grey).
_BASIC_COLORS = frozenset((
    "black", "white", "red", "green", "yellow", "blue", "brown", "orange", "pink", "purple",
    "gray", "grey",
))  # fmt: skip
_COMMON_COLORS = frozenset((
    "navy", "teal", "gold", "silver", "cyan", "magenta", "maroon", "olive", "lime", "violet",
    "indigo", "beige", "tan", "turquoise", "crimson", "coral", "salmon", "lavender", "ivory",
    "khaki", "aqua",
))  # fmt: skip
COLOR_MODIFIERS = ("light", "dark", "medium", "pale", "deep", "hot", "dim")


def value_rules(rules: dict[str, Term], lexicon: Lexicon) -> None:
    below_hundred = alt([
        alt(ONES[1:] + TEENS),
        seq(alt(TENS[2:]), opt(alt(ONES[1:]))),
    ])  # fmt: skip
    rules["number"] = alt([
        below_hundred,
        seq(alt(ONES[1:]), "hundred", opt(below_hundred)),
        seq(alt(ONES), "point", alt(ONES), opt(alt(ONES))),
    ])  # fmt: skip
    rules["length"] = seq(
        Ref("number"), alt(["pixels", "pixel", "p x", "points", "em", "rem", "percent", "ems"])
    )
    phrases = {name: Words(tuple(_split_compound(name, lexicon))) for name in color_names()}
    rules["color"] = Alt(tuple(phrases.values()), tuple(_color_weight(name, phrase.words)
                                                          for name, phrase in phrases.items()))  # fmt: skip
    rules["hex_color"] = seq(
        alt(["hex", "hash", "pound", "hex code"]),
        alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
        alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
        alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
        opt(seq(
            alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
            alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
            alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
        )),
    )  # fmt: skip


def _color_weight(name: str, words: Sequence[str]) -> float:
    """A prior over colour names: people ask for "blue" far more often than "papaya whip".

    The basic colour terms every English speaker uses weigh most, then other everyday single
    names and light/dark shades of basic colours, then the rest of the CSS list. 1000 : 30 : 1
    heard one or two more of the accuracy corpus's 280 commands than 100 : 10 : 1 ("black" no
    longer taken for "plum"), and rare names were heard as well as before: 48 of 48 commands
    with twelve of them ("papaya whip", "misty rose", ...) from four voices.
    """
    if name in _BASIC_COLORS:
        return 1000.0
    if name in _COMMON_COLORS or (
        len(words) == 2 and words[0] in COLOR_MODIFIERS and words[1] in _BASIC_COLORS
    ):
        return 30.0
    return 1.0


def _split_compound(word: str, lexicon: Lexicon) -> list[str]:
    """``darkslategray`` as said: dark slate gray."""
    for modifier in COLOR_MODIFIERS:
        if word.startswith(modifier) and len(word) > len(modifier) + 2:
            return [modifier, *_split_compound(word[len(modifier) :], lexicon)]
    if word in lexicon or word in MISSING_WORDS:
        return [word]
    # fewest known words of 3+ letters, preferring pieces that are colour names themselves
    names = set(color_names())
    n = len(word)
    best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
    best[0] = (0, 0, [])
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for j in range(i + 3, n + 1):
            piece = word[i:j]
            if piece in lexicon or inflected(piece, lexicon) is not None:
                candidate = (here[0] + 1, here[1] - (piece in names), [*here[2], piece])
                current = best[j]
                if current is None or candidate[:2] < current[:2]:
                    best[j] = candidate
    final = best[n]
    return final[2] if final else [word]
