"""Declared checks in a real Chromium: every kind holding and failing, values normalised the way
the page resolves them, polling until the DOM changes, timeouts, `count_delta` from a baseline,
and pages that navigate, close or throw under a check."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Page

from bridge.browser.checks.dom import Baseline, CheckResult, DomChecker
from bridge.browser.checks.model import Check, parse_check_list
from tests.browser.async_chromium import AsyncChromium, StaticPages

SHOP = """<title>shop</title><ul><li data-testid=todo-item>eggs</li></ul>
<button onclick="location.href='/cart'">cart</button>"""
CART = "<title>cart</title><h1>Your cart</h1><p class=total>2 items</p>"


@pytest.fixture(scope="module")
def chromium() -> Iterator[AsyncChromium]:
    with AsyncChromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def site() -> Iterator[StaticPages]:
    with StaticPages({"/shop": SHOP, "/cart": CART}) as pages:
        yield pages


def checks(*raw: dict[str, Any]) -> tuple[Check, ...]:
    return parse_check_list(list(raw), source="test", where="checks")


def verify(chromium: AsyncChromium, html: str, *raw: dict[str, Any],
           arguments: dict[str, Any] | None = None, timeout_s: float = 0,
           script: str | None = None) -> CheckResult:
    """The checks' verdict on `html`, after `script` (run in the page, not awaited)."""
    declared = checks(*raw)

    async def run(page: Page) -> CheckResult:
        checker = DomChecker(page)
        before = await checker.baseline(declared, arguments or {})
        if script:
            await page.evaluate(f"() => {{ {script} }}")
        return await checker.verify(declared, arguments or {}, before, timeout_s=timeout_s)

    return chromium.run(run, html=html)


def test_style_colours_and_lengths_compare_by_value(chromium: AsyncChromium) -> None:
    html = """<body style="background: #00f; color: hsl(0 100% 50%)">
      <div style="font-size: 20px"><button id=b style="font-size: 1.5em; font-weight: bold;
       padding: 1em">ok</button></div></body>"""
    held = verify(chromium, html,
                  {"selector": "body", "style": {"background-color": "blue"}},
                  {"selector": "body", "style": {"background-color": "rgb(0 0 255)"}},
                  {"selector": "body", "style": {"backgroundColor": "#0000ff"}},
                  {"selector": "body", "style": {"color": "red"}},
                  {"selector": "#b", "style": {"font-size": "30px"}},
                  {"selector": "#b", "style": {"font-size": "1.5em"}},  # of its parent's 20px
                  {"selector": "#b", "style": {"font-size": "22.5pt"}},
                  {"selector": "#b", "style": {"padding-top": "1em"}},  # of its own 30px
                  {"selector": "#b", "style": {"font-weight": "bold"}})
    assert held.verdict == "verified", held.reason
    assert held.observed["body background-color"] == "rgb(0, 0, 255)"
    assert held.observed["#b font-size"] == "30px"
    assert held.observed["#b padding-top"] == "30px"
    assert held.observed["#b font-weight"] == "700"
    failed = verify(chromium, html, {"selector": "body", "style": {"background-color": "white"}},
                    {"selector": "#b", "style": {"font-size": "2em"}})
    assert failed.verdict == "not_verified"
    assert failed.reason == ("background-color of body is rgb(0, 0, 255), expected white "
                             "(rgb(255, 255, 255)); font-size of #b is 30px, expected 2em (40px)")


def test_probes_leave_nothing_behind(chromium: AsyncChromium) -> None:
    html = "<ul><li style='font-size: 2em'>a</li></ul>"

    async def run(page: Page) -> tuple[CheckResult, int]:
        result = await DomChecker(page).verify(
            checks({"selector": "li", "style": {"font-size": "2em"}}), {}, timeout_s=0)
        return result, await page.evaluate("() => document.querySelectorAll('*').length")

    result, elements = chromium.run(run, html=html)
    assert result.verdict == "verified", result.reason
    assert elements == 5  # html, head, body, ul, li


def test_text_is_a_case_sensitive_substring_with_spaces_collapsed(chromium: AsyncChromium) -> None:
    html = "<ul><li>eggs</li><li>buy\n   <b>milk</b>  now</li></ul>"
    held = verify(chromium, html, {"selector": "li", "text": "buy milk now"},
                  {"selector": "li:last-child", "text": "  milk "},
                  {"selector": "li", "text": "{item}"}, arguments={"item": "milk"})
    assert held.verdict == "verified", held.reason
    assert held.observed["li text"] == "buy milk now"
    failed = verify(chromium, html, {"selector": "li", "text": "Milk"})
    assert failed.reason == 'none of the 2 elements matching li contains "Milk" (the first: "eggs")'


