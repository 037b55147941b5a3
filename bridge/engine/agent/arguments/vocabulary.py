"""The words the argument reader knows: stop-words, synonyms, the words of values (numbers,
units, sizes, switches, colours) and the fillers around them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ....css.colors import color_names
from ..words import ORDINAL_VALUES, TEEN_VALUES, TEN_VALUES, UNIT_VALUES


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
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("text", "font", "writing", "words", "wording", "lettering", "letters", "typeface"),
    ("background", "backdrop", "bg"),
    ("page", "website", "site", "webpage", "screen", "document"),
    ("read", "show", "display", "view", "describe"),
    ("html", "markup", "source", "dom"),
    ("color", "shade", "hue", "tint"),
    ("button", "btn"),
    ("size", "bigger", "larger", "smaller", "big", "large", "small", "huge", "tiny", "enlarge",
     "shrink", "grow"),
    ("change", "make", "set", "turn", "update", "switch", "modify", "alter", "adjust"),
    ("get", "fetch", "retrieve", "obtain"),
    ("scroll", "jump"),
    ("open", "go", "visit", "navigate", "browse"),
    ("title", "heading", "headline"),
    ("volume", "loudness"),
    ("theme", "mode", "appearance", "scheme"),
    ("song", "music", "track", "tune", "tunes"),
    ("refresh", "reload"),
    ("sync", "synchronise", "synchronize", "synchronisation", "synchronization"),
    ("server", "backend"),
    ("image", "picture", "photo", "img"),
    ("delete", "remove", "erase"),
    ("search", "find"),
)
# Phrases that ask to read the page without naming a verb a tool would use; "*" stands for up
# to three words ("what does the page say").
READ_PHRASES: tuple[tuple[str, ...], ...] = (
    ("what", "is", "on"), ("what's", "on"), ("whats", "on"), ("what", "is", "in"),
    ("what's", "in"), ("what", "is", "there"), ("what's", "there"), ("what", "does", "*", "say"),
    ("what", "do", "*", "say"), ("what", "does", "*", "contain"), ("tell", "me", "about"),
    ("tell", "me", "what"), ("what", "can", "you", "see"), ("what", "do", "you", "see"),
    ("read", "out"), ("read", "aloud"), ("out", "loud"),
)
# Verbs of tools that report rather than change: words and phrases above ask for these.
READ_VERBS = frozenset({"get", "read", "fetch", "show", "list", "describe", "view", "display", "tell",
                        "report", "check", "ping", "query", "retrieve", "load", "inspect"})
# Verbs of tools that add an item; a person adds with any of them ("put X on my list",
# "remind me to X", "make a note that X").
ADD_VERBS = frozenset({"add", "create", "new", "insert", "append", "put", "note", "write", "remind",
                       "jot", "record", "save", "post", "enter", "log"})
# Everyday words for common enum members.
ENUM_SYNONYMS: Mapping[str, frozenset[str]] = MappingProxyType({
    "all": frozenset({"everything", "every", "whole", "entire", "both", "any"}),
    "completed": frozenset({"done", "finished", "complete", "ticked", "checked"}),
    "active": frozenset({"open", "pending", "remaining", "unfinished", "outstanding", "current"}),
    "off": frozenset({"none", "nothing", "no", "disabled", "disable"}),
    "on": frozenset({"enabled", "enable"}),
    "one": frozenset({"single", "this", "same"}),
    "light": frozenset({"bright", "day", "daytime"}),
    "dark": frozenset({"night", "nighttime", "black"}),
    "newest": frozenset({"latest", "recent", "newer", "new"}),
    "oldest": frozenset({"earliest", "older", "old"}),
    "ascending": frozenset({"increasing", "up"}),
    "descending": frozenset({"decreasing", "down"}),
})
LENGTH_UNITS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("px",), "px"), (("pixel",), "px"), (("pixels",), "px"), (("p", "x"), "px"),
    (("em",), "em"), (("ems",), "em"), (("e", "m"), "em"), (("rem",), "rem"), (("rems",), "rem"),
    (("%",), "%"), (("percent",), "%"), (("per", "cent"), "%"), (("pt",), "pt"),
    (("point",), "pt"), (("points",), "pt"), (("vh",), "vh"), (("vw",), "vw"),
)
BIGGER = ("bigger", "larger", "big", "large", "huge", "enormous", "giant", "increase", "grow",
           "enlarge", "raise")
SMALLER = ("smaller", "small", "tiny", "little", "decrease", "shrink", "reduce", "lower")
TRUE_WORDS = frozenset({"on", "yes", "enable", "enabled", "activate", "show", "true", "start",
                         "open", "visible"})
FALSE_WORDS = frozenset({"off", "no", "disable", "disabled", "deactivate", "hide", "false",
                          "stop", "close", "hidden"})
NEGATIONS = frozenset({"not", "don't", "dont", "never"})
MAX_WORDS = frozenset({"max", "maximum", "full", "highest", "loudest"})
MIN_WORDS = frozenset({"min", "minimum", "lowest", "quietest"})
MARKERS = frozenset({"to", "as", "called", "named", "titled", "saying", "says", "say",
                      "reading", "reads"})
WEAK_MARKERS = frozenset({"for", "with", "about"})
TRAILING_FILLER = frozenset({"please", "thanks", "now", "thank", "you"})
DETERMINERS = frozenset({"the", "a", "an", "some", "my", "our", "be"})
LINKS = frozenset({"of", "in", "on", "at", "to", "for", "with", "and", "or", "into", "onto", "by"})
COLOR_NAMES = frozenset(color_names())
HEX_PREFIXES = frozenset({"hex", "hash", "pound"})
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
    words: set[str] = set(STOP_WORDS) | TRUE_WORDS | FALSE_WORDS | MAX_WORDS | MIN_WORDS
    words |= MARKERS | WEAK_MARKERS | TRAILING_FILLER | set(BIGGER) | set(SMALLER)
    words |= set(UNIT_VALUES) | set(TEEN_VALUES) | set(TEN_VALUES) | set(ORDINAL_VALUES)
    words |= {"hundred", "thousand", "point", "minus"}
    words |= {w for unit_words, _ in LENGTH_UNITS for w in unit_words}
    words |= {w for group in SYNONYM_GROUPS for w in group}
    words |= {w for phrase in READ_PHRASES for w in phrase}
    words |= {w for name in COLOR_NAMES for w in color_words(name)}
    words |= set(NEGATIONS) | MAX_WORDS | MIN_WORDS | HEX_PREFIXES | {"code", *"abcdef"}
    # A grammar wants plain words: "what's" is spoken "what is", "don't" as "do not".
    return frozenset(w for w in words if w.isalpha())


_BASE_VOCABULARY = _base_vocabulary()


def base_vocabulary() -> frozenset[str]:
    """Words every tool set can use: colours, numbers, units, sizes, switches and fillers."""
    return _BASE_VOCABULARY
