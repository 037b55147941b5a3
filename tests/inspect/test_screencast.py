"""The inspector's screencast in a real Chromium: nothing captured until somebody watches, frames
no faster than asked while watched, nothing once the last watcher left, and the page followed
when it is replaced (as after a crash)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Page

from bridge.inspect.screencast import FOLLOW_S, Screencast
from tests.browser.async_chromium import AsyncChromium

pytestmark = pytest.mark.e2e

ANIMATED = """<!doctype html><html><body><p id="n">0</p><script>
let n = 0;
(function step() { document.getElementById("n").textContent = String(++n);
                   requestAnimationFrame(step); })();
</script></body></html>"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[AsyncChromium]:
    with AsyncChromium() as browser:
        yield browser


async def frames_in(cast: Screencast, seconds: float) -> int:
    before = cast.frames_captured
    await asyncio.sleep(seconds)
    return cast.frames_captured - before


def test_frames_only_while_watched_and_paced(chromium: AsyncChromium) -> None:
    async def scenario(page: Page) -> dict[str, Any]:
        cast = Screencast(lambda: page, max_fps=10)
        unwatched = await frames_in(cast, 1.0)
        wake = asyncio.Event()
        async with cast.watching(wake):
            await asyncio.sleep(0.5)  # the first look at the page, and the first frames
            watched = await frames_in(cast, 2.0)
            casting, woken = cast.casting, wake.is_set()
        await asyncio.sleep(0.2)
        after = await frames_in(cast, 1.0)
        result = {"unwatched": unwatched, "watched": watched, "casting": casting,
                  "woken": woken, "after": after, "still_casting": cast.casting}
        await cast.aclose()
        return result

    seen = chromium.run(scenario, html=ANIMATED)
    assert seen["unwatched"] == 0 and seen["after"] == 0 and not seen["still_casting"], seen
    assert seen["casting"] and seen["woken"], seen
    # At most 10 a second (a frame or two of slack at the edges), and about that many: the page
    # repaints at 60.
    assert 12 <= seen["watched"] <= 22, seen


def test_two_watchers_share_one_screencast(chromium: AsyncChromium) -> None:
    async def scenario(page: Page) -> tuple[bool, bool, bool]:
        cast = Screencast(lambda: page, max_fps=10)
        first, second = asyncio.Event(), asyncio.Event()
        async with cast.watching(first):
            async with cast.watching(second):
                await asyncio.sleep(0.8)
                both = first.is_set() and second.is_set() and cast.watchers == 2
            await asyncio.sleep(0.2)
            one_left = cast.casting
        await cast.aclose()
        return both, one_left, cast.casting

    assert chromium.run(scenario, html=ANIMATED) == (True, True, False)


def test_a_replaced_page_is_followed(chromium: AsyncChromium) -> None:
    async def scenario(page: Page) -> tuple[int, int]:
        current: list[Page | None] = [page]
        cast = Screencast(lambda: current[0], max_fps=10)
        async with cast.watching(asyncio.Event()):
            await asyncio.sleep(0.5)
            replacement = await page.context.new_page()
            await replacement.set_content(ANIMATED)
            current[0] = replacement
            await page.close()
            await asyncio.sleep(FOLLOW_S + 0.5)
            followed = await frames_in(cast, 1.0)
            current[0] = None  # no page open, as while a crashed one is being reopened
            await asyncio.sleep(FOLLOW_S + 0.2)
            without_page = await frames_in(cast, 0.5)
        await cast.aclose()
        await replacement.close()
        return followed, without_page

    followed, without_page = chromium.run(scenario, html=ANIMATED)
    assert followed >= 5 and without_page == 0


def test_a_watcher_cancelled_again_while_it_leaves_still_stops_the_screencast(
    chromium: AsyncChromium,
) -> None:
    async def scenario(page: Page) -> dict[str, Any]:
        cast = Screencast(lambda: page, max_fps=10)
        watching = asyncio.Event()

        async def watcher() -> None:
            async with cast.watching(asyncio.Event()):
                watching.set()
                await asyncio.sleep(60)

        task = asyncio.ensure_future(watcher())
        await watching.wait()
        await asyncio.sleep(0.5)  # casting by now
        casting = cast.casting
        # A served request's connection goes, then the server cleans it up: two cancellations,
        # the second landing while the first is still leaving.
        task.cancel()
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        for _ in range(50):
            if not cast.casting:
                break
            await asyncio.sleep(0.05)
        result = {"casting": casting, "still_casting": cast.casting, "watchers": cast.watchers}
        await cast.aclose()
        return result

    seen = chromium.run(scenario, html=ANIMATED)
    assert seen == {"casting": True, "still_casting": False, "watchers": 0}, seen
