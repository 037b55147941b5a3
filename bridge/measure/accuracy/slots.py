"""What kind of value a parameter takes, as the evaluation reads a schema: its own reading,
independent of the engine's, so that scoring does not share the engine's mistakes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["SlotKind", "example_length", "slot_kind"]

SlotKind = Literal["enum", "integer", "number", "boolean", "color", "size", "url", "text"]

_URL = re.compile(r"\b(url|uri|link|address|website|web page)\b")
_COLOR = re.compile(r"colou?r")
_SIZE = re.compile(r"\b(size|length|width|height)\b")
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(px|pt|em|rem|%)", re.I)


def slot_kind(name: str, schema: Mapping[str, Any]) -> SlotKind:
    """The kind of one parameter: enum, integer, number, boolean, color, size, url or free text."""
    if "enum" in schema or "const" in schema:
        return "enum"
    kind = schema.get("type", "string")
    if kind in ("integer", "number", "boolean"):
        return kind  # type: ignore[no-any-return]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    words = f"{spaced} {schema.get('description') or ''}".lower()
    if schema.get("format") in ("uri", "url", "iri") or _URL.search(words):
        return "url"
    if _COLOR.search(words):
        return "color"
    if _SIZE.search(words):
        return "size"
    return "text"


def example_length(schema: Mapping[str, Any]) -> tuple[float, str] | None:
    """The first length the schema gives as an example (``"16px"`` -> (16.0, "px"))."""
    texts = [str(schema.get("description") or ""), *(str(e) for e in schema.get("examples") or ())]
    for text in texts:
        match = _LENGTH.search(text)
        if match:
            return float(match.group(1)), match.group(2).lower()
    return None
