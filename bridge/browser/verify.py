"""DOM truth for each tool call: what the page should show, read back through Playwright.

The page's own report of what it did is never trusted: the verifier reads computed styles
itself, and resolves the requested value with a probe element of the same kind in the same
place, so `blue`, `#00f` and `rgb(0 0 255)` all compare equal to Chromium's `rgb(0, 0, 255)`.

`Verifier.run` is the fast path: one Playwright evaluate reads what the call will change, runs
the page's own tool, and reads the DOM again, so a call costs one round trip to the page.
`before` and `after` serve pages that run the tool themselves between two checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..css.colors import same_color
from ..errors import ToolError
from .tools import Tool, ToolRegistry

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

# Reads the target's styles, runs the page's tool, reads them again with the requested values
# resolved by probes, and (for read tools) the live HTML: everything in one round trip. The
# request and the answer travel as JSON text, parsed once on each side.
RUN_AND_READ = """async (request) => {
  const {name, args, selector, props, checks, html} = JSON.parse(request);
  const bridge = window.rtcBridge;
  if (!bridge || typeof bridge.runTool !== "function") {
    return JSON.stringify({missing: "window.rtcBridge.runTool"});
  }
  const el = selector ? document.querySelector(selector) : null;
  const read = () => {
    if (!el) return null;
    const style = getComputedStyle(el);
    const out = {};
    for (const prop of props) out[prop] = style.getPropertyValue(prop);
    return out;
  };
  const before = read();
  const result = await bridge.runTool(name, args);
  const after = read();
  const expected = {};
  if (el) {
    const parent = el.parentElement || document.documentElement;
    for (const [prop, requested] of checks) {
      if (!CSS.supports(prop, requested)) { expected[prop] = null; continue; }
      const probe = document.createElement(el.tagName === "BODY" ? "div" : el.tagName);
      probe.style.setProperty(prop, requested);
      parent.appendChild(probe);
      expected[prop] = getComputedStyle(probe).getPropertyValue(prop);
      probe.remove();
    }
  }
  let live = null;
  if (html) {
    const copy = document.documentElement.cloneNode(true);
    for (const node of copy.querySelectorAll("[data-bridge-volatile]")) node.replaceChildren();
    live = copy.outerHTML;
  }
  return JSON.stringify({result, before, after, expected, html: live});
}"""
_NUMBER = re.compile(r"-?[\d.]+")
_PIXELS = re.compile(r"-?[\d.]+px")


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


@dataclass(frozen=True)
class Outcome:
    """A call run by `Verifier.run`: refused (`gate`), or run with the page's `result` and,
    when the tool succeeded, its `verification`."""

    gate: Gate
    result: dict[str, Any] = field(default_factory=dict)
    verification: Verification | None = None

    def as_json(self) -> dict[str, Any]:
        if not self.gate.allowed:
            return self.gate.as_json()
        body: dict[str, Any] = {"allowed": True, "result": self.result}
        if self.verification is not None:
            body.update(self.verification.as_json())
        return body


class Verifier:
    """Gates calls before they run (registry + schema) and checks their effect after."""

    def __init__(self, registry: ToolRegistry, page: PageReader) -> None:
        self._registry = registry
        self._page = page
        self._before: dict[str, dict[str, float]] = {}

    def gate(self, call: dict[str, Any]) -> tuple[Gate, Tool | None]:
        """Registry + schema + CSS-value checks, without touching the page."""
        try:
            tool = self._registry.get(str(call.get("name")))
            arguments = self._registry.check_call(tool.name, call.get("arguments") or "{}")
        except ToolError as err:
            return Gate(False, str(err)), None
        return Gate(True, arguments=arguments), tool

    async def run(self, call: dict[str, Any]) -> Outcome:
        """Gate `call`; if allowed, run the page's tool and verify the DOM, in one evaluate."""
        gate, tool = self.gate(call)
        if tool is None or not gate.allowed:
            return Outcome(gate)
        arguments = gate.arguments
        checks = _style_checks(tool, arguments)
        props = [prop for _, prop, _ in checks]
        html = tool.behaviour.get("read") == "html"
        try:
            answer = await self._page.evaluate(RUN_AND_READ, json.dumps({
                "name": tool.name, "args": call.get("arguments") or "{}",
                "selector": tool.behaviour.get("target") if props else None, "props": props,
                "checks": [[prop, req] for _, prop, req in checks if req is not None],
                "html": html,
            }))
            read = json.loads(answer) if isinstance(answer, str) else answer
        except Exception as err:  # the page navigated, crashed or closed under the call
            reason = f"the bridge could not run the tool in the page: {err}"
            return Outcome(gate, {"ok": False, "error": reason}, Verification(False, {}, reason))
        if not isinstance(read, dict) or "missing" in read:
            reason = f"the page has no {read.get('missing') if isinstance(read, dict) else 'tools'}"
            return Outcome(gate, {"ok": False, "error": reason}, Verification(False, {}, reason))
        raw_result = read.get("result")
        result: dict[str, Any] = raw_result if isinstance(raw_result, dict) else {}
        if not result.get("ok"):
            return Outcome(gate, result)
        if html:
            return Outcome(gate, result, _compare_html(result, read.get("html") or ""))
        if not checks:
            return Outcome(gate, result, Verification(
                False, {}, f"the bridge has no check for tool {tool.name!r}"))
        after, expected = read.get("after"), read.get("expected") or {}
        if after is None:
            return Outcome(gate, result, Verification(
                False, {}, f"no element {tool.behaviour.get('target')!r}"))
        before = {prop: _px(value) for prop, value in (read.get("before") or {}).items()}
        styles = {prop: {"actual": after.get(prop, ""), "expected": expected.get(prop)}
                  for prop in props}
        return Outcome(gate, result, _compare_styles(tool, arguments, checks, styles, before))

    async def before(self, call: dict[str, Any]) -> Gate:
        gate, tool = self.gate(call)
        if tool is None or not gate.allowed:
            return gate
        arguments = gate.arguments
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
        checks = _style_checks(tool, arguments)
        styles = await self._read(tool, [(prop, req) for _, prop, req in checks])
        if styles is None:
            return Verification(False, {}, f"no element {tool.behaviour.get('target')!r}")
        return _compare_styles(tool, arguments, checks, styles, before)

    async def _verify_html(self, result: dict[str, Any]) -> Verification:
        return _compare_html(result, await self._page.evaluate(READ_HTML))


