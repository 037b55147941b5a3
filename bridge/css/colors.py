"""CSS colour parsing and normalisation.

The verifier compares what a tool call asked for ("blue", "#00f", "rgb(0 0 255)") with what
Chromium reports as the computed style ("rgb(0, 0, 255)"); the intent matcher needs the list
of colour names to find them in speech. Both go through this module so that they agree.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import webcolors

__all__ = ["RGBA", "color_names", "name_of", "parse_css_color", "same_color", "to_css_rgb", "to_hex"]


class RGBA(NamedTuple):
    """A colour in sRGB: channels 0-255, alpha 0-1."""

    r: int
    g: int
    b: int
    alpha: float = 1.0


# webcolors' CSS3 table predates these two; both are valid CSS colour keywords today.
_EXTRA_NAMES: tuple[tuple[str, RGBA], ...] = (
    ("rebeccapurple", RGBA(102, 51, 153, 1.0)),
    ("transparent", RGBA(0, 0, 0, 0.0)),
)

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_FUNCTION = re.compile(r"^(rgba?|hsla?)\((.*)\)$")
_HEX = re.compile(r"^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$")
_COMPONENT = re.compile(rf"^({_NUMBER})(%|deg|grad|rad|turn)?$")
_HUE_UNITS_PER_TURN: tuple[tuple[str, float], ...] = (
    ("", 360.0),
    ("deg", 360.0),
    ("grad", 400.0),
    ("rad", 2 * math.pi),
    ("turn", 1.0),
)


def color_names() -> tuple[str, ...]:
    """Every CSS named colour (lower case, sorted), including ``transparent``."""
    names = set(webcolors.names(webcolors.CSS3))
    names.update(name for name, _ in _EXTRA_NAMES)
    return tuple(sorted(names))


def parse_css_color(text: str) -> RGBA | None:
    """Parse a CSS colour: a name, a hex code, or an ``rgb()``/``rgba()``/``hsl()``/``hsla()``.

    Names are matched ignoring case and spaces ("Light Blue" is ``lightblue``). Returns None for
    anything that is not a colour; never raises.
    """
    if not isinstance(text, str):
        return None
    value = text.strip().lower()
    if not value:
        return None
    if value.startswith("#"):
        return _parse_hex(value)
    function = _FUNCTION.match(value)
    if function:
        name, body = function.groups()
        components = _split_components(body)
        if components is None:
            return None
        return _parse_rgb(components) if name.startswith("rgb") else _parse_hsl(components)
    return _parse_name("".join(value.split()))


def same_color(a: str, b: str) -> bool:
    """Whether two CSS colour strings denote the same colour (False if either is not one)."""
    first, second = parse_css_color(a), parse_css_color(b)
    if first is None or second is None:
        return False
    alpha_first, alpha_second = _alpha_byte(first.alpha), _alpha_byte(second.alpha)
    if alpha_first == 0 and alpha_second == 0:
        # Fully transparent colours look identical whatever their channels, and browsers
        # disagree on which channels they report for "transparent".
        return True
    return first[:3] == second[:3] and alpha_first == alpha_second


def name_of(text: str) -> str | None:
    """The CSS name of exactly this opaque colour ("rgb(255, 255, 255)" is ``white``), if it has one."""
    color = parse_css_color(text)
    if color is None or _alpha_byte(color.alpha) != 255:
        return None
    try:
        return str(webcolors.rgb_to_name((color.r, color.g, color.b), spec=webcolors.CSS3))
    except ValueError:
        return None


def to_hex(text: str) -> str | None:
    """``#rrggbb`` for an opaque colour, ``#rrggbbaa`` otherwise; None if ``text`` is no colour."""
    color = parse_css_color(text)
    if color is None:
        return None
    hex_rgb = f"#{color.r:02x}{color.g:02x}{color.b:02x}"
    alpha = _alpha_byte(color.alpha)
    return hex_rgb if alpha == 255 else f"{hex_rgb}{alpha:02x}"


def to_css_rgb(color: RGBA) -> str:
    """Serialise like Chromium's computed style: ``rgb(0, 0, 255)`` or ``rgba(0, 0, 255, 0.5)``."""
    alpha = _alpha_byte(color.alpha)
    channels = f"{color.r}, {color.g}, {color.b}"
    if alpha == 255:
        return f"rgb({channels})"
    return f"rgba({channels}, {_serialise_alpha(alpha)})"


