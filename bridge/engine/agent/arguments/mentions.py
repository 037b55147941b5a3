"""Values mentioned in an utterance's words: numbers (in digits or words), CSS lengths, and
colours (names, hex codes, read-aloud hex codes, colour functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ....css.colors import parse_css_color
from ..words import ORDINAL_VALUES, TEEN_VALUES, TEN_VALUES, UNIT_VALUES
from .vocabulary import COLOR_NAMES, HEX_PREFIXES, LENGTH_UNITS


@dataclass(frozen=True)
class Mention:
    """A value found in tokens ``start``..``end`` (exclusive)."""

    start: int
    end: int
    value: Any


def _read_number(words: Sequence[str], i: int) -> tuple[float, int] | None:
    """A number at ``words[i]``: digits, or number words ("two hundred and five point five")."""
    if re.fullmatch(r"\d+(?:\.\d+)?", words[i]):
        return float(words[i]), i + 1
    total, current, last, j = 0, 0, "", i
    while j < len(words):
        word = words[j]
        following = words[j + 1] if j + 1 < len(words) else ""
        if word in ORDINAL_VALUES and last in ("", "ten", "hundred", "thousand") and (
            last != "ten" or ORDINAL_VALUES[word] < 10
        ):
            # "twenty first": an ordinal ends the number.
            current += ORDINAL_VALUES[word]
            last, j = "ordinal", j + 1
            break
        if word in UNIT_VALUES and last in ("", "ten", "hundred", "thousand") and word != "oh":
            current += UNIT_VALUES[word]
        elif word in TEEN_VALUES and last in ("", "hundred", "thousand"):
            current += TEEN_VALUES[word]
        elif word in TEN_VALUES and last in ("", "hundred", "thousand"):
            current += TEN_VALUES[word]
        elif word == "hundred" and last in ("unit", "teen", "ten", "a"):
            current = (current or 1) * 100
        elif word == "thousand" and last not in ("", "thousand"):
            total, current = total + (current or 1) * 1000, 0
        elif word == "a" and last == "" and following in ("hundred", "thousand"):
            pass  # "a hundred": the next word multiplies by one
        elif word == "and" and last in ("hundred", "thousand") and (
            following in UNIT_VALUES or following in TEEN_VALUES or following in TEN_VALUES
            or following in ORDINAL_VALUES
        ):
            j += 1
            continue
        else:
            break
        last = ("unit" if word in UNIT_VALUES else "teen" if word in TEEN_VALUES else "ten"
                if word in TEN_VALUES else word)
        j += 1
    if j == i or last == "a":
        return None
    value = float(total + current)
    if last != "ordinal" and j + 1 < len(words) and words[j] == "point" and words[j + 1] in UNIT_VALUES:
        digits = ""
        j += 1
        while j < len(words) and words[j] in UNIT_VALUES:
            digits += str(UNIT_VALUES[words[j]])
            j += 1
        value += float("0." + digits)
    return value, j


def find_numbers(words: Sequence[str]) -> tuple[Mention, ...]:
    found: list[Mention] = []
    i = 0
    while i < len(words):
        sign, start = 1.0, i
        if words[i] in ("minus", "negative") and i + 1 < len(words):
            sign, i = -1.0, i + 1
        number = _read_number(words, i)
        if number is None:
            i = start + 1
            continue
        value, end = number
        found.append(Mention(start, end, sign * value))
        i = end
    return tuple(found)


def find_lengths(words: Sequence[str], numbers: Sequence[Mention]) -> tuple[Mention, ...]:
    found: list[Mention] = []
    for number in numbers:
        for unit_words, unit in LENGTH_UNITS:
            after = tuple(words[number.end : number.end + len(unit_words)])
            if after == unit_words:
                found.append(Mention(number.start, number.end + len(unit_words),
                                     f"{format_number(number.value)}{unit}"))
                break
    return tuple(found)


def _spoken_hex(words: Sequence[str], i: int) -> Mention | None:
    """A hex code read aloud: "hash zero zero f f" (3, 4, 6 or 8 digits after hex/hash/pound)."""
    if words[i] not in HEX_PREFIXES:
        return None
    start = i + 2 if tuple(words[i + 1 : i + 2]) == ("code",) else i + 1
    digits = ""
    for word in words[start : start + 8]:
        if word in UNIT_VALUES:
            digits += str(UNIT_VALUES[word])
        elif len(word) == 1 and word in "abcdef":
            digits += word
        else:
            break
    size = next((n for n in (8, 6, 4, 3) if len(digits) >= n), 0)
    return Mention(i, start + size, f"#{digits[:size]}") if size else None


def find_colors(words: Sequence[str]) -> tuple[Mention, ...]:
    found: list[Mention] = []
    i = 0
    while i < len(words):
        word = words[i]
        spoken = _spoken_hex(words, i)
        if spoken is not None:
            found.append(spoken)
            i = spoken.end
            continue
        if word.startswith("#") or (word.startswith(("rgb", "hsl")) and word.endswith(")")):
            if parse_css_color(word) is not None:
                found.append(Mention(i, i + 1, " ".join(word.split())))
            i += 1
            continue
        for size in (4, 3, 2, 1):
            name = "".join(words[i : i + size])
            if len(words[i : i + size]) == size and name in COLOR_NAMES:
                found.append(Mention(i, i + size, name))
                i += size
                break
        else:
            i += 1
    return tuple(found)


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_TYPED_URL = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s,;!?]*)?", re.I)
_TLDS = frozenset({"com", "org", "net", "io", "dev", "uk", "de", "fr", "edu", "gov", "co", "app", "info"})


def find_urls(text: str, spans: Sequence[tuple[int, int]], words: Sequence[str]) -> tuple[Mention, ...]:
    """Web addresses: typed ("example.com/about") or said ("example dot com slash about"), as
    ``https://`` URLs. ``spans`` are the tokens' character spans in ``text``."""
    found: list[Mention] = []
    for match in _TYPED_URL.finditer(text):
        inside = [i for i, (start, _) in enumerate(spans) if match.start() <= start < match.end()]
        if inside:
            address = match.group().rstrip(".")
            found.append(Mention(inside[0], inside[-1] + 1,
                                 address if "://" in address else "https://" + address))
    taken = {i for m in found for i in range(m.start, m.end)}
    i = 0
    while i < len(words):
        j = i
        parts = [words[i]]
        while j + 2 < len(words) + 1 and j + 2 <= len(words) - 1 and words[j + 1] == "dot":
            parts.append(words[j + 2])
            j += 2
        if len(parts) >= 2 and parts[-1] in _TLDS and not taken.intersection(range(i, j + 1)):
            path = []
            while j + 2 <= len(words) - 1 and words[j + 1] == "slash":
                path.append(words[j + 2])
                j += 2
            address = ".".join(parts) + "".join("/" + p for p in path)
            found.append(Mention(i, j + 1, "https://" + address))
            i = j + 1
        else:
            i += 1
    return tuple(sorted(found, key=lambda m: m.start))
