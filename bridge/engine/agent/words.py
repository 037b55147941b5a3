"""Words: of identifiers and free text, and numbers said as words, both ways.

The grammar (what can be heard), the argument reader (what was meant) and the replies (what is
said back) all split tool names and descriptions into words; they use this one splitter, so
that a word the grammar lets a person say is the word the argument reader looks for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "ONES",
    "ORDINAL_VALUES",
    "TEENS",
    "TEEN_VALUES",
    "TENS",
    "TEN_VALUES",
    "UNIT_VALUES",
    "number_words",
    "split_identifier",
    "spoken_words",
    "words_of",
]

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

# What each number word is worth, for reading numbers back out of a transcript; "oh" is how a
# zero is often said, "fourty" how forty is often typed.
UNIT_VALUES: Mapping[str, int] = MappingProxyType(
    {word: value for value, word in enumerate(ONES)} | {"oh": 0}
)
TEEN_VALUES: Mapping[str, int] = MappingProxyType(
    {word: 10 + value for value, word in enumerate(TEENS)}
)
TEN_VALUES: Mapping[str, int] = MappingProxyType(
    {word: 10 * value for value, word in enumerate(TENS) if word} | {"fourty": 40}
)
ORDINAL_VALUES: Mapping[str, int] = MappingProxyType({
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
})  # fmt: skip

# How the CSS units and a few others are said after a number.
_UNIT_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "px": ("pixels",), "em": ("em",), "rem": ("rem",), "pt": ("points",), "%": ("percent",),
    "vh": ("v", "h"), "vw": ("v", "w"), "ms": ("milliseconds",), "s": ("seconds",),
})  # fmt: skip

# An acronym ends where a capitalised word begins ("HTMLParser": HTML, Parser); digits are
# words of their own. Only ASCII letters and digits count: other characters separate words.
_IDENTIFIER_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def split_identifier(name: str) -> list[str]:
    """Words of a camelCase, PascalCase, snake_case or kebab-case identifier, lower case:
    ``getPageHTML`` -> get page html, ``HTMLParser`` -> html parser, ``font_size2`` -> font size 2."""
    return [part.lower() for part in _IDENTIFIER_PART.findall(name)]


def words_of(text: str) -> list[str]:
    """The words of free text (descriptions), identifiers split, lower case."""
    return [part for word in re.findall(r"[A-Za-z0-9']+", text) for part in
            split_identifier(word.strip("'")) if part]


def number_words(value: int | float | str) -> list[str]:
    """How a number is said: 24 -> twenty four, 1.5 -> one point five, 305 -> three hundred five."""
    text = str(value).strip().lstrip("+")
    negative = text.startswith("-")
    text = text.lstrip("-")
    whole, _, fraction = text.partition(".")
    words = ["minus"] if negative else []
    words += _integer_words(int(whole or "0"))
    if fraction.strip("0"):
        words += ["point", *(ONES[int(digit)] for digit in fraction.rstrip("0") if digit.isdigit())]
    return words


def _integer_words(n: int) -> list[str]:
    if n < 10:
        return [ONES[n]]
    if n < 20:
        return [TEENS[n - 10]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [TENS[tens]] + ([ONES[ones]] if ones else [])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            high, rest = divmod(n, size)
            return _integer_words(high) + [name] + (_integer_words(rest) if rest else [])
    raise AssertionError("unreachable")


def spoken_words(text: str) -> list[str]:
    """Lower-case words a person would say for ``text`` (identifiers split, numbers said)."""
    words: list[str] = []
    for token in re.findall(r"#[0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[A-Za-z%]+)?|[A-Za-z][A-Za-z']*", text):
        if token.startswith("#"):
            words += ["hash", *(ONES[int(c)] if c.isdigit() else c.lower() for c in token[1:])]
            continue
        number = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z%]*)", token)
        if number:
            words += number_words(number.group(1))
            unit = number.group(2).lower()
            words += list(_UNIT_WORDS.get(unit, split_identifier(unit)))
            continue
        token = re.sub(r"'s$", "", token).replace("'", "")
        words += split_identifier(token)
    return words