Check = tuple[str, str, str | None]  # (parameter, CSS property, requested value or None)


def _style_checks(tool: Tool, arguments: dict[str, Any]) -> list[Check]:
    """What to compare for each styled argument; None for a relative keyword (bigger...)."""
    checks: list[Check] = []
    style, relative = tool.style, tool.relative
    for param, value in arguments.items():
        prop = style.get(param)
        if prop is not None:
            checks.append((param, prop, None if value in relative.get(param, {}) else str(value)))
    return checks


def _compare_styles(
    tool: Tool,
    arguments: dict[str, Any],
    checks: list[Check],
    styles: dict[str, Any],
    before: dict[str, float],
) -> Verification:
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


def _compare_html(result: dict[str, Any], live: str) -> Verification:
    html = result.get("html")
    observed = {"length": len(live)}
    if not isinstance(html, str):
        return Verification(False, observed, "the tool returned no html")
    matches = live.startswith(html) if result.get("truncated") else live == html
    if not matches:
        return Verification(False, observed, "the returned HTML differs from the live DOM")
    return Verification(True, observed)


def _px(value: str) -> float:
    match = _NUMBER.match(value or "")
    return float(match.group()) if match else 0.0


def _moved(was: float, now: float, factor: float) -> bool:
    return now > was if factor > 1 else now < was


def _same(prop: str, actual: str, expected: str | None) -> bool:
    if expected is None:
        return False
    if "color" in prop:
        return same_color(actual, expected)
    if _PIXELS.fullmatch(actual.strip()) and _PIXELS.fullmatch(expected):
        return abs(_px(actual) - _px(expected)) < 0.01
    return actual.strip() == expected.strip()


def _camel(prop: str) -> str:
    head, *rest = prop.split("-")
    return head + "".join(word.capitalize() for word in rest)
