"""Keyword keys: the spelling- and synonym-neutral form of a word ("colours" -> "color"), by
which an utterance's words meet the words of a tool's name and description."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ..words import ORDINAL_VALUES, TEEN_VALUES, TEN_VALUES, UNIT_VALUES
from .vocabulary import COLOR_NAMES, STOP_WORDS, SYNONYM_GROUPS

_BRITISH_STEMS: tuple[tuple[str, str], ...] = (
    ("colour", "color"), ("favour", "favor"), ("behaviour", "behavior"), ("honour", "honor"),
    ("centre", "center"), ("grey", "gray"), ("organis", "organiz"), ("maximis", "maximiz"),
    ("minimis", "minimiz"), ("customis", "customiz"), ("dialogue", "dialog"),
)


def _stem(word: str) -> str:
    """A light stemmer: enough that colour/colours/coloured and change/changed meet."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and not (suffix == "ed" and base[-1] == "e"):
            word = base
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def normal(word: str) -> str:
    """Spelling-neutral form of one word: American spelling, possessive dropped, stemmed."""
    word = word.lower().replace("\u2019", "'")
    word = word.removesuffix("'s").strip("'")
    for british, american in _BRITISH_STEMS:
        if word.startswith(british):
            word = american + word[len(british) :]
            break
    return _stem(word)


_SYNONYMS: Mapping[str, str] = MappingProxyType(
    {normal(word): normal(group[0]) for group in SYNONYM_GROUPS for word in group}
)
GENERIC_KEYS = frozenset(
    normal(word) for word in ("change", "get", "color", "size", "page", "css", "name", "hex",
                               "code", "value", "new", "current", "main", "style")
)
# Command verbs say what kind of action, not which thing: they count for little.
VERB_KEYS = frozenset(normal(word) for word in ("change", "get"))


def word_key(word: str) -> str:
    """The keyword key of one word: spelling- and synonym-neutral ("colours" -> "color")."""
    neutral = normal(word)
    return _SYNONYMS.get(neutral, neutral)


def content_keys(words: Iterable[str]) -> set[str]:
    """Keyword keys of the words that carry meaning (no stop-words, values or colour names)."""
    keys: set[str] = set()
    for word in words:
        word = word.lower().replace("\u2019", "'").removesuffix("'s").strip("'")
        if (len(word) < 2 or not word.isalpha() or word in STOP_WORDS or word in COLOR_NAMES
                or word in UNIT_VALUES or word in TEEN_VALUES or word in TEN_VALUES
                or word in ORDINAL_VALUES):
            continue
        keys.add(word_key(word))
    return keys
