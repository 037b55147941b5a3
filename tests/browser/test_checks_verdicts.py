"""Declared checks judged on what a read showed (no browser): arguments filled in, each kind's
meaning, and reasons that say what was expected and what was seen."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.browser.checks.dom import count_delta_selectors
from bridge.browser.checks.model import Check, parse_check_list
from bridge.browser.checks.reads import GroupReading, GroupSpec
from bridge.browser.checks.verdicts import Finding, judge, render


def one(raw: dict[str, Any]) -> Check:
    (check,) = parse_check_list([raw], source="checks.yaml", where="tools.t.checks")
    return check


def verdict(raw: dict[str, Any], group: GroupReading | None = None, *, url: str = "about:blank",
            arguments: dict[str, Any] | None = None, **kw: Any) -> list[Finding]:
    return judge(render(one(raw), arguments or {}), group, url=url, **kw)


def test_a_missing_argument_is_named_with_where_it_is_used() -> None:
    rendered = render(one({"selector": "li[data-id='{id}']", "text": "{text}"}), {"text": "x"})
    assert rendered.problem == ("tools.t.checks[0].text needs the argument `id`, which the call "
                                "does not have")
    assert verdict({"selector": "li", "text": "{text}"}) == [Finding(
        "li text", None, "tools.t.checks[0].text needs the argument `text`, which the call "
                           "does not have")]


@pytest.mark.parametrize("raw, arguments, expected", [
    ({"selector": "li", "count": "{n}"}, {"n": 3}, 3),
    ({"selector": "li", "count": "{n}"}, {"n": "3"}, 3),
    ({"selector": "li", "count": "{n}"}, {"n": 3.0}, 3),
    ({"selector": "li", "count_delta": "{n}"}, {"n": -1}, -1),
    ({"selector": "li", "visible": "{v}"}, {"v": True}, True),
    ({"selector": "li", "visible": "{v}"}, {"v": "false"}, False),
    ({"selector": "a", "attribute": {"title": "{t}"}}, {"t": None}, None),
    ({"selector": "a", "attribute": {"title": "{t}"}}, {"t": 5}, "5"),
    ({"selector": "li", "text": "{n} items"}, {"n": 2}, "2 items"),
    ({"url": "**/items/{id}"}, {"id": "a*b"}, "**/items/a\\*b"),
])
def test_arguments_fill_in_with_their_types(raw: dict[str, Any], arguments: dict[str, Any],
                                            expected: Any) -> None:
    rendered = render(one(raw), arguments)
    assert rendered.problem is None and rendered.expected == expected


@pytest.mark.parametrize("raw, arguments, problem", [
    ({"selector": "li", "count": "{n}"}, {"n": "many"}, "argument `n` is 'many', not a whole "
                                                        "number of 0 or more"),
    ({"selector": "li", "count": "{n}"}, {"n": -2}, "of 0 or more"),
    ({"selector": "li", "count_delta": "{n}"}, {"n": True}, "is True, not a whole number"),
    ({"selector": "li", "visible": "{v}"}, {"v": "maybe"}, "is 'maybe', not true or false"),
])
def test_unusable_arguments_say_why(raw: dict[str, Any], arguments: dict[str, Any],
                                    problem: str) -> None:
    rendered = render(one(raw), arguments)
    assert rendered.problem is not None and problem in rendered.problem


def styles(prop: str, value: str, actual: str, resolved: str | None = None) -> GroupReading:
    return GroupReading(count=1, tag="div", styles={(prop, value): (actual, resolved)})


def test_style_colours_compare_by_value_and_say_both_sides() -> None:
    check = {"selector": "body", "style": {"background-color": "blue"}}
    assert verdict(check, styles("background-color", "blue", "rgb(0, 0, 255)")) == [
        Finding("body background-color", "rgb(0, 0, 255)")]
    (failed,) = verdict(check, styles("background-color", "blue", "rgb(255, 255, 255)"))
    assert failed.failure == ("background-color of body is rgb(255, 255, 255), expected blue "
                              "(rgb(0, 0, 255))")


def test_style_values_the_page_resolved() -> None:
    check = {"selector": "#b", "style": {"font-size": "1.5em"}}
    assert not verdict(check, styles("font-size", "1.5em", "24px", "24px"))[0].failure
    (failed,) = verdict(check, styles("font-size", "1.5em", "16px", "24px"))
    assert failed.failure == "font-size of #b is 16px, expected 1.5em (24px)"
    (invalid,) = verdict({"selector": "#b", "style": {"font-size": "huge-ish"}},
                         styles("font-size", "huge-ish", "16px", None))
    assert invalid.failure == ("font-size of #b is 16px, expected huge-ish, which is not a value "
                               "Chromium takes for font-size")
    (unknown,) = verdict({"selector": "#b", "style": {"colour": "red"}},
                         styles("colour", "red", "", None))
    assert unknown.failure == "colour of #b is (not set), expected red (rgb(255, 0, 0))"


def test_spec_groups_what_one_selector_needs() -> None:
    spec = GroupSpec()
    for raw in ({"selector": "b", "style": {"color": "blue", "font-size": "2em"}},
                {"selector": "b", "text": "x"}, {"selector": "b", "text": "x"},
                {"selector": "b", "visible": True}, {"selector": "b", "value": "v"},
                {"selector": "b", "attribute": {"href": None}}):
        for check in parse_check_list([raw], source="s", where="w"):
            spec.add(check, render(check, {}).expected)
    assert spec.as_json() == {"styles": [("color", "blue", False), ("font-size", "2em", True)],
                              "attrs": ["href"], "texts": ["x"], "value": True}
    assert spec.visible


def test_text_is_any_match_and_says_what_the_first_showed() -> None:
    check = {"selector": "li", "text": "milk"}
    found = GroupReading(count=2, texts={"milk": "buy milk"}, first_text="eggs")
    assert verdict(check, found) == [Finding("li text", "buy milk")]
    one_li = GroupReading(count=1, texts={"milk": None}, first_text="eggs")
    assert verdict(check, one_li)[0].failure == 'text of li is "eggs", expected it to contain "milk"'
    two = GroupReading(count=2, texts={"milk": None}, first_text="eggs")
    assert verdict(check, two)[0].failure == ('none of the 2 elements matching li contains "milk"'
                                              ' (the first: "eggs")')


def test_attribute_exact_or_absent() -> None:
    href = {"selector": "a", "attribute": {"href": "/x"}}
    assert not verdict(href, GroupReading(count=1, attrs={"href": "/x"}))[0].failure
    assert verdict(href, GroupReading(count=1, attrs={"href": "/y"}))[0].failure == (
        'attribute href of a is "/y", expected "/x"')
    assert verdict(href, GroupReading(count=1, attrs={"href": None}))[0].failure == (
        'a has no attribute href, expected href="/x"')
    absent = {"selector": "a", "attribute": {"title": None}}
    assert verdict(absent, GroupReading(count=1, attrs={"title": None})) == [
        Finding("a attribute title", None)]
    assert verdict(absent, GroupReading(count=1, attrs={"title": "t"}))[0].failure == (
        'a has title="t", expected no title attribute')


def test_value_normalised_and_only_of_form_fields() -> None:
    check = {"selector": "#c", "value": "blue"}
    assert not verdict(check, GroupReading(count=1, value="#0000ff"))[0].failure
    assert verdict(check, GroupReading(count=1, value="red"))[0].failure == (
        'value of #c is "red", expected "blue"')
    assert verdict(check, GroupReading(count=1, value=None, value_tag="div"))[0].failure == (
        "#c is a <div>, which has no value (a value check reads an input, select or textarea)")


def test_counts_and_deltas() -> None:
    assert verdict({"selector": "li", "count": 2}, GroupReading(count=3))[0].failure == (
        "li matches 3 elements, expected 2")
    delta = {"selector": "li", "count_delta": 1}
    assert verdict(delta, GroupReading(count=3), before=2) == [
        Finding("li count", 3), Finding("li count before", 2)]
    assert verdict(delta, GroupReading(count=2), before=2)[0].failure == (
        "li matches 2 elements, expected 3 (2 before the call, +1)")
    assert verdict(delta, GroupReading(count=2))[0].failure == (
        "no count of li from before the call (no baseline)")
    assert verdict(delta, GroupReading(count=2), before_problem="p")[0].failure == "p"


def test_visibility_is_some_or_none() -> None:
    shown, hidden = {"selector": "p", "visible": True}, {"selector": "p", "visible": False}
    assert verdict(shown, GroupReading(count=2, visible=1)) == [Finding("p visible", True)]
    assert verdict(shown, GroupReading(count=0, visible=0))[0].failure == (
        "no element matches p, expected a visible one")
    assert verdict(shown, GroupReading(count=2, visible=0))[0].failure == (
        "p matches 2 elements, none visible, expected a visible one")
    assert not verdict(hidden, GroupReading(count=0, visible=0))[0].failure
    assert verdict(hidden, GroupReading(count=3, visible=2))[0].failure == (
        "2 of the 3 elements matching p are visible, expected none")


def test_url_and_unreadable_pages() -> None:
    assert verdict({"url": "**/cart"}, url="http://127.0.0.1:1/shop")[0].failure == (
        "the page is at http://127.0.0.1:1/shop, expected a URL matching **/cart")
    assert verdict({"url": "/cart"}, url="http://127.0.0.1:1/cart",
                   base_url="http://127.0.0.1:1/") == [Finding("url", "http://127.0.0.1:1/cart")]
    assert verdict({"selector": "p", "text": "x"}, GroupReading(error="the page closed")) == [
        Finding("p text", None, "could not read p: the page closed")]
    assert verdict({"selector": "p", "text": "x"}, GroupReading(count=0))[0].failure == (
        "no element matches p")


def test_what_a_baseline_counts() -> None:
    declared = parse_check_list([{"selector": "li.{kind}", "count_delta": 1},
                                 {"selector": "li.{kind}", "count_delta": 2},
                                 {"selector": "li.{other}", "count_delta": 1},
                                 {"selector": "p", "count": 1}], source="s", where="w")
    assert count_delta_selectors(declared, '{"kind": "todo"}') == ["li.todo"]
    assert count_delta_selectors(declared, "not json") == []
