"""Language models for recognising spoken commands, built from a session's own tools.

A tool list says what can be asked: the tools' names and descriptions, their parameters'
names, enums and examples, and what kind of value each parameter takes (a CSS colour, a CSS
length, a number, a yes/no). From that and the ordinary ways people phrase a command ("change
the X to Y", "make the X bigger", "what is on the page") this module builds either a JSGF
grammar or a trigram ARPA model for pocketsphinx, together with pronunciations for the words
its dictionary lacks ("html" spelled out, "blanched" from "blanch", made-up names by rule) and
the non-rhotic way of saying its words ("dark" without the R) that its American entries miss.

Spoken forms stay spoken: "dark slate gray", "twenty four pixels". Turning those back into
``darkslategray`` or ``24px`` is the intent matcher's job.
"""

from __future__ import annotations

import functools
import hashlib
import io
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ...css.colors import color_names
from .words import ONES, TEENS, TENS, split_identifier, spoken_words

__all__ = [
    "LanguageModel",
    "Lexicon",
    "ModelKind",
    "accent_variant",
    "build_language_model",
    "default_lexicon",
    "pronounce",
    "spell",
]

ModelKind = Literal["jsgf", "ngram"]

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

# Ordinary ways of asking for a change, a read-out, or nothing in particular. These are the
# domain's phrasing, not any particular test's sentences.
_SET_VERBS = ("change", "set", "make", "turn", "switch", "update", "paint", "color")
_READ_VERBS = frozenset(("get", "read", "fetch", "show", "list", "describe", "find", "tell"))
_RELATIVE_SIZES = ("bigger", "smaller", "larger", "big", "small", "large", "huge", "tiny")
_BOOLEANS = ("on", "off", "true", "false", "yes", "no", "enabled", "disabled")
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
_COLOR_MODIFIERS = ("light", "dark", "medium", "pale", "deep", "hot", "dim")
_STOPWORDS = frozenset((
    "a", "an", "the", "of", "to", "and", "or", "for", "on", "in", "at", "by", "with", "from",
    "is", "are", "be", "as", "such", "this", "that", "it", "its", "e", "g", "eg", "ie", "either",
))  # fmt: skip
_CHAT = (
    "hello", "hi", "hi there", "hey", "good morning", "good evening", "thank you", "thanks",
    "thank you very much", "okay", "ok thanks", "yes", "no", "yes please", "no thanks",
    "how are you", "who are you", "what can you do", "what are you", "help", "stop",
    "cancel", "never mind", "wait", "goodbye", "bye", "what time is it",
    "what is the weather like", "tell me a joke", "i do not know", "that is all",
    "can you hear me", "is anyone there", "sorry", "repeat that", "say that again",
)  # fmt: skip
_QUESTIONS = (
    "what is on the {n}", "what is on this {n}", "what's on the {n}", "what does the {n} say",
    "what is in the {n}", "read the {n}", "read me the {n}", "read the {n} to me",
    "describe the {n}", "describe this {n}", "tell me what is on the {n}",
    "tell me what the {n} says", "show me the {n}", "what is the {n} about",
    "what do you see on the {n}", "what can you see on the {n}",
)  # fmt: skip
# Short function words ("and", "now") are left out: as optional words they soak up noise.
_POLITE_OPENERS = ("please", "can you", "could you", "would you")
_POLITE_CLOSERS = ("please", "thanks", "thank you")


# --------------------------------------------------------------------------- words


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
    known = lexicon.phones(word) or _MISSING.get(word)
    if known is not None:
        return known
    if not re.search(r"[aeiouy]", word):
        return spell(word)
    inflected = _inflected(word, lexicon)
    if inflected is not None:
        return inflected
    return _segment(word, lexicon)


def _inflected(word: str, lexicon: Lexicon) -> str | None:
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
_MISSING: Mapping[str, str] = {"fuchsia": "F Y UW SH AH"}

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


# --------------------------------------------------------------------------- grammar terms


@dataclass(frozen=True)
class _Words:
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Alt:
    options: tuple[_Term, ...]
    weights: tuple[float, ...] | None = None


@dataclass(frozen=True)
class _Seq:
    parts: tuple[_Term, ...]


@dataclass(frozen=True)
class _Opt:
    term: _Term


@dataclass(frozen=True)
class _Ref:
    rule: str


_Term = _Words | _Alt | _Seq | _Opt | _Ref


def _w(text: str) -> _Words:
    return _Words(tuple(text.split()))


def _alt(options: Iterable[_Term | str]) -> _Alt:
    unique: dict[_Term, None] = {}
    for option in options:
        unique[_w(option) if isinstance(option, str) else option] = None
    return _Alt(tuple(unique))


