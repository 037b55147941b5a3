"""Reading the page for declared checks: one evaluate per selector (through Playwright's own
selector engine, so any Playwright selector works), and a wait that ends at the page's next
DOM change.

A read never raises: what could not be read (the page navigated, closed or threw) is the
reading's `error`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator

from ..css.values import comparable_to_computed
from .checks import Check

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

    @classmethod
    def parse(cls, spec: GroupSpec, read: Any, visible: int | None) -> GroupReading:
        """The reading from the page's answer to `spec` (lists in the order of the spec)."""
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
            value_tag=read.get("valueTag"), visible=visible)


# Reads one selector's matches: the first match's computed styles (a requested value the
# bridge cannot compare as it is, such as 1.5em or bold, resolved by a probe element of the
# same kind in the same place, removed at once), attributes and value; which match contains each
# wanted text. Lists come back in the order of the spec.
READ = """(elements, spec) => {
  const collapse = (s) => String(s ?? "").replace(/\\s+/g, " ").trim();
  const short = (s) => (s.length > 200 ? s.slice(0, 199) + "\\u2026" : s);
  const textOf = (el) => collapse(el.innerText ?? el.textContent);
  const resolve = (el, prop, value) => {
    if (!CSS.supports(prop, value)) return null;
    const html = el.namespaceURI === "http://www.w3.org/1999/xhtml";
    const tag = ["HTML", "BODY"].includes(el.tagName) ? "div" : el.localName;
    const probe = html ? document.createElement(tag)
                       : document.createElementNS(el.namespaceURI, el.localName);
    probe.setAttribute("data-rtc-bridge-probe", "");
    const cls = el.getAttribute("class");
    if (cls) probe.setAttribute("class", cls);
    if (prop !== "font-size") probe.style.setProperty("font-size", getComputedStyle(el).fontSize);
    probe.style.setProperty(prop, value, "important");
    const parent = el.parentNode && el.parentNode.nodeType !== 9 ? el.parentNode
                                                                 : document.documentElement;
    try {
      parent.appendChild(probe);
      return getComputedStyle(probe).getPropertyValue(prop);
    } finally {
      probe.remove();
    }
  };
  const out = {count: elements.length};
  const first = elements[0];
  if (first) {
    out.tag = first.localName;
    if (spec.styles.length) {
      const style = getComputedStyle(first);
      out.styles = spec.styles.map(([prop, value, probe]) => {
        const actual = style.getPropertyValue(prop);
        const same = collapse(actual) === collapse(value);
        return [actual, probe && !same ? resolve(first, prop, value) : null];
      });
    }
    out.attrs = spec.attrs.map((name) => first.getAttribute(name));
    if (spec.value) {
      const control = first.localName === "label" && first.control ? first.control : first;
      const field = ["input", "textarea", "select"].includes(control.localName);
      out.value = field ? control.value : null;
      out.valueTag = control.localName;
    }
    if (spec.texts.length) out.firstText = short(textOf(first));
  }
  out.texts = spec.texts.map((want) => {
    const needle = collapse(want);
    for (const el of elements) {
      const text = textOf(el);
      if (text.includes(needle)) return short(text);
    }
    return null;
  });
  return out;
}"""

# Resolves at the page's next DOM change (or the end of a CSS transition or animation), but
# not before `minMs`, else after `maxMs`: polling that costs nothing while the page is still.
WAIT = """([minMs, maxMs]) => new Promise((resolve) => {
  const start = performance.now();
  let done = false, observer = null, timer = 0;
  const finish = (why) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (observer) observer.disconnect();
    removeEventListener("transitionend", changed, true);
    removeEventListener("animationend", changed, true);
    resolve(why);
  };
  const changed = () => {
    const wait = minMs - (performance.now() - start);
    if (wait <= 0) finish("change");
    else { clearTimeout(timer); timer = setTimeout(() => finish("change"), wait); }
  };
  try {
    observer = new MutationObserver(changed);
    observer.observe(document, {subtree: true, childList: true, attributes: true,
                                characterData: true});
  } catch (err) { /* no observer: the timer alone */ }
  addEventListener("transitionend", changed, true);
  addEventListener("animationend", changed, true);
  timer = setTimeout(() => finish("quiet"), maxMs);
})"""


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
    return GroupReading.parse(spec, results[0], visible if isinstance(visible, int) else None)


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


async def wait_for_change(page: CheckedPage, *, min_s: float, max_s: float) -> str:
    """Until the page's DOM changes (not before `min_s`) or `max_s` pass; what ended the wait:
    `change`, `quiet`, `navigated` (the document went away) or `closed`."""
    try:
        async with asyncio.timeout(max_s + 0.5):  # a page held by a dialog never answers
            why = await page.evaluate(WAIT, [round(min_s * 1000), round(max_s * 1000)])
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
