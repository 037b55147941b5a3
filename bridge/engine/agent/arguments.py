"""Words, values and tool arguments in an utterance.

An utterance is typed text or a speech transcript (lower case, no punctuation, numbers often
spelled out). `Utterance.parse` finds the values in it once: colours, numbers, CSS lengths, and
the content words it uses as keywords. `ParamSpec.from_schema` reads what kind of value a
parameter takes from its JSON schema, and `extract_arguments` gives each parameter of one tool
the value that belongs to it. Nothing here knows any particular tool.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from ...css.colors import color_names, parse_css_color, to_hex
from .words import ORDINAL_VALUES, TEEN_VALUES, TEN_VALUES, UNIT_VALUES, split_identifier, words_of

__all__ = [
    "GENERIC_KEYS",
    "STOP_WORDS",
    "VERB_KEYS",
    "Kind",
    "Extraction",
    "Mention",
    "ParamSpec",
    "Token",
    "Utterance",
    "base_vocabulary",
    "color_words",
    "content_keys",
    "extract_arguments",
    "word_key",
]


Kind = Literal["enum", "boolean", "number", "integer", "color", "length", "string", "unsupported"]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _word_set(
    """a an the to of on in at by for from with into onto and or but nor so if then than as is
    are was were be been being am do does did it its this that these those there here i me my we
    us our you your he she they them their his her please can could would will shall should may
    might must let lets just also now some any all each every such very too more most much many
    what which who whom whose when where why how about out over again not only own same other
    another like want wanna need hey hi okay ok thanks thank eg e g etc either both way thing
    something whatever via using use"""
)

# Groups of general-English words that mean the same thing to a page; the first is the key.
_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("text", "font", "writing", "words", "wording", "lettering", "letters", "typeface"),
    ("background", "backdrop", "bg"),
    ("page", "website", "site", "webpage", "screen", "document"),
    ("read", "show", "display", "see", "view", "describe", "look"),
    ("html", "markup", "source", "dom"),
    ("color", "shade", "hue", "tint"),
    ("button", "btn"),
    ("size", "bigger", "larger", "smaller", "big", "large", "small", "huge", "tiny", "enlarge",
     "shrink", "grow"),
    ("change", "make", "set", "turn", "update", "switch", "modify", "alter", "adjust", "put"),
    ("get", "fetch", "retrieve", "obtain"),
    ("scroll", "go", "jump", "navigate"),
    ("title", "heading", "headline"),
    ("volume", "loudness"),
    ("image", "picture", "photo", "img"),
    ("delete", "remove", "erase"),
    ("search", "find"),
)
# Phrases that ask to read the page without naming a verb a tool would use; "*" stands for up
# to three words ("what does the page say").
_READ_PHRASES: tuple[tuple[str, ...], ...] = (
    ("what", "is", "on"), ("what's", "on"), ("whats", "on"), ("what", "is", "in"),
    ("what's", "in"), ("what", "is", "there"), ("what's", "there"), ("what", "does", "*", "say"),
    ("what", "do", "*", "say"), ("what", "does", "*", "contain"),
)
_BRITISH_STEMS: tuple[tuple[str, str], ...] = (
    ("colour", "color"), ("favour", "favor"), ("behaviour", "behavior"), ("honour", "honor"),
    ("centre", "center"), ("grey", "gray"), ("organis", "organiz"), ("maximis", "maximiz"),
    ("minimis", "minimiz"), ("customis", "customiz"), ("dialogue", "dialog"),
)

_LENGTH_UNITS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("px",), "px"), (("pixel",), "px"), (("pixels",), "px"), (("p", "x"), "px"),
    (("em",), "em"), (("ems",), "em"), (("e", "m"), "em"), (("rem",), "rem"), (("rems",), "rem"),
    (("%",), "%"), (("percent",), "%"), (("per", "cent"), "%"), (("pt",), "pt"),
    (("point",), "pt"), (("points",), "pt"), (("vh",), "vh"), (("vw",), "vw"),
)
_BIGGER = ("bigger", "larger", "big", "large", "huge", "enormous", "giant", "increase", "grow",
           "enlarge")
_SMALLER = ("smaller", "small", "tiny", "little", "decrease", "shrink", "reduce")
_TRUE_WORDS = frozenset({"on", "yes", "enable", "enabled", "activate", "show", "true", "start",
                         "open", "visible"})
_FALSE_WORDS = frozenset({"off", "no", "disable", "disabled", "deactivate", "hide", "false",
                          "stop", "close", "hidden"})
_NEGATIONS = frozenset({"not", "don't", "dont", "never"})
_MAX_WORDS = frozenset({"max", "maximum", "full", "highest", "loudest"})
_MIN_WORDS = frozenset({"min", "minimum", "lowest", "quietest"})
_MARKERS = frozenset({"to", "as", "called", "named", "titled", "saying", "says", "say",
                      "reading", "reads"})
_WEAK_MARKERS = frozenset({"for", "with", "about"})
_TRAILING_FILLER = frozenset({"please", "thanks", "now", "thank", "you"})
_DETERMINERS = frozenset({"the", "a", "an", "some", "my", "our", "be"})
_LINKS = frozenset({"of", "in", "on", "at", "to", "for", "with", "and", "or", "into"})
_COLOR_NAMES = frozenset(color_names())
_HEX_PREFIXES = frozenset({"hex", "hash", "pound"})
# Pieces of the CSS colour names, so a speech grammar can say "light goldenrod yellow".
_COLOR_PIECES = _word_set(
    """alice almond antique aqua aquamarine azure beige bisque black blanched blue blush brown
    burly cadet chartreuse chiffon chocolate coral corn cornflower cream crimson cyan dark deep
    dim dodger drab firebrick floral forest fuchsia gainsboro ghost gold goldenrod gray green grey
    honeydew hot indian indigo ivory khaki lace lavender lawn lemon light lime linen magenta
    marine maroon medium midnight mint misty moccasin navajo navy old olive orange orchid pale
    papaya peach peru pink plum powder puff purple rebecca red rose rosy royal saddle salmon
    sandy sea seashell shell sienna silk silver sky slate smoke snow spring steel tan teal
    thistle tomato transparent turquoise violet wheat whip white wood yellow"""
)

_TOKEN = re.compile(
    r"#[0-9a-f]{3,8}\b|(?:rgba?|hsla?)\([^)]*\)|\d+(?:\.\d+)?|%|[^\W\d_]+(?:'[^\W\d_]+)*",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"]+)\"|(?<!\w)'([^']+)'(?!\w)")


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


def _normal(word: str) -> str:
    """Spelling-neutral form of one word: American spelling, possessive dropped, stemmed."""
    word = word.lower().replace("\u2019", "'")
    word = word.removesuffix("'s").strip("'")
    for british, american in _BRITISH_STEMS:
        if word.startswith(british):
            word = american + word[len(british) :]
            break
    return _stem(word)


_SYNONYMS: Mapping[str, str] = MappingProxyType(
    {_normal(word): _normal(group[0]) for group in _SYNONYM_GROUPS for word in group}
)
GENERIC_KEYS = frozenset(
    _normal(word) for word in ("change", "get", "color", "size", "page", "css", "name", "hex",
                               "code", "value", "new", "current", "main", "style")
)
# Command verbs say what kind of action, not which thing: they count for little.
VERB_KEYS = frozenset(_normal(word) for word in ("change", "get"))


def word_key(word: str) -> str:
    """The keyword key of one word: spelling- and synonym-neutral ("colours" -> "color")."""
    normal = _normal(word)
    return _SYNONYMS.get(normal, normal)


def content_keys(words: Iterable[str]) -> set[str]:
    """Keyword keys of the words that carry meaning (no stop-words, values or colour names)."""
    keys: set[str] = set()
    for word in words:
        word = word.lower().replace("\u2019", "'").removesuffix("'s").strip("'")
        if (len(word) < 2 or not word.isalpha() or word in STOP_WORDS or word in _COLOR_NAMES
                or word in UNIT_VALUES or word in TEEN_VALUES or word in TEN_VALUES
                or word in ORDINAL_VALUES):
            continue
        keys.add(word_key(word))
    return keys


@dataclass(frozen=True)
class Token:
    """One word, number, %, hex code or colour function, with its place in the text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """A value found in tokens ``start``..``end`` (exclusive)."""

    start: int
    end: int
    value: Any


