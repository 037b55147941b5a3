"""One way of splitting identifiers and text into words, and numbers said as words."""

from __future__ import annotations

import pytest

from bridge.engine.agent.replies import describe_call
from bridge.engine.agent.words import (
    ORDINAL_VALUES,
    TEEN_VALUES,
    TEN_VALUES,
    UNIT_VALUES,
    number_words,
    split_identifier,
    spoken_words,
    words_of,
)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("getPageHTML", ["get", "page", "html"]),
        ("changeBackgroundColor", ["change", "background", "color"]),
        ("set_volume", ["set", "volume"]),
        ("open-menu.now", ["open", "menu", "now"]),
        ("font-size2x", ["font", "size", "2", "x"]),
        ("URLParser", ["url", "parser"]),
        ("HTMLParser", ["html", "parser"]),
        ("h1Title", ["h", "1", "title"]),
        ("", []),
    ],
)
def test_split_identifier(name: str, words: list[str]) -> None:
    assert split_identifier(name) == words


def test_free_text_splits_the_identifiers_in_it() -> None:
    assert words_of("Sets the innerHTML (e.g. 'fontSize').") == [
        "sets", "the", "inner", "html", "e", "g", "font", "size"]


def test_the_replies_say_acronyms_as_words() -> None:
    # The grammar lets a person say "set the html content"; the reply says it the same way.
    assert describe_call("setHTMLContent", {"text": "hi"}) == "set the html content to hi"


def test_numbers_and_spoken_words() -> None:
    assert number_words(24) == ["twenty", "four"]
    assert number_words("1.5") == ["one", "point", "five"]
    assert number_words(305) == ["three", "hundred", "five"]
    assert number_words(0) == ["zero"]
    assert spoken_words("24px or 1.5em") == ["twenty", "four", "pixels", "or", "one", "point", "five", "em"]
    assert spoken_words("#0f0 the page's lightBlue") == [
        "hash",
        "zero",
        "f",
        "zero",
        "the",
        "page",
        "light",
        "blue",
    ]


@pytest.mark.parametrize("value", [0, 7, 13, 20, 42, 99])
def test_number_words_read_back_to_their_value(value: int) -> None:
    worth = {**UNIT_VALUES, **TEEN_VALUES, **TEN_VALUES}
    assert sum(worth[word] for word in number_words(value)) == value


def test_spoken_variants_are_read_too() -> None:
    assert (UNIT_VALUES["oh"], TEN_VALUES["fourty"], ORDINAL_VALUES["twentieth"]) == (0, 40, 20)