def test_attributes_exact_or_absent(chromium: AsyncChromium) -> None:
    html = "<a href='/items/7' aria-pressed=true>x</a>"
    held = verify(chromium, html, {"selector": "a", "attribute": {
        "href": "/items/{id}", "aria-pressed": "true", "title": None}}, arguments={"id": 7})
    assert held.verdict == "verified", held.reason
    assert held.observed == {"a attribute href": "/items/7", "a attribute aria-pressed": "true",
                             "a attribute title": None}
    failed = verify(chromium, html, {"selector": "a", "attribute": {"href": "/items/8",
                                                                    "aria-pressed": None}})
    assert failed.reason == ('attribute href of a is "/items/7", expected "/items/8"; '
                             'a has aria-pressed="true", expected no aria-pressed attribute')


def test_values_of_inputs_selects_textareas_and_labels(chromium: AsyncChromium) -> None:
    html = """<input id=name value="Ada"><input id=c type=color value="#0000ff">
      <select id=s><option>a</option><option selected>b</option></select>
      <textarea id=t>hello</textarea><label id=l>Name <input value="in label"></label>
      <div id=d>no value</div>"""
    held = verify(chromium, html, {"selector": "#name", "value": "{who}"},
                  {"selector": "#c", "value": "blue"}, {"selector": "#s", "value": "b"},
                  {"selector": "#t", "value": "hello"}, {"selector": "#l", "value": "in label"},
                  arguments={"who": "Ada"})
    assert held.verdict == "verified", held.reason
    failed = verify(chromium, html, {"selector": "#name", "value": "Bob"},
                    {"selector": "#d", "value": "x"})
    assert failed.reason == ('value of #name is "Ada", expected "Bob"; #d is a <div>, which has '
                             'no value (a value check reads an input, select or textarea)')


def test_counts_and_visibility(chromium: AsyncChromium) -> None:
    html = """<li>a</li><li hidden>b</li><li style="visibility: hidden">c</li>
      <p id=gone style="display: none">x</p>"""
    held = verify(chromium, html, {"selector": "li", "count": 3},
                  {"selector": "li", "count": "{n}"}, {"selector": "li", "visible": True},
                  {"selector": "#gone", "visible": False}, {"selector": "#none", "visible": False},
                  {"selector": "#none", "count": 0}, arguments={"n": 3})
    assert held.verdict == "verified", held.reason
    assert held.observed["li count"] == 3 and held.observed["li visible"] is True
    failed = verify(chromium, html, {"selector": "li", "visible": False},
                    {"selector": "#gone", "visible": True}, {"selector": "li", "count": 2})
    assert failed.reason == ("1 of the 3 elements matching li is visible, expected none; "
                             "#gone matches 1 element, none visible, expected a visible one; "
                             "li matches 3 elements, expected 2")


def test_first_match_for_styles_and_playwright_selectors(chromium: AsyncChromium) -> None:
    html = """<p style="color: red">one</p><p style="color: blue">two</p>
      <button>Save</button><my-card></my-card>
      <script>customElements.define("my-card", class extends HTMLElement {
        connectedCallback() { this.attachShadow({mode: "open"}).innerHTML =
          "<span class=inner>shadow text</span>"; } });</script>"""
    held = verify(chromium, html, {"selector": "p", "style": {"color": "red"}},
                  {"selector": "p >> nth=1", "style": {"color": "blue"}},
                  {"selector": "text=two", "count": 1},
                  {"selector": "role=button[name='Save']", "visible": True},
                  {"selector": ".inner", "text": "shadow text"})
    assert held.verdict == "verified", held.reason


def test_polling_sees_a_change_that_comes_later(chromium: AsyncChromium) -> None:
    html = "<ul><li data-testid=todo-item>eggs</li></ul>"
    script = """setTimeout(() => {
        const li = document.createElement("li");
        li.dataset.testid = "todo-item"; li.textContent = "milk";
        document.querySelector("ul").append(li);
        window.changedAt = performance.timeOrigin + performance.now();
      }, 300);"""
    started = time.time()
    result = verify(chromium, html, {"selector": "[data-testid=todo-item]", "count_delta": 1},
                    {"selector": "li:last-child", "text": "{text}"}, arguments={"text": "milk"},
                    timeout_s=2, script=script)
    assert result.verdict == "verified", result.reason
    assert result.observed["[data-testid=todo-item] count"] == 2
    assert result.observed["[data-testid=todo-item] count before"] == 1
    assert 0.3 <= time.time() - started < 1.8
    assert 2 <= result.reads <= 6  # woken by the change, not by a clock


def test_a_style_change_without_a_dom_change_is_seen_too(chromium: AsyncChromium) -> None:
    html = """<style>body { transition: background-color 150ms linear; }
      body.on { background-color: blue; }</style><body>"""
    result = verify(chromium, html, {"selector": "body", "style": {"background-color": "blue"}},
                    timeout_s=2, script="document.body.classList.add('on')")
    assert result.verdict == "verified", result.reason
    assert result.elapsed_ms < 1500


def test_a_check_that_never_holds_fails_at_its_timeout(chromium: AsyncChromium) -> None:
    result = verify(chromium, "<ul></ul>", {"selector": "li", "count": 1}, timeout_s=0.4)
    assert result.verdict == "not_verified"
    assert result.reason == "li matches 0 elements, expected 1"
    assert 400 <= result.elapsed_ms < 1500
    assert result.reads <= 8

    async def late(page: Page) -> CheckResult:  # the clock started 5 s ago: one read, no wait
        return await DomChecker(page).verify(checks({"selector": "li", "count": 1}), {},
                                             timeout_s=2, started_at=time.monotonic() - 5)

    assert chromium.run(late, html="<ul></ul>").reads == 1


