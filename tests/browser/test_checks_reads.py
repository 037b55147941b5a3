"""Reading the page for declared checks in a real Chromium: one evaluate per selector, and waits
that end at the page's next DOM change, including one that came while a read was under way, but
not at the bridge's own probe elements."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.async_api import Page

from bridge.browser.checks.reads import GroupReading, GroupSpec, read_group, wait_for_change
from tests.browser.async_chromium import AsyncChromium

WATCHING = "() => Object.getOwnPropertySymbols(document).map(String)"


@pytest.fixture(scope="module")
def chromium() -> Iterator[AsyncChromium]:
    with AsyncChromium() as browser:
        yield browser


def probing_spec() -> GroupSpec:
    return GroupSpec(styles=[("font-size", "2em", True)])  # resolved by a probe element


def test_a_change_during_the_read_ends_the_next_wait_at_once(chromium: AsyncChromium) -> None:
    async def run(page: Page) -> tuple[GroupReading, str, float]:
        reading = await read_group(page, "p", probing_spec())
        await page.evaluate("() => { document.querySelector('p').textContent = 'changed'; }")
        began = time.monotonic()
        why = await wait_for_change(page, since=reading.at, min_s=0, max_s=2)
        return reading, why, time.monotonic() - began

    reading, why, waited_s = chromium.run(run, html="<p>x</p>")
    assert reading.count == 1 and reading.at is not None
    assert why == "change" and waited_s < 1.5  # a quiet wait would last 2 s


def test_probes_and_a_still_page_do_not_end_a_wait(chromium: AsyncChromium) -> None:
    async def run(page: Page) -> tuple[str, float, list[str], GroupReading]:
        reading = await read_group(page, "p", probing_spec())
        began = time.monotonic()
        why = await wait_for_change(page, since=reading.at, min_s=0, max_s=0.3)
        return why, time.monotonic() - began, await page.evaluate(WATCHING), reading

    why, waited_s, symbols, reading = chromium.run(run, html="<p style='font-size: 32px'>x</p>")
    assert why == "quiet" and waited_s >= 0.3
    assert symbols == ["Symbol(rtc-bridge.dom-checks)"]
    assert reading.styles == {("font-size", "2em"): ("32px", "32px")}


def test_the_least_time_between_reads_is_kept(chromium: AsyncChromium) -> None:
    async def run(page: Page) -> tuple[str, float]:
        reading = await read_group(page, "p", GroupSpec())
        await page.evaluate("() => document.body.append('x')")
        why = await wait_for_change(page, since=reading.at, min_s=0.2, max_s=5)
        ended = await page.evaluate("() => performance.timeOrigin + performance.now()")
        assert reading.at is not None
        return why, (ended - reading.at) / 1000.0

    why, waited_s = chromium.run(run, html="<p>x</p>")
    # The change came at once; the wait still lasted the least time after the read, on the
    # page's clock: a read is dated back by the time its answer took, so under load it may
    # begin before the test's own clock started, and only the page's clock bounds it.
    assert why == "change" and waited_s >= 0.2


def test_the_watcher_stops_by_itself(chromium: AsyncChromium) -> None:
    async def run(page: Page) -> tuple[list[str], list[str]]:
        await read_group(page, "p", GroupSpec())
        watching = await page.evaluate(WATCHING)
        await page.wait_for_timeout(2100)
        return watching, await page.evaluate(WATCHING)

    assert chromium.run(run, html="<p>x</p>") == (["Symbol(rtc-bridge.dom-checks)"], [])


def test_a_navigation_or_a_close_ends_a_wait(chromium: AsyncChromium) -> None:
    async def run(page: Page) -> tuple[str, str]:
        await page.evaluate("() => setTimeout(() => location.reload(), 50)")
        navigated = await wait_for_change(page, since=None, min_s=0, max_s=2)
        other = await page.context.new_page()
        await other.evaluate("() => setTimeout(() => window.close(), 50)")
        return navigated, await wait_for_change(other, since=None, min_s=0, max_s=2)

    navigated, closed = chromium.run(run, html="<p>x</p>")
    assert (navigated, closed) == ("navigated", "closed")
