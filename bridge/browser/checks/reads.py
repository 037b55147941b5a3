"""Reading the page for declared checks: one evaluate per selector (through Playwright's own
selector engine, so any Playwright selector works), and a wait that ends at the page's next
DOM change.

A read never raises: what could not be read (the page navigated, closed or threw) is the
reading's `error`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator

from ...css.values import comparable_to_computed
from .model import Check
from .scripts import READ, WAIT

__all__ = ["INVALID_SELECTOR", "CheckedPage", "GroupReading", "GroupSpec", "count_matches",
           "read_group", "reason_of", "wait_for_change"]

INVALID_SELECTOR = "not a valid selector"
_API_PREFIX = re.compile(r"^\w+\.\w+: ")
_SELECTOR_ERROR = re.compile(r"while parsing|InvalidSelectorError|Unknown engine|is not a valid "
                             r"(?:XPath|selector)")


@dataclass
class GroupSpec:
    """What to read of one selector's matches, in one evaluate: (property, value, needs the
    page to resolve the value) per style, attribute names, the value, texts to look for,
    whether to count the visible ones."""

    styles: list[tuple[str, str, bool]] = field(default_factory=list)
    attrs: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    value: bool = False
    visible: bool = False

    def add(self, check: Check, expected: Any) -> None:
        """What `check` needs read, `expected` being its value with the arguments filled in."""
        kind, name = check.kind, check.name
        if kind == "style" and name is not None:
            entry = (name, expected, not comparable_to_computed(expected))
            _append_new(self.styles, entry)
        elif kind == "attribute" and name is not None:
            _append_new(self.attrs, name)
        elif kind == "text":
            _append_new(self.texts, expected)
        self.value |= kind == "value"
        self.visible |= kind == "visible"

    def as_json(self) -> dict[str, Any]:
        return {"styles": self.styles, "attrs": self.attrs, "texts": self.texts,
                "value": self.value}


@dataclass(frozen=True)
class GroupReading:
    """What the page showed for one selector (`error`: why it could not be read)."""

    count: int = 0
    tag: str | None = None
    styles: Mapping[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)
    attrs: Mapping[str, str | None] = field(default_factory=dict)
    texts: Mapping[str, str | None] = field(default_factory=dict)
    first_text: str | None = None
    value: str | None = None
    value_tag: str | None = None
    visible: int | None = None
    error: str | None = None
    at: float | None = None  # the page's state is no older than this, on the page's clock (ms)

    @classmethod
    def parse(cls, spec: GroupSpec, read: Any, visible: int | None, *,
              spent_ms: float = 0.0) -> GroupReading:
        """The reading from the page's answer to `spec` (lists in the order of the spec);
        `spent_ms`, how long the answer took, dates it back to before Playwright resolved the
        selector, which may be a little earlier than the function ran."""
        if not isinstance(read, dict):
            return cls(error=f"the page answered {type(read).__name__}")
        styles = read.get("styles") or []
        return cls(
            count=int(read.get("count") or 0), tag=read.get("tag"),
            styles={(prop, value): (str(pair[0]), pair[1]) for (prop, value, _), pair
                    in zip(spec.styles, styles, strict=False)},
            attrs=dict(zip(spec.attrs, read.get("attrs") or [], strict=False)),
            texts=dict(zip(spec.texts, read.get("texts") or [], strict=False)),
            first_text=read.get("firstText"), value=read.get("value"),
            value_tag=read.get("valueTag"), visible=visible,
            at=read["at"] - spent_ms if isinstance(read.get("at"), int | float) else None)


class CheckedPage(Protocol):
    """What the checks need of a Playwright page."""

    @property
    def url(self) -> str: ...

    def is_closed(self) -> bool: ...

    def locator(self, selector: str) -> Locator: ...

    async def evaluate(self, expression: str, arg: Any = None) -> Any: ...


async def read_group(page: CheckedPage, selector: str, spec: GroupSpec) -> GroupReading:
    """One selector's reading: an evaluate over its matches, and the count of the visible ones
    (Playwright's visibility) when a check needs it, side by side."""
    began = time.monotonic()
    locator = page.locator(selector)
    reads: list[Any] = [locator.evaluate_all(READ, spec.as_json())]
    if spec.visible:
        reads.append(page.locator(f"{selector} >> visible=true").count())
    results = await asyncio.gather(*reads, return_exceptions=True)
    for result in results:
        if isinstance(result, asyncio.CancelledError):
            raise result
        if isinstance(result, BaseException):
            return GroupReading(error=reason_of(result))
    visible = results[1] if spec.visible else None
    return GroupReading.parse(spec, results[0], visible if isinstance(visible, int) else None,
                              spent_ms=(time.monotonic() - began) * 1000)


async def count_matches(page: CheckedPage, selectors: list[str]) -> Mapping[str, int | str]:
    """How many elements each selector matches now, or why it could not be counted."""
    results = await asyncio.gather(*(page.locator(s).count() for s in selectors),
                                   return_exceptions=True)
    counts: dict[str, int | str] = {}
    for selector, result in zip(selectors, results, strict=True):
        if isinstance(result, asyncio.CancelledError):
            raise result
        counts[selector] = reason_of(result) if isinstance(result, BaseException) else result
    return counts


async def wait_for_change(page: CheckedPage, *, since: float | None, min_s: float,
                          max_s: float) -> str:
    """Until the page's DOM has changed since `since` (a read's `at`; None: now), not before
    `min_s` after it, or `max_s` pass; what ended the wait: `change`, `quiet`, `navigated` (the
    document went away) or `closed`."""
    try:
        async with asyncio.timeout(max_s + 0.5):  # a page held by a dialog never answers
            why = await page.evaluate(WAIT, [since, round(min_s * 1000), round(max_s * 1000)])
    except TimeoutError:
        return "quiet"
    except PlaywrightError:
        if page.is_closed():
            return "closed"
        await asyncio.sleep(min_s)  # a page whose document keeps failing is not read flat out
        return "navigated"
    return str(why)


def reason_of(err: BaseException) -> str:
    """A Playwright error in one line (its call log and the API's name dropped)."""
    text = str(getattr(err, "message", None) or err).strip()
    line = _API_PREFIX.sub("", text.splitlines()[0]) if text else type(err).__name__
    if _SELECTOR_ERROR.search(line):
        return f"{INVALID_SELECTOR}: {line}"
    if "Execution context was destroyed" in line or "navigat" in line.lower():
        return f"the page navigated during the read ({line})"
    if "closed" in line.lower():
        return "the page closed"
    return line


def _append_new(items: list[Any], item: Any) -> None:
    if item not in items:
        items.append(item)
