"""A tool's arguments from an utterance: each parameter gets the value that belongs to it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ....css.colors import to_hex
from ..words import words_of
from .keys import GENERIC_KEYS, content_keys, normal
from .mentions import Mention, format_number
from .params import ParamSpec
from .utterance import QUOTED, Utterance
from .vocabulary import (
    BIGGER,
    DETERMINERS,
    ENUM_SYNONYMS,
    FALSE_WORDS,
    LINKS,
    MARKERS,
    MAX_WORDS,
    MIN_WORDS,
    NEGATIONS,
    SMALLER,
    STOP_WORDS,
    TRAILING_FILLER,
    TRUE_WORDS,
    WEAK_MARKERS,
)


@dataclass(frozen=True)
class Extraction:
    """The arguments found for one tool, and the tokens their values came from."""

    arguments: dict[str, Any]
    used: frozenset[int]


def extract_arguments(
    params: Sequence[ParamSpec],
    utterance: Utterance,
    *,
    cues: frozenset[str],
    keywords: frozenset[str],
) -> Extraction:
    """Arguments for one tool: each parameter gets the value nearest its cue words.

    ``cues`` are the keys of the tool's name, ``keywords`` all its keys. A value is used once:
    in "make the text white and the background blue" a tool with a text colour and a background
    colour gets white for the first and blue for the second. Free text goes last, so it never
    swallows a value another parameter took, and it must say more than the tool's own words.
    """
    consumed: set[int] = set()
    found: dict[str, Any] = {}
    for param in sorted(params, key=lambda p: p.kind == "string"):
        if param.kind == "unsupported":
            continue
        siblings = [p for p in params if p is not param and _group(p) == _group(param)]
        own = param.cues - GENERIC_KEYS
        if not siblings:
            own |= cues
        rival = {cue for p in siblings for cue in p.cues} - param.cues - GENERIC_KEYS
        unfilled = sum(1 for p in siblings if p.name not in found)
        if param.kind == "string":
            mentions = _free_text(utterance, own | cues, keywords, consumed)
        else:
            mentions = [m for m in _mentions(param, utterance, param.cues | cues)
                        if not consumed.intersection(range(m.start, m.end))]
        chosen = _choose(mentions, utterance.positions(own), utterance.positions(rival),
                         ambiguous=bool(siblings) and len(mentions) <= unfilled)
        if chosen is not None:
            found[param.name] = chosen.value
            consumed.update(range(chosen.start, chosen.end))
    for param in params:
        # "shuffle the songs": a switch named without on or off is turned on.
        if param.kind == "boolean" and param.required and param.name not in found and (
                utterance.positions(cues - GENERIC_KEYS)):
            found[param.name] = True
    return Extraction(found, frozenset(consumed))


def _group(param: ParamSpec) -> tuple[str, frozenset[str]]:
    return param.kind, frozenset(str(value) for value in param.enum)


def _choose(
    mentions: Sequence[Mention], own: Sequence[int], rival: Sequence[int], *, ambiguous: bool
) -> Mention | None:
    def distance(mention: Mention, cues: Sequence[int]) -> float:
        # A cue usually comes before its value ("the text white"); after it costs a little more.
        return min(
            (mention.start - cue if cue < mention.start else cue - mention.end + 3 for cue in cues),
            default=math.inf,
        )

    if rival:
        # A value nearer another parameter's cue than this one's belongs to that parameter.
        mentions = [m for m in mentions if math.inf > distance(m, own) <= distance(m, rival)]
    if not mentions:
        return None
    if own:
        return min(mentions, key=lambda m: distance(m, own))
    return None if ambiguous else mentions[0]


def _mentions(param: ParamSpec, utterance: Utterance, cues: frozenset[str]) -> list[Mention]:
    words = utterance.words
    if param.kind == "color":
        return [Mention(m.start, m.end, to_hex(m.value) if param.wants_hex else m.value)
                for m in utterance.colors]
    if param.kind == "boolean":
        return _booleans(words, utterance.reserved)
    if param.kind in ("number", "integer"):
        return _numbers(param, utterance)
    found = _relative(param, words)
    if param.kind == "length":
        in_lengths = {i for m in utterance.lengths for i in range(m.start, m.end)}
        found += utterance.lengths
        # A bare number is a pixel size only where it follows its cue or "to": "make the
        # button 30", "set the size to 30", but not "hash one two".
        found += [Mention(m.start, m.end, f"{format_number(m.value)}px")
                  for m in utterance.numbers if m.start not in in_lengths
                  and m.start > 0 and (utterance.words[m.start - 1] in MARKERS
                                       or content_keys([utterance.words[m.start - 1]]) & cues)]
    if param.kind == "enum":
        found = [m for m in found if m.value in param.enum] + _enum_values(param, utterance)
    if param.kind == "url":
        found = list(utterance.urls)
    return sorted(found, key=lambda m: m.start)


def _relative(param: ParamSpec, words: Sequence[str]) -> list[Mention]:
    """"bigger"/"smaller": the schema's own word for it, else its example scaled, in its unit."""
    if not param.relative and param.example is None:
        return []
    found = []
    for i, word in enumerate(words):
        for group, factor in ((BIGGER, 1.25), (SMALLER, 0.8)):
            if word not in group:
                continue
            offered = [w for w in param.relative if w in group]
            if offered:
                found.append(Mention(i, i + 1, word if word in offered else offered[0]))
            elif param.example is not None and not param.relative:
                found.append(Mention(i, i + 1, _scaled(param.example, factor)))
    return found


def _scaled(example: tuple[float, str], factor: float) -> str:
    value, unit = example
    if unit in ("px", "pt", "%"):
        scaled = float(round(value * factor))
        if scaled == value:
            scaled += 1 if factor > 1 else -1
    else:
        scaled = round(value * factor, 2)
    return f"{format_number(scaled)}{unit}"


