"""DOM truth for each tool call: what the page should show, read back through Playwright.

The page's own report of what it did is never trusted: the verifier reads computed styles
itself, and resolves the requested value with a probe element of the same kind in the same
place, so `blue`, `#00f` and `rgb(0 0 255)` all compare equal to Chromium's `rgb(0, 0, 255)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from .colors import same_color
from .tools import Tool, ToolError, ToolRegistry

READ_STYLES = """([selector, checks]) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const out = {};
  for (const [prop, requested] of checks) {
    let expected = null;
    if (requested !== null && CSS.supports(prop, requested)) {
      const probe = document.createElement(el.tagName === "BODY" ? "div" : el.tagName);
      probe.style.setProperty(prop, requested);
      (el.parentElement || document.documentElement).appendChild(probe);
      expected = getComputedStyle(probe).getPropertyValue(prop);
      probe.remove();
    }
    out[prop] = {actual: getComputedStyle(el).getPropertyValue(prop), expected};
  }
  return out;
}"""

READ_HTML = """() => {
  const copy = document.documentElement.cloneNode(true);
  for (const node of copy.querySelectorAll("[data-bridge-volatile]")) node.replaceChildren();
  return copy.outerHTML;
}"""


class PageReader(Protocol):
    """What the verifier needs of a Playwright page."""

    async def evaluate(self, expression: str, arg: Any = None) -> Any: ...


@dataclass(frozen=True)
class Gate:
    allowed: bool
    reason: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"allowed": self.allowed, **({"reason": self.reason} if self.reason else {})}


@dataclass(frozen=True)
class Verification:
    verified: bool
    observed: dict[str, Any]
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"verified": self.verified, "observed": self.observed}
        if self.reason:
            body["reason"] = self.reason
        return body


class Verifier:
    """Gates calls before they run (registry + schema) and checks their effect after."""

    def __init__(self, registry: ToolRegistry, page: PageReader) -> None:
        self._registry = registry
        self._page = page
        self._before: dict[str, dict[str, float]] = {}

    async def before(self, call: dict[str, Any]) -> Gate:
        try:
            tool = self._registry.get(str(call.get("name")))
            arguments = self._registry.check_call(tool.name, call.get("arguments") or "{}")
        except ToolError as err:
            return Gate(False, str(err))
        relative = [tool.style[p] for p, v in arguments.items()
                    if p in tool.style and v in tool.relative.get(p, {})]
        if relative:
            styles = await self._read(tool, [(prop, None) for prop in relative])
            if styles is None:
                return Gate(False, f"the page has no element {tool.behaviour.get('target')!r}")
            self._before[str(call.get("call_id"))] = {
                prop: _px(styles[prop]["actual"]) for prop in relative
            }
        return Gate(True, arguments=arguments)

    async def after(self, call: dict[str, Any], result: dict[str, Any]) -> Verification:
        try:
            tool = self._registry.get(str(call.get("name")))
            arguments = self._registry.check_call(tool.name, call.get("arguments") or "{}")
        except ToolError as err:
            return Verification(False, {}, str(err))
        before = self._before.pop(str(call.get("call_id")), {})
        if tool.behaviour.get("read") == "html":
            return await self._verify_html(result)
        if tool.style:
            return await self._verify_styles(tool, arguments, before)
        return Verification(False, {}, f"the bridge has no check for tool {tool.name!r}")

    async def _read(self, tool: Tool, checks: list[tuple[str, str | None]]) -> Any:
        return await self._page.evaluate(READ_STYLES, [tool.behaviour.get("target"), checks])

    async def _verify_styles(
        self, tool: Tool, arguments: dict[str, Any], before: dict[str, float]
    ) -> Verification:
        checks = []
        for param, value in arguments.items():
            prop = tool.style.get(param)
            if prop is not None:
                relative = value in tool.relative.get(param, {})
                checks.append((param, prop, None if relative else str(value)))
        styles = await self._read(tool, [(prop, req) for _, prop, req in checks])
        if styles is None:
            return Verification(False, {}, f"no element {tool.behaviour.get('target')!r}")
        observed: dict[str, Any] = {}
        failures: list[str] = []
        for param, prop, requested in checks:
            actual = styles[prop]["actual"]
            observed[_camel(prop)] = actual
            if requested is None:
                factor = tool.relative[param][arguments[param]]
                was, now = before.get(prop), _px(actual)
                if was is None or not _moved(was, now, factor):
                    failures.append(f"{prop} went from {was}px to {now}px, expected "
                                    f"{'larger' if factor > 1 else 'smaller'}")
                else:
                    observed[_camel(prop) + "Before"] = f"{was:g}px"
            elif not _same(prop, actual, styles[prop]["expected"]):
                failures.append(f"{prop} is {actual}, expected {styles[prop]['expected']} "
                                f"({requested})")
        if failures:
            return Verification(False, observed, "; ".join(failures))
        return Verification(True, observed)

    async def _verify_html(self, result: dict[str, Any]) -> Verification:
        html = result.get("html")
        live = await self._page.evaluate(READ_HTML)
        observed = {"length": len(live)}
        if not isinstance(html, str):
            return Verification(False, observed, "the tool returned no html")
        matches = live.startswith(html) if result.get("truncated") else live == html
        if not matches:
            return Verification(False, observed, "the returned HTML differs from the live DOM")
        return Verification(True, observed)


def _px(value: str) -> float:
    match = re.match(r"-?[\d.]+", value or "")
    return float(match.group()) if match else 0.0


def _moved(was: float, now: float, factor: float) -> bool:
    return now > was if factor > 1 else now < was


def _same(prop: str, actual: str, expected: str | None) -> bool:
    if expected is None:
        return False
    if "color" in prop:
        return same_color(actual, expected)
    if re.fullmatch(r"-?[\d.]+px", actual.strip()) and re.fullmatch(r"-?[\d.]+px", expected):
        return abs(_px(actual) - _px(expected)) < 0.01
    return actual.strip() == expected.strip()


def _camel(prop: str) -> str:
    head, *rest = prop.split("-")
    return head + "".join(word.capitalize() for word in rest)