def _parse_name(name: str) -> RGBA | None:
    for extra, color in _EXTRA_NAMES:
        if name == extra:
            return color
    try:
        r, g, b = webcolors.name_to_rgb(name, spec=webcolors.CSS3)
    except ValueError:
        return None
    return RGBA(r, g, b, 1.0)


def _parse_hex(value: str) -> RGBA | None:
    match = _HEX.match(value)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) <= 4:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
    alpha = channels[3] / 255 if len(channels) == 4 else 1.0
    return RGBA(channels[0], channels[1], channels[2], alpha)


def _split_components(body: str) -> list[str] | None:
    """Components of a colour function in either syntax; the alpha (if any) comes last."""
    body = body.strip()
    if "," in body:
        if "/" in body:
            return None
        parts = [part.strip() for part in body.split(",")]
        if any(not part or len(part.split()) != 1 for part in parts):
            return None
        return parts if len(parts) in (3, 4) else None
    colour, slash, alpha = body.partition("/")
    parts = colour.split()
    if len(parts) != 3:
        return None
    if slash:
        alpha_parts = alpha.split()
        if len(alpha_parts) != 1:
            return None
        parts.append(alpha_parts[0])
    return parts


def _component(text: str) -> tuple[float, str] | None:
    match = _COMPONENT.match(text)
    if match is None:
        return None
    number = float(match.group(1))
    if not math.isfinite(number):
        return None
    return number, match.group(2) or ""


def _parse_alpha(text: str) -> float | None:
    parsed = _component(text)
    if parsed is None or parsed[1] not in ("", "%"):
        return None
    number, unit = parsed
    return _clamp(number / 100 if unit == "%" else number, 0.0, 1.0)


def _parse_rgb(components: list[str]) -> RGBA | None:
    channels: list[int] = []
    for text in components[:3]:
        parsed = _component(text)
        if parsed is None or parsed[1] not in ("", "%"):
            return None
        number, unit = parsed
        value = number * 255 / 100 if unit == "%" else number
        channels.append(_round_half_up(_clamp(value, 0.0, 255.0)))
    alpha = _parse_alpha(components[3]) if len(components) == 4 else 1.0
    if alpha is None:
        return None
    return RGBA(channels[0], channels[1], channels[2], alpha)


def _parse_hsl(components: list[str]) -> RGBA | None:
    hue_part, saturation_part, lightness_part = (_component(text) for text in components[:3])
    if hue_part is None or saturation_part is None or lightness_part is None:
        return None
    units_per_turn = dict(_HUE_UNITS_PER_TURN).get(hue_part[1])
    # Saturation and lightness are percentages; modern syntax also allows bare numbers 0-100.
    if units_per_turn is None or saturation_part[1] not in ("", "%"):
        return None
    if lightness_part[1] not in ("", "%"):
        return None
    alpha = _parse_alpha(components[3]) if len(components) == 4 else 1.0
    if alpha is None:
        return None
    hue = (hue_part[0] / units_per_turn * 360.0) % 360.0
    saturation = _clamp(saturation_part[0] / 100, 0.0, 1.0)
    lightness = _clamp(lightness_part[0] / 100, 0.0, 1.0)
    r, g, b = (_round_half_up(channel * 255) for channel in _hsl_to_rgb(hue, saturation, lightness))
    return RGBA(r, g, b, alpha)


def _hsl_to_rgb(hue: float, saturation: float, lightness: float) -> tuple[float, float, float]:
    """CSS Color 4's hslToRgb, channels 0-1."""

    def channel(n: int) -> float:
        k = (n + hue / 30) % 12
        a = saturation * min(lightness, 1 - lightness)
        return lightness - a * max(-1.0, min(k - 3, 9 - k, 1.0))

    return channel(0), channel(8), channel(4)


def _alpha_byte(alpha: float) -> int:
    """Browsers store the alpha of sRGB colours in 8 bits; compare and print at that precision."""
    return _round_half_up(_clamp(alpha, 0.0, 1.0) * 255)


def _serialise_alpha(alpha_byte: int) -> str:
    # Chromium prints the shortest of 2 or 3 decimals that maps back to the same byte.
    value = round(alpha_byte / 255, 2)
    if _round_half_up(value * 255) != alpha_byte:
        value = round(alpha_byte / 255, 3)
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)
