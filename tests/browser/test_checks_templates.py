"""The call's arguments in checks (`{name}`, `{{` braces, typed whole values) and URL globs read
as Playwright reads them."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from bridge.browser.checks.templates import Placeholder, Template, as_text
from bridge.browser.checks.urlglob import escape_glob, glob_regex, url_matches


def test_placeholders_and_literal_braces() -> None:
    template = Template.parse("li[data-id='{id}'] >> text={{{label}}}")
    assert template.parts == ("li[data-id='", Placeholder("id"), "'] >> text={",
                              Placeholder("label"), "}")
    assert template.names == ("id", "label")
    assert template.text({"id": 7, "label": "milk"}) == "li[data-id='7'] >> text={milk}"
    assert Template.parse("{{}}").text({}) == "{}"
    assert Template.parse("plain").parts == ("plain",)
    assert Template.parse("").parts == ()


@pytest.mark.parametrize("value, text", [
    ("blue", "blue"), (3, "3"), (3.0, "3"), (1.5, "1.5"), (True, "true"), (False, "false"),
    (None, "null"), ([1, "a"], '[1,"a"]'), ({"k": "é"}, '{"k":"é"}'),
])
def test_arguments_are_written_as_text(value: Any, text: str) -> None:
    assert as_text(value) == text
    assert Template.parse("<{v}>").text({"v": value}) == f"<{text}>"


def test_a_whole_placeholder_keeps_the_arguments_type() -> None:
    template = Template.parse("{n}")
    assert template.whole == "n"
    assert template.value({"n": 3}) == 3 and template.value({"n": True}) is True
    assert Template.parse("{n} items").whole is None
    assert Template.parse("{n} items").value({"n": 3}) == "3 items"
    assert Template.parse("{{n}}").whole is None


def test_missing_arguments_are_named() -> None:
    template = Template.parse("{a}-{b}-{a}")
    assert template.missing({"a": 1}) == ("b",)
    assert template.missing({"a": 1, "b": None}) == ()


@pytest.mark.parametrize("text, message", [
    ("{", "unmatched `{`"), ("}", "unmatched `}`"), ("a{b", "unmatched `{`"),
    ("{}", "`{}` in '{}' is not an argument name"), ("{a b}", "is not an argument name"),
    ("{1a}", "is not an argument name"), ("{a,b}", "is not an argument name"),
])
def test_bad_templates_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Template.parse(text)


def test_in_a_glob_a_group_with_a_comma_is_the_globs_own() -> None:
    template = Template.parse("**/{cart,checkout}/{id}", glob=True)
    assert template.names == ("id",)
    assert template.text({"id": "a*b"}, escape=escape_glob) == "**/{cart,checkout}/a\\*b"


@pytest.mark.parametrize("glob, url, matches", [
    ("**/cart", "http://127.0.0.1:8000/cart", True),
    ("**/cart", "http://127.0.0.1:8000/cart/", False),
    ("**/cart*", "http://127.0.0.1:8000/cart?x=1", True),
    ("http://127.0.0.1:*/items/*", "http://127.0.0.1:8000/items/42", True),
    ("http://127.0.0.1:*/items/*", "http://127.0.0.1:8000/items/42/edit", False),
    ("**/items/**", "http://127.0.0.1:8000/items/42/edit", True),
    ("**/{cart,checkout}", "http://h/checkout", True),
    ("**/{cart,checkout}", "http://h/basket", False),
    ("**/a?b", "http://h/a?b", True), ("**/a?b", "http://h/axb", False),
    ("**/a.b", "http://h/axb", False), ("about:blank", "about:blank", True),
    ("**/a\\*b", "http://h/a*b", True), ("**/a\\*b", "http://h/axxb", False),
])
def test_globs_match_like_playwright(glob: str, url: str, matches: bool) -> None:
    assert url_matches(glob, url) is matches


def test_a_glob_from_the_root_is_relative_to_the_pages_origin() -> None:
    assert url_matches("/cart", "http://127.0.0.1:8000/cart")
    assert url_matches("/cart", "http://127.0.0.1:8000/cart", base_url="http://127.0.0.1:8000/")
    assert not url_matches("/cart", "http://127.0.0.2:8000/cart",
                           base_url="http://127.0.0.1:8000/shop")
    assert not url_matches("//cart", "http://127.0.0.1:8000/cart")


@pytest.mark.parametrize("glob, message", [
    ("**/{a", "unmatched `{`"), ("**/a}", "unmatched `}`"), ("{a,{b}}", "nested `{`"),
])
def test_bad_globs_say_why(glob: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        glob_regex(glob)


def test_escaped_arguments_match_literally() -> None:
    text = "a*b{c,d}?e\\f"
    assert glob_regex(escape_glob(text)).fullmatch(text)


@pytest.mark.parametrize("glob", [
    "**/cart", "http://*/a/**/b", "**/{a,b}/c?d", "a\\*b", "**/*.js", "**/a,b", "***/x",
    "/**/", "x**y", "**/",
])
def test_the_regex_is_playwrights_own_where_this_playwright_exposes_it(glob: str) -> None:
    try:
        theirs = importlib.import_module("playwright._impl.isomorphic.url_match")
    except ImportError:
        pytest.skip("this Playwright has no isomorphic.url_match to compare with")
    assert glob_regex(glob).pattern == theirs.glob_to_regex_pattern(glob)
