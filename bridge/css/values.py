"""CSS values compared by meaning, with the colour and length parsers of this package.

- `same_computed`: two computed style values (what `getComputedStyle` gives, or what a requested
  value resolves to in the page): colours by value, lengths by px, anything else as text;
- `comparable_to_computed`: whether a written value can be compared with a computed one without
  the browser resolving it first (a colour, or a length in px);
- `same_written`: two values as a person or a page writes them (an input's value, an
  attribute): the same text, the same colour, or the same length in any unit.
"""

from __future__ import annotations

from .colors import parse_css_color, same_color
from .lengths import computed_px, length_px

__all__ = ["comparable_to_computed", "collapse_spaces", "same_computed", "same_written"]

_PX_TOLERANCE = 0.01


def collapse_spaces(text: str) -> str:
    """`text` with each run of white space made one space, and none at either end."""
    return " ".join(text.split())


def same_computed(actual: str, expected: str) -> bool:
    """Whether two computed values mean the same: `rgb(0, 0, 255)` = `blue`, `24px` = `24.0px`."""
    if parse_css_color(actual) is not None and parse_css_color(expected) is not None:
        return same_color(actual, expected)
    actual_px, expected_px = computed_px(actual), computed_px(expected)
    if actual_px is not None and expected_px is not None:
        return abs(actual_px - expected_px) < _PX_TOLERANCE
    return collapse_spaces(actual) == collapse_spaces(expected)


def comparable_to_computed(written: str) -> bool:
    """A colour (`blue`, `#00f`) or a px length (`24px`): comparable with a computed value as
    it is. Anything else (`1.5em`, `bold`, `50%`) needs the browser to resolve it first."""
    return parse_css_color(written) is not None or computed_px(written) is not None


def same_written(actual: str, expected: str) -> bool:
    """Whether two written values mean the same: equal text (white space collapsed), the same
    colour (`#0000ff` = `blue`), or the same length (`24` = `24px` = `18pt`)."""
    if collapse_spaces(actual) == collapse_spaces(expected):
        return True
    if parse_css_color(actual) is not None and parse_css_color(expected) is not None:
        return same_color(actual, expected)
    actual_px, expected_px = length_px(actual), length_px(expected)
    return (actual_px is not None and expected_px is not None
            and abs(actual_px - expected_px) < _PX_TOLERANCE)