def test_count_delta_from_the_baseline(chromium: AsyncChromium) -> None:
    html = "<ul><li>a</li><li>b</li></ul>"
    removed = verify(chromium, html, {"selector": "li", "count_delta": -1},
                     script="document.querySelector('li').remove()")
    assert removed.verdict == "verified", removed.reason
    unchanged = verify(chromium, html, {"selector": "li", "count_delta": 1})
    assert unchanged.reason == "li matches 2 elements, expected 3 (2 before the call, +1)"


def test_no_checks_is_unchecked_and_a_missing_argument_fails_at_once(
    chromium: AsyncChromium,
) -> None:
    async def run(page: Page) -> tuple[CheckResult, CheckResult]:
        checker = DomChecker(page)
        none = await checker.verify((), {"color": "blue"})
        missing = await checker.verify(checks({"selector": "body", "text": "{text}"},
                                              {"selector": "body", "count": 1}), {}, timeout_s=5)
        return none, missing

    none, missing = chromium.run(run, html="<p>x</p>")
    assert (none.verdict, none.observed, none.reason) == ("unchecked", {}, "no checks declared")
    assert missing.verdict == "not_verified" and missing.reads == 1
    assert missing.reason == ("checks[0].text needs the argument `text`, which the call does not "
                              "have")
    assert missing.observed == {"body text": None, "body count": 1}


def test_urls_match_globs_relative_to_the_page(chromium: AsyncChromium, site: StaticPages) -> None:
    declared = checks({"url": "/cart"}, {"url": "**/{cart,checkout}"},
                      {"selector": "h1", "text": "Your cart"})

    async def run(page: Page) -> tuple[CheckResult, CheckResult]:
        checker = DomChecker(page)
        before = await checker.baseline(declared, {})
        early = await checker.verify(declared, {}, before, timeout_s=0)
        await page.click("button")  # the page navigates to /cart
        return early, await checker.verify(declared, {}, before, timeout_s=3)

    early, late = chromium.run(run, url=f"{site.url}/shop")
    assert early.verdict == "not_verified"
    assert early.reason is not None and early.reason.startswith(
        f"the page is at {site.url}/shop, expected a URL matching /cart")
    assert late.verdict == "verified", late.reason
    assert late.observed["url"] == f"{site.url}/cart"


def test_a_navigation_during_the_check_is_a_reason_not_an_exception(
    chromium: AsyncChromium, site: StaticPages,
) -> None:
    declared = checks({"selector": "[data-testid=todo-item]", "count_delta": 1})

    async def run(page: Page) -> CheckResult:
        checker = DomChecker(page)
        before = await checker.baseline(declared, {})
        await page.evaluate("() => setTimeout(() => { location.href = '/cart'; }, 50)")
        return await checker.verify(declared, {}, before, timeout_s=0.5)

    result = chromium.run(run, url=f"{site.url}/shop")
    assert result.verdict == "not_verified"
    assert result.reason == ("[data-testid=todo-item] matches 0 elements, expected 2 (1 before "
                             "the call, +1)")


def test_a_page_that_closes_or_throws_gives_a_reason(chromium: AsyncChromium) -> None:
    declared = checks({"selector": "p", "text": "never"})

    async def closing(tab: Page) -> tuple[CheckResult, Baseline, CheckResult]:
        page = await tab.context.new_page()  # a tab with one history entry: scripts may close it
        await page.set_content("<p>x</p>")
        await page.evaluate("() => setTimeout(() => window.close(), 100)")
        checker = DomChecker(page)
        closed = await checker.verify(declared, {}, timeout_s=3)
        return closed, await checker.baseline(declared, {}), await checker.verify(declared, {})

    closed, baseline, gone = chromium.run(closing)
    assert baseline.counts == {}
    assert (closed.verdict, closed.reason) == ("not_verified", "the page closed during the check")
    assert closed.elapsed_ms < 2000
    assert gone.reason == "the page closed during the check"

    throwing = "<p>x</p><script>window.getComputedStyle = () => { throw new Error('nope'); };" \
               "</script>"
    broken = verify(chromium, throwing, {"selector": "p", "style": {"color": "red"}})
    assert broken.verdict == "not_verified"
    assert broken.reason == "could not read p: Error: nope"


def test_an_invalid_selector_is_a_reason(chromium: AsyncChromium) -> None:
    result = verify(chromium, "<p>x</p>", {"selector": "p[[", "count": 1},
                    {"selector": "foo=bar", "count": 1}, timeout_s=5)
    assert result.verdict == "not_verified" and result.reads == 1
    assert result.reason == (
        'could not read p[[: not a valid selector: Unexpected token "" while parsing css '
        'selector "p[[". Did you mean to CSS.escape it?; could not read foo=bar: not a valid '
        'selector: Unknown engine "foo" while parsing selector foo=bar')
