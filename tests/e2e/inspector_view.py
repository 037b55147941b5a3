"""The inspector as a person sees it: opened in a browser context of its own (not the controlled
Chromium), and what the tests read off it."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect

from bridge.drive.handle import BridgeHandle
from bridge.measure.bench.pages import ANIMATE

__all__ = ["ANIMATE", "distinct_frames", "open_inspector", "tool_line"]

# Distinct pictures the inspector's screen showed within `ms`, counted by an observer of the
# image's `src` (frames arrive as data: URLs, so equal pictures are equal sources).
DISTINCT_FRAMES = """(ms) => new Promise((resolve) => {
  const img = document.querySelector('[data-testid="inspect-screen"]');
  const seen = new Set();
  const observer = new MutationObserver(() => seen.add(img.src));
  observer.observe(img, { attributes: true, attributeFilter: ["src"] });
  setTimeout(() => { observer.disconnect(); resolve(seen.size); }, ms);
})"""


def open_inspector(browser: Browser, handle: BridgeHandle) -> tuple[BrowserContext, Page]:
    """The inspector of `handle`'s bridge in a new context, once it says the page is connected."""
    inspector = handle.server.bridge.inspector
    assert inspector is not None
    context = browser.new_context()
    page = context.new_page()
    page.goto(inspector.url)
    expect(page.get_by_test_id("inspect-status")).to_contain_text("connected · call", timeout=20_000)
    return context, page


def distinct_frames(page: Page, ms: int) -> int:
    count: int = page.evaluate(DISTINCT_FRAMES, ms)
    return count


# The text of the first line about `tool` with `verdict` logged after event-log position `after`.
TOOL_LINE = """([tool, verdict, after]) => {
  const lines = document.querySelectorAll(
    `[data-testid="inspect-log"] li[data-tool="${tool}"][data-verdict="${verdict}"]`);
  const line = [...lines].find((li) => Number(li.dataset.seq) > after);
  return line ? line.innerText : null;
}"""


def tool_line(page: Page, tool: str, verdict: str, *, after: int, timeout_ms: float) -> str:
    """Wait until the inspector's log shows a call of `tool` with `verdict`, logged after `after`
    (so that a line of an earlier test does not count); its text."""
    found = page.wait_for_function(TOOL_LINE, arg=[tool, verdict, after], timeout=timeout_ms)
    text: str = found.json_value()
    return text
