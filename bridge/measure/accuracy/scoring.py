"""Whether a function call is the one an utterance asked for, arguments compared by type.

Colours by value (blue = #0000ff); enums, integers and booleans exact; numbers equal; free
text exact after lower-casing and removing punctuation and leading articles; URLs by host and
path; sizes by length (24px = 18pt), and a relative size (``bigger``/``smaller``) right when it
is such a word where the schema offers one, or a length in the unit of the schema's example,
larger (smaller) than the example.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ...css.colors import same_color
from ...css.lengths import same_size
from .corpus import Item, OffTopic
from .slots import SlotKind, example_length

__all__ = ["Call", "judge", "normal_text"]

Call = tuple[str, Mapping[str, Any]]

_BIGGER = frozenset({"bigger", "larger", "increase", "big", "large"})
_SMALLER = frozenset({"smaller", "decrease", "small", "reduce"})
_ARTICLES = re.compile(r"^(?:(?:a|an|the)\s+)+")


def judge(item: Item, call: Call | None, tools: tuple[Mapping[str, Any], ...]) -> bool:
    """``call`` (name, arguments) is right for ``item``: the asked-for call, or none off topic."""
    if isinstance(item, OffTopic):
        return call is None
    if call is None:
        return False
    name, arguments = call
    if name != item.tool or set(arguments) != set(item.arguments):
        return False
    tool = next(t for t in tools if t.get("name") == name)
    properties = (tool.get("parameters") or {}).get("properties") or {}
    return all(_same(item.slots[key], arguments[key], want, properties[key])
               for key, want in item.arguments.items())  # fmt: skip


def _same(kind: SlotKind, got: Any, want: Any, schema: Mapping[str, Any]) -> bool:
    if kind == "boolean":
        return got is want
    if kind == "integer":
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    if kind == "number":
        return isinstance(got, int | float) and not isinstance(got, bool) and abs(got - want) < 1e-9
    if kind == "enum":
        return bool(got == want)
    if not isinstance(got, str):
        return False
    if kind == "color":
        return same_color(got, str(want))
    if kind == "url":
        return _url(got) == _url(str(want))
    if kind == "size":
        return _size(got, str(want), schema)
    return normal_text(got) == normal_text(str(want))


def normal_text(text: str) -> str:
    """Lower case, punctuation removed, leading articles dropped, spaces collapsed."""
    words = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    return _ARTICLES.sub("", words)


def _url(text: str) -> tuple[str, str]:
    text = text.strip()
    parts = urlsplit(text if "://" in text else "http://" + text)
    return (parts.hostname or "").removeprefix("www."), parts.path.rstrip("/")


def _size(got: str, want: str, schema: Mapping[str, Any]) -> bool:
    relative = {"bigger": _BIGGER, "smaller": _SMALLER}.get(want)
    if relative is None:
        return same_size(got, want)
    if got.strip().lower() in relative:
        return _offers_words(schema)
    example = example_length(schema)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px|pt|em|rem|%)\s*", got, re.I)
    if example is None or match is None or match.group(2).lower() != example[1]:
        return False
    value = float(match.group(1))
    return value > example[0] if want == "bigger" else value < example[0]


def _offers_words(schema: Mapping[str, Any]) -> bool:
    """The schema takes relative words as values (``"... or bigger or smaller"``, an enum)."""
    offered = [str(v).lower() for v in schema.get("enum") or ()]
    offered += re.findall(r"[a-z]+", str(schema.get("description") or "").lower())
    return bool(set(offered) & (_BIGGER | _SMALLER))