def _seq(*parts: _Term | str) -> _Seq:
    return _Seq(tuple(_w(p) if isinstance(p, str) else p for p in parts))


def _opt(term: _Term | str) -> _Opt:
    return _Opt(_w(term) if isinstance(term, str) else term)


def _words_in(term: _Term) -> Iterator[str]:
    if isinstance(term, _Words):
        yield from term.words
    elif isinstance(term, _Alt):
        for option in term.options:
            yield from _words_in(option)
    elif isinstance(term, _Seq):
        for part in term.parts:
            yield from _words_in(part)
    elif isinstance(term, _Opt):
        yield from _words_in(term.term)


def _jsgf(term: _Term) -> str:
    if isinstance(term, _Words):
        return " ".join(term.words)
    if isinstance(term, _Ref):
        return f"<{term.rule}>"
    if isinstance(term, _Opt):
        return f"[{_jsgf(term.term)}]"
    if isinstance(term, _Seq):
        return " ".join(_jsgf(part) for part in term.parts if part != _Words(()))
    if term.weights is None:
        return "(" + " | ".join(_jsgf(option) for option in term.options) + ")"
    return (
        "("
        + " | ".join(
            f"/{weight:g}/ {_jsgf(option)}" for weight, option in zip(term.weights, term.options, strict=True)
        )
        + ")"
    )


def _sample(term: _Term, rules: Mapping[str, _Term], rng: random.Random) -> list[str]:
    if isinstance(term, _Words):
        return list(term.words)
    if isinstance(term, _Ref):
        return _sample(rules[term.rule], rules, rng)
    if isinstance(term, _Opt):
        return _sample(term.term, rules, rng) if rng.random() < 0.5 else []
    if isinstance(term, _Seq):
        return [word for part in term.parts for word in _sample(part, rules, rng)]
    option = rng.choices(term.options, weights=term.weights)[0]
    return _sample(option, rules, rng)


# --------------------------------------------------------------------------- tools -> terms


@dataclass(frozen=True)
class _Param:
    name: tuple[str, ...]
    values: _Term | None
    vocabulary: tuple[str, ...]


@dataclass(frozen=True)
class _Tool:
    verb: str
    target: tuple[str, ...]
    params: tuple[_Param, ...]
    vocabulary: tuple[str, ...]


def _schema_values(schema: Any) -> Iterator[Any]:
    """enum / const / examples / default values anywhere in a JSON schema fragment."""
    if not isinstance(schema, Mapping):
        return
    for key in ("enum", "examples"):
        if isinstance(schema.get(key), list):
            yield from schema[key]
    for key in ("const", "default"):
        if key in schema:
            yield schema[key]
    for key in ("items", "additionalProperties", "not"):
        yield from _schema_values(schema.get(key))
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for sub in schema.get(key) or ():
            yield from _schema_values(sub)


def _schema_types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    types = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key) or ():
            if isinstance(sub, Mapping):
                types |= _schema_types(sub)
    return {t for t in types if isinstance(t, str)}


def _param(name: str, schema: Mapping[str, Any]) -> _Param:
    description = str(schema.get("description") or "")
    hint = " ".join([name, description, str(schema.get("format") or "")]).lower()
    name_words = tuple(split_identifier(name))
    options: list[_Term] = []
    for value in _schema_values(schema):
        if isinstance(value, bool):
            options.append(_w("true" if value else "false"))
        elif isinstance(value, (str, int, float)) and spoken_words(str(value)):
            options.append(_Words(tuple(spoken_words(str(value)))))
    types = _schema_types(schema)
    if re.search(r"colou?r", hint):
        options += [_Ref("color"), _Ref("hex_color")]
    if re.search(r"size|length|width|height|font|margin|padding|px|pixel", hint):
        options += [_Ref("length"), _alt(_RELATIVE_SIZES)]
    if types & {"number", "integer"}:
        options.append(_Ref("number"))
    if "boolean" in types:
        options.append(_alt(_BOOLEANS))
    # Free text without any hint cannot be enumerated; its description's words still go into
    # the vocabulary so an n-gram model can put them together.
    vocabulary = tuple(w for w in spoken_words(description) if w not in _STOPWORDS)
    values = _alt(options) if options else None
    return _Param(name_words, values, vocabulary)


