"""CSS lengths in pixels: computed styles as Chromium writes them, and lengths as people do."""

from __future__ import annotations

import pytest

from bridge.css.lengths import computed_px, length_px, same_size


@pytest.mark.parametrize("value, px", [
    ("20px", 20.0), ("13.3333px", 13.3333), ("-1.5px", -1.5), (" 0px ", 0.0), ("1e+06px", 1e6),
    ("normal", None), ("", None), ("1.5em", None), ("20", None), ("rgb(0, 0, 255)", None),
    ("20px 10px", None),
])
def test_computed_px_reads_only_a_computed_length(value: str, px: float | None) -> None:
    assert computed_px(value) == px


@pytest.mark.parametrize("value, px", [
    ("24px", 24.0), ("24", 24.0), ("18pt", 24.0), ("1.5em", 24.0), ("1.5rem", 24.0),
    ("150%", 24.0), (" 24 PX ", 24.0), (".5em", 8.0),
    ("bigger", None), ("-4px", None), ("calc(1px + 2px)", None), ("", None), ("px", None),
])
def test_length_px_reads_a_written_length(value: str, px: float | None) -> None:
    assert length_px(value) == px


@pytest.mark.parametrize("a, b, same", [
    ("24px", "1.5em", True), ("18pt", "24px", True), ("150%", "24px", True),
    ("bigger", "larger", True), ("Bigger", "bigger", True), ("small", "smaller", True),
    ("24px", "25px", False), ("bigger", "smaller", False), ("24px", "bigger", False),
    ("blue", "24px", False),
])
def test_same_size(a: str, b: str, same: bool) -> None:
    assert same_size(a, b) is same
    assert same_size(b, a) is same


def test_neither_reading_raises_on_what_is_not_text() -> None:
    assert computed_px(None) is None  # type: ignore[arg-type]
    assert length_px(24) is None  # type: ignore[arg-type]
