"""CSS lengths in pixels, for the verifier (Chromium's computed styles) and for matching a
call's arguments by meaning (`24px` = `18pt` = `1.5em`).

Two readings, named for what they take:
- `computed_px`: a computed style as `getComputedStyle` serialises a length, always in px
  (`"20px"`, `"-1.5px"`);
- `length_px`: a length as a person or an agent writes one, in px, pt, em, rem, % or a bare
  number (taken as px); relative units against the page's default 16px font.
"""

from __future__ import annotations

import re

__all__ = ["DEFAULT_FONT_PX", "computed_px", "length_px", "same_size"]

DEFAULT_FONT_PX = 16.0
_COMPUTED = re.compile(r"\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)px\s*", re.I)
_WRITTEN = re.compile(r"\s*(\d*\.?\d+)\s*(px|pt|em|rem|%)?\s*", re.I)
_PX_PER_UNIT = {"px": 1.0, "pt": 4 / 3, "em": DEFAULT_FONT_PX, "rem": DEFAULT_FONT_PX,
                "%": DEFAULT_FONT_PX / 100}
# Words for a relative size that mean the same change.
_SIZE_WORDS = {"larger": "bigger", "big": "bigger", "increase": "bigger", "small": "smaller",
               "decrease": "smaller"}


def computed_px(value: str) -> float | None:
    """The pixels of a computed length (`"20px"` → 20.0); None for anything else
    (`"normal"`, `""`, a colour)."""
    match = _COMPUTED.fullmatch(value) if isinstance(value, str) else None
    return float(match.group(1)) if match else None


def length_px(value: str) -> float | None:
    """The pixels a written length means (`"1.5em"` → 24.0, `"18pt"` → 24.0, `"24"` → 24.0);
    None for anything that is not a plain length (`"bigger"`, `"calc(…)"`)."""
    match = _WRITTEN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    return float(match.group(1)) * _PX_PER_UNIT[(match.group(2) or "px").lower()]


def same_size(a: str, b: str) -> bool:
    """Two written sizes that mean the same: lengths in any unit, or the same relative word
    (`bigger` = `larger`)."""
    a, b = a.strip().lower(), b.strip().lower()
    if _SIZE_WORDS.get(a, a) == _SIZE_WORDS.get(b, b):
        return True
    pixels = length_px(a), length_px(b)
    return pixels[0] is not None and pixels[1] is not None and abs(pixels[0] - pixels[1]) < 0.01
