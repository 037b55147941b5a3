"""YAML and JSON documents that remember their lines, for errors that say where."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bridge.documents import (
    LocatedList,
    LocatedMap,
    finite_number,
    located_error,
    parse_document,
    read_document,
)
from bridge.errors import ScenarioError


def test_mappings_and_lists_know_their_lines() -> None:
    data = parse_document("top: 1\nitems:\n  - a\n  - {k: v,\n     j: w}\n", path="d.yaml")
    assert isinstance(data, LocatedMap) and data.line == 1
    assert data.key_lines == {"top": 1, "items": 2} and data.line_of("items") == 2
    assert data.line_of("absent") == 1
    items = data["items"]
    assert isinstance(items, LocatedList) and items.item_lines == [3, 4]
    assert items[1].key_lines == {"k": 4, "j": 5}


def test_json_is_judged_as_json_then_read_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{\n  "a": [\n    1\n  ]\n}', encoding="utf-8")
    assert read_document(path, what="test").key_lines == {"a": 2}
    path.write_text("{\n  a: 1\n}", encoding="utf-8")  # YAML, not JSON
    with pytest.raises(ScenarioError, match=rf"^{path}:2: not valid JSON"):
        read_document(path, what="test")
    with pytest.raises(ScenarioError, match="cannot read the test file"):
        read_document(tmp_path / "absent.json", what="test")


def test_errors_say_file_and_line() -> None:
    assert located_error("f.yaml", 3, "bad").message == "f.yaml:3: bad"
    assert located_error("f.yaml", None, "bad").message == "f.yaml: bad"


@pytest.mark.parametrize("value, number", [
    (1, 1.0), (2.5, 2.5), (True, None), ("1", None), (None, None), (math.inf, None),
    (math.nan, None),
])
def test_finite_numbers(value: Any, number: float | None) -> None:
    assert finite_number(value) == number
