"""CSS colour parsing: names, hex, rgb()/hsl(), and Chromium's computed-style serialisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.css.colors import RGBA, color_names, name_of, parse_css_color, same_color, to_css_rgb, to_hex


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blue", RGBA(0, 0, 255, 1.0)),
        ("Light Blue", RGBA(173, 216, 230, 1.0)),
        ("  lightblue ", RGBA(173, 216, 230, 1.0)),
        ("REBECCAPURPLE", RGBA(102, 51, 153, 1.0)),
        ("transparent", RGBA(0, 0, 0, 0.0)),
        ("grey", RGBA(128, 128, 128, 1.0)),
        ("#00f", RGBA(0, 0, 255, 1.0)),
        ("#00F8", RGBA(0, 0, 255, 136 / 255)),
        ("#0000ff", RGBA(0, 0, 255, 1.0)),
        ("#0000ff80", RGBA(0, 0, 255, 128 / 255)),
        ("rgb(0, 0, 255)", RGBA(0, 0, 255, 1.0)),
        ("rgb(0,0,255)", RGBA(0, 0, 255, 1.0)),
        ("rgba(0, 0, 255, 0.5)", RGBA(0, 0, 255, 0.5)),
        ("rgb(0 0 255)", RGBA(0, 0, 255, 1.0)),
        ("rgb(0 0 255 / 50%)", RGBA(0, 0, 255, 0.5)),
        ("rgba(0 0 255 / 0.25)", RGBA(0, 0, 255, 0.25)),
        ("rgb(100%, 50%, 0%)", RGBA(255, 128, 0, 1.0)),
        ("rgb(10.5, 20.4, 30.6)", RGBA(11, 20, 31, 1.0)),
        ("rgb(300, -5, 0)", RGBA(255, 0, 0, 1.0)),
        ("hsl(120, 100%, 25%)", RGBA(0, 128, 0, 1.0)),
        ("hsla(120, 100%, 25%, 0.5)", RGBA(0, 128, 0, 0.5)),
        ("hsl(210 50% 50% / 0.25)", RGBA(64, 128, 191, 0.25)),
        ("hsl(0.5turn 100% 50%)", RGBA(0, 255, 255, 1.0)),
        ("hsl(240deg, 100%, 50%)", RGBA(0, 0, 255, 1.0)),
    ],
)
def test_parses_css_colours(text: str, expected: RGBA) -> None:
    assert parse_css_color(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "blue2", "bleu", "#12", "#12345", "#ggg", "0000ff", "rgb(1, 2)",
     "rgb(1 2 3 4)", "rgb(1, 2, 3 / 0.5)", "rgb(1 2 3 / 4 5)", "rgb(a, b, c)", "hsl(10px, 1%, 1%)",
     "hsl(10, 1em, 1%)", "rgb(1, 2, 3", "light blue sky", "url(#00f)"],
)
def test_rejects_what_is_not_a_colour(text: str) -> None:
    assert parse_css_color(text) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("blue", "#0000ff"),
        ("blue", "rgb(0, 0, 255)"),
        ("blue", "rgba(0,0,255,1)"),
        ("#00f", "hsl(240, 100%, 50%)"),
        ("Dark Green", "darkgreen"),
        ("#0000ff80", "rgba(0, 0, 255, 0.5)"),
        ("transparent", "rgba(0, 0, 0, 0)"),
        ("transparent", "rgba(255, 0, 0, 0)"),
        ("grey", "gray"),
    ],
)
def test_same_colour_in_different_notations(a: str, b: str) -> None:
    assert same_color(a, b)
    assert same_color(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [("blue", "navy"), ("blue", "rgba(0, 0, 255, 0.5)"), ("blue", "not a colour"), ("", "")],
)
def test_different_colours(a: str, b: str) -> None:
    assert not same_color(a, b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blue", "#0000ff"),
        ("#00F", "#0000ff"),
        ("Light Blue", "#add8e6"),
        ("rgba(0, 0, 255, 0.5)", "#0000ff80"),
        ("transparent", "#00000000"),
        ("nonsense", None),
    ],
)
def test_to_hex(text: str, expected: str | None) -> None:
    assert to_hex(text) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("rgb(255, 255, 255)", "white"),
        ("rgb(0, 0, 255)", "blue"),
        ("#808080", "gray"),
        ("LightBlue", "lightblue"),
        ("rgb(1, 2, 3)", None),
        ("rgba(0, 0, 255, 0.5)", None),
        ("nonsense", None),
    ],
)
def test_name_of_an_exact_colour(text: str, name: str | None) -> None:
    assert name_of(text) == name


# What Chromium 156 reported as the computed `color` for each value, checked on this machine.
@pytest.mark.parametrize(
    ("text", "chromium"),
    [
        ("blue", "rgb(0, 0, 255)"),
        ("rebeccapurple", "rgb(102, 51, 153)"),
        ("transparent", "rgba(0, 0, 0, 0)"),
        ("rgba(0,0,255,0.5)", "rgba(0, 0, 255, 0.5)"),
        ("rgba(0,0,255,0.3)", "rgba(0, 0, 255, 0.3)"),
        ("rgba(0,0,255,0.333)", "rgba(0, 0, 255, 0.333)"),
        ("rgba(0,0,255,0.1234)", "rgba(0, 0, 255, 0.12)"),
        ("rgba(0,0,255,0.07)", "rgba(0, 0, 255, 0.07)"),
        ("rgba(0,0,255,0.001)", "rgba(0, 0, 255, 0)"),
        ("rgba(0,0,255,0.999)", "rgb(0, 0, 255)"),
        ("#0000ff80", "rgba(0, 0, 255, 0.5)"),
        ("rgb(10.5, 20.4, 30.6)", "rgb(11, 20, 31)"),
        ("hsl(120, 100%, 25%)", "rgb(0, 128, 0)"),
        ("hsl(0, 50%, 33%)", "rgb(126, 42, 42)"),
        ("hsl(300 80% 40%)", "rgb(184, 20, 184)"),
        ("hsl(210 50% 50% / 0.25)", "rgba(64, 128, 191, 0.25)"),
        ("rgb(100%, 50%, 0%)", "rgb(255, 128, 0)"),
    ],
)
def test_to_css_rgb_matches_chromium(text: str, chromium: str) -> None:
    color = parse_css_color(text)
    assert color is not None
    assert to_css_rgb(color) == chromium


def test_color_names_are_every_css_name() -> None:
    names = color_names()
    assert {"rebeccapurple", "transparent", "lightgoldenrodyellow", "gray", "grey"} <= set(names)
    assert len(names) == 149
    assert list(names) == sorted(names)
    assert all(parse_css_color(name) is not None for name in names)


channels = st.integers(min_value=0, max_value=255)


@given(r=channels, g=channels, b=channels, alpha=channels)
def test_hex_round_trips(r: int, g: int, b: int, alpha: int) -> None:
    text = f"#{r:02x}{g:02x}{b:02x}{alpha:02x}"
    expected = text if alpha < 255 else text[:7]
    assert to_hex(text) == expected


@given(r=channels, g=channels, b=channels, alpha=channels)
def test_css_rgb_round_trips(r: int, g: int, b: int, alpha: int) -> None:
    color = RGBA(r, g, b, alpha / 255)
    serialised = to_css_rgb(color)
    again = parse_css_color(serialised)
    assert again is not None
    assert to_css_rgb(again) == serialised
    assert same_color(serialised, to_hex(serialised) or "")


@given(st.text(max_size=40))
def test_never_raises(text: str) -> None:
    result = parse_css_color(text)
    assert result is None or all(0 <= channel <= 255 for channel in result[:3])
    same_color(text, "blue")
    to_hex(text)


@given(st.from_regex(r"(rgba?|hsla?)\([ 0-9.,%/a-z+-]{0,30}\)", fullmatch=True))
def test_colour_functions_never_raise(text: str) -> None:
    result = parse_css_color(text)
    assert result is None or 0.0 <= result.alpha <= 1.0