@dataclass(frozen=True)
class Utterance:
    """What one user turn says: tokens, the values in it, and its keyword keys."""

    text: str
    tokens: tuple[Token, ...]
    words: tuple[str, ...]
    numbers: tuple[Mention, ...]
    lengths: tuple[Mention, ...]
    colors: tuple[Mention, ...]
    reserved: frozenset[int]
    key_positions: Mapping[str, tuple[int, ...]]

    @classmethod
    def parse(cls, text: str) -> Utterance:
        """Tokenise ``text`` and find its numbers, lengths, colours and keywords."""
        text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
        text = text.replace("\u201c", '"').replace("\u201d", '"')
        tokens = tuple(Token(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text))
        words = tuple(token.text for token in tokens)
        # Quoted text is one value as a whole: no keywords, colours or numbers inside it.
        quoted = {i for quote in _QUOTED.finditer(text) for i, t in enumerate(tokens)
                  if quote.start() <= t.start < quote.end()}
        colors = _outside(_find_colors(words), quoted)
        in_colors = {i for m in colors for i in range(m.start, m.end)}
        numbers = _outside(_find_numbers(words), quoted | in_colors)
        lengths = _outside(_find_lengths(words, numbers), quoted)
        reserved = set(quoted)
        positions: dict[str, list[int]] = {}
        for mention in (*numbers, *lengths, *colors):
            reserved.update(range(mention.start, mention.end))
        for i in range(len(words)):
            for phrase in _READ_PHRASES:
                end = _phrase_end(words, i, phrase)
                if end is not None:
                    reserved.update(range(i, end))
                    positions.setdefault(word_key("read"), []).append(i)
        for i, word in enumerate(words):
            if i not in reserved:
                for key in content_keys([word]):
                    positions.setdefault(key, []).append(i)
        return cls(
            text, tokens, words, numbers, lengths, colors, frozenset(reserved),
            MappingProxyType({key: tuple(places) for key, places in positions.items()}),
        )

    @property
    def keys(self) -> frozenset[str]:
        """Keyword keys of the content words that are not values."""
        return frozenset(self.key_positions)

    def positions(self, keys: Iterable[str]) -> list[int]:
        """Token indices, in order, of the content words with any of ``keys``."""
        return sorted(i for key in keys for i in self.key_positions.get(key, ()))

    def span_text(self, start: int, end: int) -> str:
        """The original text (case kept) of tokens ``start``..``end`` (exclusive)."""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]


