"""CSS values compared by meaning: computed against computed, written against written."""

from __future__ import annotations

import pytest

from bridge.css.values import collapse_spaces, comparable_to_computed, same_computed, same_written


@pytest.mark.parametrize("actual, expected, same", [
    ("rgb(0, 0, 255)", "blue", True), ("rgb(0, 0, 255)", "#00f", True),
    ("rgb(0, 0, 255)", "rgb(0 0 255)", True), ("rgba(0, 0, 0, 0)", "transparent", True),
    ("rgb(255, 255, 255)", "blue", False), ("24px", "24.001px", True), ("24px", "25px", False),
    ("700", "700", True), ("block", " block ", True), ("block", "none", False),
    ("1px solid rgb(255, 0, 0)", "1px  solid rgb(255, 0, 0)", True), ("24px", "blue", False),
])
def test_same_computed(actual: str, expected: str, same: bool) -> None:
    assert same_computed(actual, expected) is same


@pytest.mark.parametrize("written, comparable", [
    ("blue", True), ("#00f", True), ("rgb(0 0 255)", True), ("24px", True),
    ("1.5em", False), ("bold", False), ("50%", False), ("24", False), ("currentcolor", False),
])
def test_comparable_to_computed(written: str, comparable: bool) -> None:
    assert comparable_to_computed(written) is comparable


@pytest.mark.parametrize("actual, expected, same", [
    ("#0000ff", "blue", True), ("24", "24px", True), ("18pt", "24px", True), ("3", "3.0", True),
    ("hello  world", "hello world", True), ("Hello", "hello", False), ("3", "4", False),
    ("", "0", False), ("true", "true", True),
])
def test_same_written(actual: str, expected: str, same: bool) -> None:
    assert same_written(actual, expected) is same


def test_collapse_spaces() -> None:
    assert collapse_spaces("  a \n\t b  ") == "a b"