def _booleans(words: Sequence[str], reserved: frozenset[int]) -> list[Mention]:
    found = []
    for i, word in enumerate(words):
        if i in reserved or (word not in TRUE_WORDS and word not in FALSE_WORDS):
            continue
        negated = i > 0 and words[i - 1] in NEGATIONS
        found.append(Mention(i, i + 1, (word in TRUE_WORDS) != negated))
    return found


def _numbers(param: ParamSpec, utterance: Utterance) -> list[Mention]:
    found = []
    for mention in utterance.numbers:
        value = float(mention.value)
        if param.kind == "integer" and not value.is_integer():
            continue
        end = next((m.end for m in utterance.lengths if m.start == mention.start), mention.end)
        found.append(Mention(mention.start, end, int(value) if value.is_integer() else value))
    for i, word in enumerate(utterance.words):
        bound = (param.maximum if word in MAX_WORDS else param.minimum if word in MIN_WORDS
                 else None)
        if bound is not None:
            found.append(Mention(i, i + 1, int(bound) if bound.is_integer() else bound))
    return sorted(found, key=lambda m: m.start)


def _enum_values(param: ParamSpec, utterance: Utterance) -> list[Mention]:
    words = utterance.words
    normals = [normal(word) for word in words]
    found: list[Mention] = []
    for value in param.enum:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            found += [Mention(m.start, m.end, value) for m in utterance.numbers
                      if float(m.value) == float(value)]
            continue
        parts = [normal(word) for word in words_of(str(value))]
        joined = re.sub(r"[^a-z0-9]", "", str(value).lower())
        for i in range(len(words)):
            if parts and normals[i : i + len(parts)] == parts:
                found.append(Mention(i, i + len(parts), value))
            for size in (1, 2, 3):
                if len(parts) != size and "".join(words[i : i + size]) == joined:
                    found.append(Mention(i, i + size, value))
    found += _enum_by_meaning(param, words, normals)
    # A longer value ("light blue") wins over a shorter one inside it ("blue").
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in found:
        if not any(k.start <= mention.start < k.end for k in kept):
            kept.append(mention)
    return kept


def _enum_by_meaning(param: ParamSpec, words: Sequence[str], normals: Sequence[str]) -> list[Mention]:
    """Enum members named by an everyday synonym ("everything": all), by a longer form of the
    word ("alphabetically": alphabetical), or by the description's words for them."""
    found: list[Mention] = []
    for value in param.enum:
        if not isinstance(value, str):
            continue
        synonyms = ENUM_SYNONYMS.get(value.lower(), frozenset())
        for i, word in enumerate(words):
            longer = len(value) >= 5 and word.startswith(value.lower()) and len(word) - len(value) <= 3
            if word in synonyms or longer:
                found.append(Mention(i, i + 1, value))
    keys = [content_keys([word]) for word in words]
    for value, described in param.described:
        places = [i for i, k in enumerate(keys) if k & described]
        if places and described <= set().union(*(keys[i] for i in places)):
            found.append(Mention(places[0], places[-1] + 1, value))
    return found


def _free_text(
    utterance: Utterance, cues: frozenset[str], keywords: frozenset[str], consumed: set[int]
) -> list[Mention]:
    """Free text: a quotation; the words after "to"/"called"/"saying"… that follow a cue
    ("set the title to hello world"); or the words right after a cue ("add milk to the cart").
    """
    tokens, words = utterance.tokens, utterance.words
    for quote in QUOTED.finditer(utterance.text):
        inside = [i for i, t in enumerate(tokens) if quote.start() <= t.start < quote.end()]
        if inside and not consumed.intersection(inside):
            return [Mention(inside[0], inside[-1] + 1, (quote.group(1) or quote.group(2)).strip())]
    cue_places = utterance.positions(cues)
    if not cue_places:
        return []
    after_cue = range(cue_places[0] + 1, len(words))
    marker = next((i for i in after_cue if words[i] in MARKERS), None)
    if marker is None:
        marker = next((i for i in after_cue if words[i] in WEAK_MARKERS), None)
    # After a marker the words are taken as said; right after a cue, the tool's own words
    # that follow it are still part of the command ("title the page hello").
    spans = [] if marker is None else [(marker + 1, len(words), False)]
    spans.append((cue_places[0] + 1, marker if marker is not None else len(words), True))

    def own_word(i: int) -> bool:
        return words[i] in STOP_WORDS or content_keys([words[i]]) <= keywords

    def leading(i: int) -> bool:
        """A word before the value: "me to", "an item", "some music by"."""
        word = words[i]
        return (word in DETERMINERS or word in LINKS or word in MARKERS or word in ("me", "that", "be")
                or bool(content_keys([word])) and content_keys([word]) <= keywords)

    for start, end, skip_own in spans:
        while start < end and (words[start] in MARKERS or words[start] == "be"
                               or start in consumed or (skip_own and leading(start))):
            start += 1
        end = next((i for i in range(start, end) if i in consumed), end)
        # "... on my to do list": a trailing place made of the tool's own words is no value.
        for i in range(start + 1, end):
            if words[i] in LINKS and all(own_word(j) for j in range(i + 1, end)):
                end = i
                break
        while end > start and words[end - 1] in TRAILING_FILLER | DETERMINERS | LINKS:
            end -= 1
        # Text made only of the tool's own words ("to the cart") is the command, not a value.
        if not all(own_word(i) for i in range(start, end)):
            text = utterance.span_text(start, end).strip(" \t\"'.,!?;:")
            if text:
                return [Mention(start, end, text)]
    return []