def _phrase_end(words: Sequence[str], start: int, phrase: Sequence[str]) -> int | None:
    """Where ``phrase`` ends if it occurs at ``start``; a "*" matches one to three words."""
    if not phrase:
        return start
    head, rest = phrase[0], phrase[1:]
    if head == "*":
        for gap in (1, 2, 3):
            end = _phrase_end(words, start + gap, rest)
            if end is not None:
                return end
        return None
    if start < len(words) and words[start] == head:
        return _phrase_end(words, start + 1, rest)
    return None


def _outside(mentions: Sequence[Mention], tokens: set[int]) -> tuple[Mention, ...]:
    return tuple(m for m in mentions if not tokens.intersection(range(m.start, m.end)))


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


def _find_numbers(words: Sequence[str]) -> tuple[Mention, ...]:
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


def _find_lengths(words: Sequence[str], numbers: Sequence[Mention]) -> tuple[Mention, ...]:
    found: list[Mention] = []
    for number in numbers:
        for unit_words, unit in _LENGTH_UNITS:
            after = tuple(words[number.end : number.end + len(unit_words)])
            if after == unit_words:
                found.append(Mention(number.start, number.end + len(unit_words),
                                     f"{_format_number(number.value)}{unit}"))
                break
    return tuple(found)


def _spoken_hex(words: Sequence[str], i: int) -> Mention | None:
    """A hex code read aloud: "hash zero zero f f" (3, 4, 6 or 8 digits after hex/hash/pound)."""
    if words[i] not in _HEX_PREFIXES:
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