def _tool(tool: Mapping[str, Any]) -> _Tool | None:
    name = tool.get("name")
    if not isinstance(name, str) or not split_identifier(name):
        return None
    words = split_identifier(name)
    parameters = tool.get("parameters")
    properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
    params = tuple(
        _param(str(key), schema) for key, schema in (properties or {}).items() if isinstance(schema, Mapping)
    )
    verb, target = (words[0], words[1:]) if len(words) > 1 else ("", words)
    param_words = {w for p in params for w in p.name}
    # "changeBackgroundColor" with a `color` parameter targets the background; "style",
    # "settings" and the like name no thing a person would mention.
    trimmed = [w for w in target if w not in param_words and w not in ("style", "settings", "properties")]
    vocabulary = tuple(spoken_words(str(tool.get("description") or "")))
    return _Tool(verb, tuple(trimmed or target), params, vocabulary)


def _value_rules(rules: dict[str, _Term], lexicon: Lexicon) -> None:
    below_hundred = _alt([
        _alt(ONES[1:] + TEENS),
        _seq(_alt(TENS[2:]), _opt(_alt(ONES[1:]))),
    ])  # fmt: skip
    rules["number"] = _alt([
        below_hundred,
        _seq(_alt(ONES[1:]), "hundred", _opt(below_hundred)),
        _seq(_alt(ONES), "point", _alt(ONES), _opt(_alt(ONES))),
    ])  # fmt: skip
    rules["length"] = _seq(
        _Ref("number"), _alt(["pixels", "pixel", "p x", "points", "em", "rem", "percent", "ems"])
    )
    phrases = {name: _Words(tuple(_split_compound(name, lexicon))) for name in color_names()}
    rules["color"] = _Alt(tuple(phrases.values()), tuple(_color_weight(name, phrase.words)
                                                          for name, phrase in phrases.items()))  # fmt: skip
    rules["hex_color"] = _seq(
        _alt(["hex", "hash", "pound", "hex code"]),
        _alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
        _alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
        _alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
        _opt(_seq(
            _alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
            _alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
            _alt([*ONES, *["a", "b", "c", "d", "e", "f"]]),
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
        len(words) == 2 and words[0] in _COLOR_MODIFIERS and words[1] in _BASIC_COLORS
    ):
        return 30.0
    return 1.0


def _split_compound(word: str, lexicon: Lexicon) -> list[str]:
    """``darkslategray`` as said: dark slate gray."""
    for modifier in _COLOR_MODIFIERS:
        if word.startswith(modifier) and len(word) > len(modifier) + 2:
            return [modifier, *_split_compound(word[len(modifier) :], lexicon)]
    if word in lexicon or word in _MISSING:
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
            if piece in lexicon or _inflected(piece, lexicon) is not None:
                candidate = (here[0] + 1, here[1] - (piece in names), [*here[2], piece])
                current = best[j]
                if current is None or candidate[:2] < current[:2]:
                    best[j] = candidate
    final = best[n]
    return final[2] if final else [word]


def _values(tool: _Tool) -> _Term | None:
    valued = [p.values for p in tool.params if p.values is not None]
    return _alt(valued) if valued else None


def _lead(tool: _Tool) -> _Term:
    """The carrier phrase before a value: "change the background color (to)"."""
    target = " ".join(tool.target)
    verbs = _alt([*_SET_VERBS, tool.verb] if tool.verb else _SET_VERBS)
    names = _alt(" ".join(p.name) for p in tool.params if p.values is not None)
    location = _opt(_alt(["on the page", "of the page", "on this page"]))
    return _seq(
        _alt([
            # The article is required: without it "the text" was often heard as "button".
            _seq(verbs, _alt(["the", "this", "my"]), target, _opt(names), location),
            _seq(verbs, "the", names, _alt(["of", "on", "for"]), _opt(_alt(["the", "this", "my"])),
                 target, location),
        ]),
        _opt(_alt(["to", "into", "to be"])),
    )  # fmt: skip


def _fixed_phrases(tool: _Tool) -> list[_Term]:
    """What is said to a tool that takes no value: its name, and questions about its nouns."""
    phrases: list[_Term] = []
    if _values(tool) is None:
        phrases.append(_seq(_alt([tool.verb or "show", "show"]), _opt("me"), _opt("the"),
                            " ".join(tool.target)))  # fmt: skip
    if tool.verb in _READ_VERBS or _values(tool) is None:
        for noun in dict.fromkeys(tool.target):
            phrases += [_w(question.format(n=noun).replace("what's", "what is"))
                        for question in _QUESTIONS]  # fmt: skip
    return phrases


def _command_rules(tools: Sequence[_Tool], rules: dict[str, _Term]) -> list[_Term]:
    """The commands that carry values: a lead phrase, then one value, or two of different
    parameters joined by "and" ("make the button bigger and red", never "red and blue").

    Each distinct value set becomes one rule: pocketsphinx copies a referenced rule into the
    search graph at every reference, so the 147 colour names must be referenced as few times
    as the phrasings allow.
    """
    rule_names: dict[_Term, str] = {}

    def ref(values: _Term) -> _Ref:
        name = rule_names.setdefault(values, f"v{len(rule_names)}")
        rules[name] = values
        return _Ref(name)

    groups: dict[tuple[_Term, ...], list[_Tool]] = {}
    for tool in tools:
        valued = tuple(p.values for p in tool.params if p.values is not None)
        if valued:
            groups.setdefault(valued, []).append(tool)
    commands: list[_Term] = []
    for valued, members in groups.items():
        lead = _alt(_lead(tool) for tool in members)
        if len(valued) == 1:
            commands.append(_seq(lead, ref(valued[0])))
            continue
        names = _alt(" ".join(p.name) for t in members for p in t.params if p.values is not None)
        joiner = _alt([_w("and"), _seq("and", _opt("the"), names, _opt("to"))])
        pairs = [
            _seq(ref(first), _opt(_seq(joiner, _alt(ref(v) for j, v in enumerate(valued) if j != i))))
            for i, first in enumerate(valued)
        ]
        commands.append(_seq(lead, _alt(pairs)))
    fixed = [phrase for tool in tools for phrase in _fixed_phrases(tool)]
    if fixed:
        commands.append(_alt(fixed))
    return commands


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class LanguageModel:
    """Everything a decoder needs to recognise one session's commands; picklable.

    ``text`` is a JSGF grammar (``kind == "jsgf"``) or an ARPA trigram (``"ngram"``);
    ``pronunciations`` are (word, phones) for the words the decoder's dictionary lacks, and
    accent variants of the words (``dark(2)``) under pocketsphinx's name for a second pronunciation.
    ``key`` identifies the model, so decoder processes build each search only once.
    """

    kind: ModelKind
    text: str
    vocabulary: tuple[str, ...]
    pronunciations: tuple[tuple[str, str], ...]
    key: str

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LanguageModel) and other.key == self.key


def build_language_model(
    tools: Sequence[Mapping[str, Any]],
    extra_words: Iterable[str] = (),
    *,
    kind: ModelKind = "jsgf",
    lexicon: Lexicon | None = None,
    chat: bool = True,
) -> LanguageModel:
    """A language model for commands to ``tools`` (OpenAI function-tool definitions).

    Anything that is not a well-formed tool is skipped, so a session's odd schema never stops
    recognition. ``extra_words`` are words or phrases the session should also be able to hear
    (said as they are written). ``chat`` adds everyday non-command phrases so that small talk
    is heard as small talk instead of being forced onto the nearest command.
    """
    lexicon = lexicon or default_lexicon()
    rules: dict[str, _Term] = {}
    _value_rules(rules, lexicon)
    parsed = [t for t in (_tool(tool) for tool in tools if isinstance(tool, Mapping)) if t]
    commands = _command_rules(parsed, rules)
    extras = [" ".join(spoken_words(phrase)) for phrase in extra_words]
    extras = [e for e in extras if e]
    commands += [_w(e) for e in extras]
    if chat:
        commands += [_w(phrase) for phrase in _CHAT]
    if not commands:
        commands = [_w(phrase) for phrase in _CHAT]
    for index, command in enumerate(commands):
        rules[f"c{index}"] = command
    top = _seq(
        _opt(_alt(_POLITE_OPENERS)),
        _alt(_Ref(f"c{index}") for index in range(len(commands))),
        _opt(_alt(_POLITE_CLOSERS)),
    )
    rules["utterance"] = top

    # Tool descriptions and free-text parameters contribute single words an n-gram model can
    # still string together; a grammar has no place for them.
    loose = [w for t in parsed for w in t.vocabulary] + [
        w for t in parsed for p in t.params for w in p.vocabulary
    ]
    if kind == "jsgf":
        text = _render_jsgf(rules)
        words = {w for term in rules.values() for w in _words_in(term)}
    else:
        text, words = _render_arpa(rules, loose)
    vocabulary = tuple(sorted(w for w in words if re.fullmatch(r"[a-z][a-z']*", w)))
    own = {w: pronounce(w, lexicon) for w in vocabulary if w not in lexicon}
    prons = (*own.items(), *_accented(vocabulary, lexicon, own))
    key = hashlib.sha256("\0".join([kind, text, repr(prons)]).encode()).hexdigest()[:24]
    return LanguageModel(kind, text, vocabulary, prons, key)


def _accented(words: Iterable[str], lexicon: Lexicon, own: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """``word(n)`` entries for the accent variants of each word's pronunciations.

    On the accuracy corpus (decoded directly) they heard 3 to 4 more of 280 commands, most from
    espeak-ng's British voices ("purple", "dark green", "dark slate gray"); tuning and held-out
    wordings gained alike. Rounding the vowel of "lot" (AA -> AO) as well gained nothing more.
    """
    for word in words:
        known = lexicon.entries.get(word) or (own[word],)
        seen = set(known)
        for phones in known:
            variant = accent_variant(phones)
            if variant is not None and variant not in seen:
                seen.add(variant)
                yield f"{word}({len(seen)})", variant


def _render_jsgf(rules: Mapping[str, _Term]) -> str:
    lines = ["#JSGF V1.0;", "grammar commands;", f"public <utterance> = {_jsgf(rules['utterance'])};"]
    lines += [f"<{name}> = {_jsgf(term)};" for name, term in rules.items() if name != "utterance"]
    return "\n".join(lines) + "\n"


def _render_arpa(rules: Mapping[str, _Term], loose: Sequence[str]) -> tuple[str, set[str]]:
    """Sample the grammar into sentences and count a trigram model from them."""
    rng = random.Random(0)
    sentences: list[list[str]] = []
    for name, term in rules.items():
        if re.fullmatch(r"c\d+", name):
            sentences += [_sample(term, rules, rng) for _ in range(300)]
    for name in ("color", "length", "number", "hex_color"):
        sentences += [_sample(rules[name], rules, rng) for _ in range(100)]
    sentences += [[w] for w in loose if w not in _STOPWORDS]
    return _arpa(sentences), {w for s in sentences for w in s}


def _arpa(sentences: Sequence[Sequence[str]], discount: float = 0.5) -> str:
    """A trigram model with a fixed discount and exact back-off weights."""
    from math import log10

    uni: dict[str, int] = {}
    bi: dict[tuple[str, str], int] = {}
    tri: dict[tuple[str, str, str], int] = {}
    for sentence in sentences:
        words = ["<s>", *sentence, "</s>"]
        for i, word in enumerate(words):
            uni[word] = uni.get(word, 0) + 1
            if i >= 1:
                bi[words[i - 1], word] = bi.get((words[i - 1], word), 0) + 1
            if i >= 2:
                key = (words[i - 2], words[i - 1], word)
                tri[key] = tri.get(key, 0) + 1
    total = sum(c for w, c in uni.items() if w != "<s>")
    p1 = {w: (c / total if w != "<s>" else 0.0) for w, c in uni.items()}
    p2 = {(a, b): (1 - discount) * c / uni[a] for (a, b), c in bi.items()}
    ctx2: dict[tuple[str, str], int] = {}
    for (a, b, _), count in tri.items():
        ctx2[a, b] = ctx2.get((a, b), 0) + count
    p3 = {k: (1 - discount) * c / ctx2[k[:2]] for k, c in tri.items()}

    def backoff(seen_mass: float, lower_mass: float) -> float:
        return (1.0 - seen_mass) / max(1e-9, 1.0 - lower_mass)

    followers1: dict[str, list[str]] = {}
    for a, b in bi:
        followers1.setdefault(a, []).append(b)
    followers2: dict[tuple[str, str], list[str]] = {}
    for a, b, w in tri:
        followers2.setdefault((a, b), []).append(w)
    bow1 = {a: backoff(sum(p2[a, b] for b in bs), sum(p1[b] for b in bs)) for a, bs in followers1.items()}
    bow2 = {k: backoff(sum(p3[(*k, c)] for c in cs), sum(p2[k[1], c] for c in cs))
            for k, cs in followers2.items()}  # fmt: skip

    out = io.StringIO()
    out.write(f"\\data\\\nngram 1={len(uni)}\nngram 2={len(bi)}\nngram 3={len(tri)}\n\n\\1-grams:\n")
    for w in sorted(uni):
        prob = log10(p1[w]) if p1[w] > 0 else -99.0
        out.write(f"{prob:.4f} {w} {log10(bow1.get(w, 1.0)):.4f}\n")
    out.write("\n\\2-grams:\n")
    for a, b in sorted(bi):
        out.write(f"{log10(p2[a, b]):.4f} {a} {b} {log10(bow2.get((a, b), 1.0)):.4f}\n")
    out.write("\n\\3-grams:\n")
    for k in sorted(tri):
        out.write(f"{log10(p3[k]):.4f} {' '.join(k)}\n")
    out.write("\n\\end\\\n")
    return out.getvalue()
