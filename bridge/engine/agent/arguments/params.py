"""What a tool's parameter takes, read from its JSON schema."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from ..words import split_identifier, words_of
from .keys import content_keys, normal
from .vocabulary import BIGGER, SMALLER

Kind = Literal["enum", "boolean", "number", "integer", "color", "length", "url", "string", "unsupported"]


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
    # The first length the schema gives as an example (24.0, "px"): relative sizes are said
    # in its unit when the schema offers no words for them.
    example: tuple[float, str] | None = None
    # Words a description sets against each enum member: "Repeat nothing, the current song or
    # the whole queue" for [off, one, all].
    described: tuple[tuple[Any, frozenset[str]], ...] = ()

    @classmethod
    def from_schema(cls, name: str, schema: Mapping[str, Any], *, required: bool) -> ParamSpec:
        """Classify a parameter by its type, enum, name and description."""
        description = str(schema.get("description") or "")
        words = split_identifier(name) + words_of(description)
        normals = {normal(word) for word in words}
        offered = [*words, *(str(v).lower() for v in schema.get("enum") or ())]
        relative = tuple(dict.fromkeys(w for w in offered if w in BIGGER or w in SMALLER))
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
            example=_example(schema, description) if kind == "length" else None,
            described=_described(schema.get("enum") or (), description),
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
    if schema.get("format") in ("uri", "url", "iri") or normals & {normal(w) for w in (
            "url", "uri", "link", "address", "website", "webpage")}:
        return "url"
    if normals & {normal("color"), normal("colour")}:
        return "color"
    if normals & {normal(w) for w in ("size", "length", "width", "height", "px", "pixels")}:
        return "length"
    return "string"


def _wants_hex(schema: Mapping[str, Any], normals: set[str]) -> bool:
    if "#" in str(schema.get("pattern", "")):
        return True
    # "a name such as blue, or a hex code" accepts names; only a hex-only parameter gets hex.
    asks_hex = bool(normals & {normal("hex"), normal("hexadecimal")})
    return asks_hex and not normals & {normal("name"), normal("named"), normal("keyword")}


def _bound(schema: Mapping[str, Any], inclusive: str, exclusive: str) -> float | None:
    value = schema.get(inclusive, schema.get(exclusive))
    return float(value) if isinstance(value, int | float) else None


_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(px|pt|em|rem|%)", re.I)


def _example(schema: Mapping[str, Any], description: str) -> tuple[float, str] | None:
    for text in [*(str(e) for e in schema.get("examples") or ()), str(schema.get("default") or ""),
                 description]:
        match = _LENGTH.search(text)
        if match:
            return float(match.group(1)), match.group(2).lower()
    return None


def _described(enum: Any, description: str) -> tuple[tuple[Any, frozenset[str]], ...]:
    """Phrases of a list in the description ("A, B or C"), one per enum member, in order."""
    if not isinstance(enum, list | tuple) or len(enum) < 2:
        return ()
    phrases = [p for p in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", description) if p.strip()]
    if len(phrases) != len(enum):
        return ()
    # The first phrase carries the sentence's verb ("Repeat nothing"): only its last word counts.
    words = [content_keys(words_of(p)) for p in phrases]
    words[0] = content_keys(words_of(phrases[0])[-1:])
    return tuple((value, frozenset(keys)) for value, keys in zip(enum, words, strict=True) if keys)
