"""What every record the bridge writes has in common: `TYPE`, `to_event()` and a
`from_record()` that never raises (a missing or malformed field takes its default)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self, get_type_hints

from .log import Record

__all__ = ["BridgeRecord", "optional_text", "text"]


@dataclass(frozen=True)
class BridgeRecord:
    """What every record class has; `read` dispatches on `TYPE`.

    By default a record's event is its fields, and reading one back takes each field by its
    declared type (text, optional text, flag, seconds, count), a default where it is wrong.
    """

    TYPE: ClassVar[str]

    def to_event(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Self:
        hints = get_type_hints(cls)
        return cls(**{f.name: _READERS[hints[f.name]](event.get(f.name)) for f in fields(cls)})

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """The record's event read as this class; defaults for what is missing or malformed."""
        event = record.event
        return cls.from_event(event if isinstance(event, Mapping) else {})

    def describe(self) -> str:
        """One line for people: the CLI's and the report's."""
        return json.dumps(self.to_event())


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# How `BridgeRecord.from_event` reads a field of each declared type.
_READERS: dict[Any, Callable[[Any], Any]] = {
    str: text, str | None: optional_text, bool: lambda value: value is True,
    float: lambda v: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0,
    int | None: lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None,
    dict[str, Any] | None: lambda v: dict(v) if isinstance(v, Mapping) else None,
}