def _find_colors(words: Sequence[str]) -> tuple[Mention, ...]:
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
            if len(words[i : i + size]) == size and name in _COLOR_NAMES:
                found.append(Mention(i, i + size, name))
                i += size
                break
        else:
            i += 1
    return tuple(found)


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class ParamSpec:
    """What one parameter takes, read from its JSON schema: the kind of value and its cue words."""

    name: str
    kind: Kind
    required: bool
    cues: frozenset[str]
    enum: tuple[Any, ...] = ()
    wants_hex: bool = False
    relative: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @classmethod
    def from_schema(cls, name: str, schema: Mapping[str, Any], *, required: bool) -> ParamSpec:
        """Classify a parameter by its type, enum, name and description."""
        description = str(schema.get("description") or "")
        words = split_identifier(name) + words_of(description)
        normals = {_normal(word) for word in words}
        offered = [*words, *(str(v).lower() for v in schema.get("enum") or ())]
        relative = tuple(dict.fromkeys(w for w in offered if w in _BIGGER or w in _SMALLER))
        kind = _kind(schema, normals)
        return cls(
            name=name,
            kind=kind,
            required=required,
            cues=frozenset(content_keys(words)),
            enum=tuple(schema["enum"]) if "enum" in schema else
            (schema["const"],) if "const" in schema else (),
            wants_hex=kind == "color" and _wants_hex(schema, normals),
            relative=relative,
            minimum=_bound(schema, "minimum", "exclusiveMinimum"),
            maximum=_bound(schema, "maximum", "exclusiveMaximum"),
        )


_PLAIN_KINDS: Mapping[str, Kind] = MappingProxyType(
    {"boolean": "boolean", "number": "number", "integer": "integer"}
)


def _kind(schema: Mapping[str, Any], normals: set[str]) -> Kind:
    if "enum" in schema or "const" in schema:
        return "enum"
    types = schema.get("type", "string")
    kinds = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    kind = kinds[0] if kinds else "string"
    if kind in _PLAIN_KINDS:
        return _PLAIN_KINDS[kind]
    if kind != "string":
        return "unsupported"
    if normals & {_normal("color"), _normal("colour")}:
        return "color"
    if normals & {_normal(w) for w in ("size", "length", "width", "height", "px", "pixels")}:
        return "length"
    return "string"


def _wants_hex(schema: Mapping[str, Any], normals: set[str]) -> bool:
    if "#" in str(schema.get("pattern", "")):
        return True
    # "a name such as blue, or a hex code" accepts names; only a hex-only parameter gets hex.
    asks_hex = bool(normals & {_normal("hex"), _normal("hexadecimal")})
    return asks_hex and not normals & {_normal("name"), _normal("named"), _normal("keyword")}


def _bound(schema: Mapping[str, Any], inclusive: str, exclusive: str) -> float | None:
    value = schema.get(inclusive, schema.get(exclusive))
    return float(value) if isinstance(value, int | float) else None


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
        found += [Mention(m.start, m.end, f"{_format_number(m.value)}px")
                  for m in utterance.numbers if m.start not in in_lengths
                  and m.start > 0 and (utterance.words[m.start - 1] in _MARKERS
                                       or content_keys([utterance.words[m.start - 1]]) & cues)]
    if param.kind == "enum":
        found = [m for m in found if m.value in param.enum] + _enum_values(param, utterance)
    return sorted(found, key=lambda m: m.start)


def _relative(param: ParamSpec, words: Sequence[str]) -> list[Mention]:
    if not param.relative:
        return []
    found = []
    for i, word in enumerate(words):
        for group in (_BIGGER, _SMALLER):
            offered = [w for w in param.relative if w in group]
            if word in group and offered:
                found.append(Mention(i, i + 1, word if word in offered else offered[0]))
    return found


def _booleans(words: Sequence[str], reserved: frozenset[int]) -> list[Mention]:
    found = []
    for i, word in enumerate(words):
        if i in reserved or (word not in _TRUE_WORDS and word not in _FALSE_WORDS):
            continue
        negated = i > 0 and words[i - 1] in _NEGATIONS
        found.append(Mention(i, i + 1, (word in _TRUE_WORDS) != negated))
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
        bound = (param.maximum if word in _MAX_WORDS else param.minimum if word in _MIN_WORDS
                 else None)
        if bound is not None:
            found.append(Mention(i, i + 1, int(bound) if bound.is_integer() else bound))
    return sorted(found, key=lambda m: m.start)


def _enum_values(param: ParamSpec, utterance: Utterance) -> list[Mention]:
    words = utterance.words
    normals = [_normal(word) for word in words]
    found: list[Mention] = []
    for value in param.enum:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            found += [Mention(m.start, m.end, value) for m in utterance.numbers
                      if float(m.value) == float(value)]
            continue
        parts = [_normal(word) for word in words_of(str(value))]
        joined = re.sub(r"[^a-z0-9]", "", str(value).lower())
        for i in range(len(words)):
            if parts and normals[i : i + len(parts)] == parts:
                found.append(Mention(i, i + len(parts), value))
            for size in (1, 2, 3):
                if len(parts) != size and "".join(words[i : i + size]) == joined:
                    found.append(Mention(i, i + size, value))
    # A longer value ("light blue") wins over a shorter one inside it ("blue").
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in found:
        if not any(k.start <= mention.start < k.end for k in kept):
            kept.append(mention)
    return kept


