"""YAML or JSON documents that remember where each of their parts was written, so that an error
in a scenario or a checks file can name the file, the line and the key.

    data = read_document(path, what="scenario")      # a LocatedMap at the top
    data.key_lines["steps"]                          # the line of the `steps:` key
    data["steps"].item_lines[0]                      # the line of its first item

JSON is read by the same YAML loader (JSON is YAML), after `json.loads` has judged it, so both
formats carry the same line numbers. Every failure is a `ScenarioError` whose message starts
`file:line:`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError

__all__ = ["LocatedList", "LocatedMap", "finite_number", "located_error", "parse_document",
           "read_document"]


class LocatedMap(dict[str, Any]):
    """A mapping that remembers the line of itself and of each of its keys (1-based)."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        """The line of `key`, else of the mapping itself."""
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A sequence that remembers the line of each of its items (1-based)."""

    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):  # type: ignore[misc]
    def construct_located_sequence(self, node: yaml.SequenceNode) -> list[Any]:
        sequence = LocatedList(self.construct_sequence(node, deep=True))
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = LocatedMap(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                            _LineLoader.construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                            _LineLoader.construct_located_sequence)


def located_error(source: str | Path, line: int | None, message: str) -> ScenarioError:
    """`ScenarioError("file:line: message")`; without a line, `file: message`."""
    return ScenarioError(f"{source}{f':{line}' if line else ''}: {message}")


def read_document(path: str | Path, *, what: str) -> Any:
    """The document in the file at `path` (JSON if it ends in .json, else YAML), located."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{source}: cannot read the {what} file: {err}") from err
    return parse_document(text, path=source)


def parse_document(text: str, *, path: str | Path) -> Any:
    """The document `text` (JSON when `path` ends in .json, else YAML), located; `path`
    names it in errors."""
    if str(path).lower().endswith(".json"):
        try:
            json.loads(text)
        except ValueError as err:
            where = f":{err.lineno}" if isinstance(err, json.JSONDecodeError) else ""
            raise ScenarioError(f"{path}{where}: not valid JSON: {err}") from err
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError(f"{path}{where}: not valid YAML: {problem}") from err


def finite_number(value: Any) -> float | None:
    """`value` as a float if it is a finite int or float (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
