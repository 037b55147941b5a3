"""Pronunciations: pocketsphinx's dictionary, and phones for the words it lacks.

Unknown words are built from dictionary words, their inflections and letter-to-sound rules
("blanched" from "blanch", made-up names by rule), or spelled out where nobody could say them
("html", "px"); `accent_variant` gives the non-rhotic way of saying a word ("dark" without the
R) that CMUdict's American entries miss.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MISSING_WORDS",
    "PHONES",
    "Lexicon",
    "accent_variant",
    "default_lexicon",
    "inflected",
    "pronounce",
    "spell",
]

# pocketsphinx's en-US acoustic model uses CMUdict's phone set without stress marks.
PHONES = frozenset((
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
    "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH",
    "UW", "V", "W", "Y", "Z", "ZH",
))  # fmt: skip

_LETTERS: Mapping[str, str] = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY",
    "h": "EY CH", "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M", "n": "EH N",
    "o": "OW", "p": "P IY", "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY", "u": "Y UW",
    "v": "V IY", "w": "D AH B AH L Y UW", "x": "EH K S", "y": "W AY", "z": "Z IY",
}  # fmt: skip

# Letter-to-sound rules for words no dictionary knows, longest spelling first. Crude, but a
# near pronunciation in a small grammar is recognised far better than a spelled-out one.
_GRAPHEMES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "tion": "SH AH N", "sion": "ZH AH N", "ough": "AO", "tch": "CH", "igh": "AY",
            "sch": "S K", "ch": "CH", "sh": "SH", "th": "TH", "ph": "F", "wh": "W", "ck": "K",
            "ng": "NG", "qu": "K W", "kn": "N", "wr": "R", "ee": "IY", "ea": "IY", "oo": "UW",
            "ou": "AW", "ow": "OW", "oi": "OY", "oy": "OY", "ai": "EY", "ay": "EY", "au": "AO",
            "aw": "AO", "ie": "IY", "ei": "EY", "ey": "IY", "ue": "UW", "ew": "UW", "ar": "AA R",
            "er": "ER", "ir": "ER", "ur": "ER", "or": "AO R", "a": "AE", "e": "EH", "i": "IH",
            "o": "AA", "u": "AH", "y": "IY", "b": "B", "c": "K", "d": "D", "f": "F", "g": "G",
            "h": "HH", "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "p": "P", "q": "K",
            "r": "R", "s": "S", "t": "T", "v": "V", "w": "W", "x": "K S", "z": "Z",
        }.items(),
        key=lambda item: -len(item[0]),
    )
)  # fmt: skip


@dataclass(frozen=True)
class Lexicon:
    """A read-only pronunciation dictionary: word -> CMUdict-style phone strings."""

    entries: Mapping[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        """Read a CMUdict-format file (``word(2) PH ONES`` lines, ``#`` comments allowed)."""
        entries: dict[str, list[str]] = {}
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                word, _, phones = line.partition(" ")
                phones = phones.split("#", 1)[0].strip()
                if word and phones:
                    entries.setdefault(word.split("(", 1)[0].lower(), []).append(phones)
        return cls({word: tuple(prons) for word, prons in entries.items()})

    def __contains__(self, word: object) -> bool:
        return word in self.entries

    def phones(self, word: str) -> str | None:
        """The first pronunciation of ``word``, or None."""
        prons = self.entries.get(word)
        return prons[0] if prons else None


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """pocketsphinx's own en-US dictionary, read once per process (~0.2 s) and never changed."""
    import pocketsphinx

    return Lexicon.load(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"))


def spell(word: str) -> str:
    """Phones for saying a word letter by letter (``css`` -> S IY EH S EH S)."""
    return " ".join(_LETTERS[c] for c in word.lower() if c in _LETTERS)


def pronounce(word: str, lexicon: Lexicon) -> str:
    """Phones for ``word``: the dictionary's, else built from parts, else spelled.

    Words without a vowel letter (``px``, ``rgb``) are spelled out as people say them. Other
    unknown words become the cheapest cover of dictionary words, inflections of them and
    letter-to-sound rules, so ``blanched`` = blanch + T and ``whitesmoke`` = white + smoke.
    """
    word = word.lower()
    known = lexicon.phones(word) or MISSING_WORDS.get(word)
    if known is not None:
        return known
    if not re.search(r"[aeiouy]", word):
        return spell(word)
    as_inflection = inflected(word, lexicon)
    if as_inflection is not None:
        return as_inflection
    return _segment(word, lexicon)


def inflected(word: str, lexicon: Lexicon) -> str | None:
    for suffix, stems in (("ed", (word[:-2], word[:-1])), ("ing", (word[:-3], word[:-3] + "e")),
                          ("es", (word[:-2],)), ("s", (word[:-1],)), ("er", (word[:-2], word[:-1])),
                          ("ly", (word[:-2],))):  # fmt: skip
        if not word.endswith(suffix):
            continue
        for stem in stems:
            base = lexicon.phones(stem) if len(stem) >= 3 else None
            if base is None:
                continue
            last = base.split()[-1]
            if suffix == "ed":
                ending = "IH D" if last in ("T", "D") else "T" if last in _VOICELESS else "D"
            elif suffix in ("s", "es"):
                ending = "IH Z" if last in _SIBILANTS else "S" if last in _VOICELESS else "Z"
            else:
                ending = {"ing": "IH NG", "er": "ER", "ly": "L IY"}[suffix]
            return f"{base} {ending}"
    return None


def accent_variant(phones: str) -> str | None:
    """The same word as said in non-rhotic English (England, Australia, ...), which CMUdict's
    American entries miss; None when it sounds the same there.

    No R after a vowel unless a vowel follows ("dark" D AA K); ER without its R becomes AH, the
    nearest vowel the model has ("color" K AH L AH, "purple" P AH P AH L); "-ear", "-air",
    "-ure" glide to a schwa ("here" HH IH AH).
    """
    parts = phones.split()
    said: list[str] = []
    for i, phone in enumerate(parts):
        after = parts[i + 1] if i + 1 < len(parts) else None
        if phone == "R" and i > 0 and parts[i - 1] in _VOWELS and after not in _VOWELS:
            said += ["AH"] if parts[i - 1] in _CENTRING else []
        elif phone == "ER" and i > 0 and after not in _VOWELS:
            said.append("AH")
        else:
            said.append(phone)
    variant = " ".join(said)
    return variant if variant != phones else None


# In CMUdict's phone set the vowels, and only they, are spelled with a vowel letter first.
_VOWELS = frozenset(phone for phone in PHONES if phone[0] in "AEIOU")
_CENTRING = frozenset(("IH", "IY", "EH", "EY", "UH", "UW"))

# CSS colour names that CMUdict lacks; the colour list is a fixed standard, so this is complete.
MISSING_WORDS: Mapping[str, str] = {"fuchsia": "F Y UW SH AH"}

_VOICELESS = frozenset(["P", "T", "K", "F", "TH", "S", "SH", "CH", "HH"])
_SIBILANTS = frozenset(["S", "Z", "SH", "ZH", "CH", "JH"])


def _segment(word: str, lexicon: Lexicon) -> str:
    """Cheapest cover of ``word`` by dictionary words (cost 1) and single graphemes (cost 2)."""
    n = len(word)
    best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        cost, phones = here
        steps: list[tuple[int, float, str]] = []
        for j in range(i + 3, n + 1):
            piece = lexicon.phones(word[i:j])
            if piece is not None:
                steps.append((j, 1.0, piece))
        tail = word[i:]
        if len(tail) >= 3 and not re.search(r"[aeiouy]", tail):
            # a final consonant cluster nobody could say ("rtc" in "webrtc") is spelled
            steps.append((n, 1.5 * len(tail), spell(tail)))
        for spelling, sound in _GRAPHEMES:
            if word.startswith(spelling, i):
                silent_e = spelling == "e" and i == n - 1 and n > 3
                steps.append((i + len(spelling), 2.0, "" if silent_e else sound))
        for j, step_cost, piece in steps:
            candidate = (cost + step_cost, phones + ([piece] if piece else []))
            current = best[j]
            if current is None or candidate[0] < current[0]:
                best[j] = candidate
        if not steps:  # a character no rule covers (digits are said before we get here)
            best[i + 1] = best[i + 1] or (cost + 2.0, phones)
    final = best[n]
    merged = " ".join(final[1]) if final else ""
    # "bb" -> B B from two graphemes is one sound.
    collapsed = re.sub(r"\b([A-Z]+) \1\b", r"\1", merged)
    return collapsed or spell(word)