def _free_text(
    utterance: Utterance, cues: frozenset[str], keywords: frozenset[str], consumed: set[int]
) -> list[Mention]:
    """Free text: a quotation; the words after "to"/"called"/"saying"… that follow a cue
    ("set the title to hello world"); or the words right after a cue ("add milk to the cart").
    """
    tokens, words = utterance.tokens, utterance.words
    for quote in _QUOTED.finditer(utterance.text):
        inside = [i for i, t in enumerate(tokens) if quote.start() <= t.start < quote.end()]
        if inside and not consumed.intersection(inside):
            return [Mention(inside[0], inside[-1] + 1, (quote.group(1) or quote.group(2)).strip())]
    cue_places = utterance.positions(cues)
    if not cue_places:
        return []
    after_cue = range(cue_places[0] + 1, len(words))
    marker = next((i for i in after_cue if words[i] in _MARKERS), None)
    if marker is None:
        marker = next((i for i in after_cue if words[i] in _WEAK_MARKERS), None)
    # After a marker the words are taken as said; right after a cue, the tool's own words
    # that follow it are still part of the command ("title the page hello").
    spans = [] if marker is None else [(marker + 1, len(words), False)]
    spans.append((cue_places[0] + 1, marker if marker is not None else len(words), True))

    def own_word(i: int) -> bool:
        return words[i] in STOP_WORDS or content_keys([words[i]]) <= keywords

    for start, end, skip_own in spans:
        while start < end and (words[start] in _MARKERS or words[start] == "be"
                               or start in consumed or (skip_own and own_word(start))):
            start += 1
        end = next((i for i in range(start, end) if i in consumed), end)
        while end > start and words[end - 1] in _TRAILING_FILLER | _DETERMINERS | _LINKS:
            end -= 1
        # Text made only of the tool's own words ("to the cart") is the command, not a value.
        if not all(own_word(i) for i in range(start, end)):
            text = utterance.span_text(start, end).strip(" \t\"'.,!?;:")
            if text:
                return [Mention(start, end, text)]
    return []


def color_words(name: str) -> tuple[str, ...]:
    """Spoken words of a CSS colour name: ``lightgoldenrodyellow`` -> light goldenrod yellow."""
    best: list[tuple[str, ...] | None] = [()] + [None] * len(name)
    for end in range(1, len(name) + 1):
        for start in range(end):
            piece, head = name[start:end], best[start]
            if head is not None and piece in _COLOR_PIECES:
                candidate = (*head, piece)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(name)] or (name,)


def _base_vocabulary() -> frozenset[str]:
    words: set[str] = set(STOP_WORDS) | _TRUE_WORDS | _FALSE_WORDS | _MAX_WORDS | _MIN_WORDS
    words |= _MARKERS | _WEAK_MARKERS | _TRAILING_FILLER | set(_BIGGER) | set(_SMALLER)
    words |= set(UNIT_VALUES) | set(TEEN_VALUES) | set(TEN_VALUES) | set(ORDINAL_VALUES)
    words |= {"hundred", "thousand", "point", "minus"}
    words |= {w for unit_words, _ in _LENGTH_UNITS for w in unit_words}
    words |= {w for group in _SYNONYM_GROUPS for w in group}
    words |= {w for phrase in _READ_PHRASES for w in phrase}
    words |= {w for name in _COLOR_NAMES for w in color_words(name)}
    words |= set(_NEGATIONS) | _MAX_WORDS | _MIN_WORDS | _HEX_PREFIXES | {"code", *"abcdef"}
    # A grammar wants plain words: "what's" is spoken "what is", "don't" as "do not".
    return frozenset(w for w in words if w.isalpha())


_BASE_VOCABULARY = _base_vocabulary()


def base_vocabulary() -> frozenset[str]:
    """Words every tool set can use: colours, numbers, units, sizes, switches and fillers."""
    return _BASE_VOCABULARY
