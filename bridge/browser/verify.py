"""DOM truth for each tool call: what the page should show, read back through Playwright.

The page's own report of what it did is never trusted: the verifier reads computed styles
itself, and resolves the requested value with a probe element of the same kind in the same
place, so `blue`, `#00f` and `rgb(0 0 255)` all compare equal to Chromium's `rgb(0, 0, 255)`.

`Verifier.run` gates a call, then one Playwright evaluate reads what the call will change,
runs the page's own tool and reads the DOM again, so a call costs one round trip to the page.
(There is no second, two-step path for pages that run tools themselves: the `tool_before` /
`tool_after` reports are gone; a page runs its tools through `window.rtcBridge.runTool`.)

Each run ends in a verdict (`events.verdicts`): `verified` or `not_verified` by the DOM,
or `unchecked` when the tool declares nothing to check (no `x-bridge` style or read, or a call
that sets none of its styles).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..css.lengths import computed_px
from ..css.values import same_computed
from ..errors import ToolError
from ..events.verdicts import Verdict, verified_of
from .tools import Tool, ToolRegistry

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


Check = tuple[str, str, str | None]  # (parameter, CSS property, requested value or None)


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
    verdict: Verdict
    observed: dict[str, Any]
    reason: str | None = None

    @property
    def verified(self) -> bool | None:
        return verified_of(self.verdict)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"verified": self.verified, "verdict": self.verdict,
                                "observed": self.observed}
        if self.reason:
            body["reason"] = self.reason
        return body


def _failed(reason: str) -> Verification:
    return Verification("not_verified", {}, reason)


@dataclass(frozen=True)
class ToolRun:
    """A call run by `Verifier.run`: refused (`gate`), or run with the page's `result` and,
    when the tool succeeded (or the page failed under it), its `verification`."""

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

    def gate(self, call: dict[str, Any]) -> tuple[Gate, Tool | None]:
        """Registry + schema + CSS-value checks, without touching the page."""
        try:
            tool = self._registry.get(str(call.get("name")))
            arguments = self._registry.check_call(tool.name, call.get("arguments") or "{}")
        except ToolError as err:
            return Gate(False, str(err)), None
        return Gate(True, arguments=arguments), tool

    async def run(self, call: dict[str, Any]) -> ToolRun:
        """Gate `call`; if allowed, run the page's tool and verify the DOM, in one evaluate."""
        gate, tool = self.gate(call)
        if tool is None or not gate.allowed:
            return ToolRun(gate)
        checks = _style_checks(tool, gate.arguments)
        props = [prop for _, prop, _ in checks]
        try:
            answer = await self._page.evaluate(RUN_AND_READ, json.dumps({
                "name": tool.name, "args": call.get("arguments") or "{}",
                "selector": tool.behaviour.get("target") if props else None, "props": props,
                "checks": [[prop, req] for _, prop, req in checks if req is not None],
                "html": _reads_html(tool),
            }))
            read = json.loads(answer) if isinstance(answer, str) else answer
        except Exception as err:  # the page navigated, crashed or closed under the call
            reason = f"the bridge could not run the tool in the page: {err}"
            return ToolRun(gate, {"ok": False, "error": reason}, _failed(reason))
        if not isinstance(read, dict) or "missing" in read:
            reason = f"the page has no {read.get('missing') if isinstance(read, dict) else 'tools'}"
            return ToolRun(gate, {"ok": False, "error": reason}, _failed(reason))
        raw_result = read.get("result")
        result: dict[str, Any] = raw_result if isinstance(raw_result, dict) else {}
        if not result.get("ok"):
            return ToolRun(gate, result)
        return ToolRun(gate, result, _judge(tool, gate.arguments, checks, read))


def _reads_html(tool: Tool) -> bool:
    return tool.behaviour.get("read") == "html"


def _judge(
    tool: Tool, arguments: dict[str, Any], checks: list[Check], read: dict[str, Any]
) -> Verification:
    """The verdict on a call that ran, from what the page read before and after it."""
    if _reads_html(tool):
        return _compare_html(read.get("result") or {}, read.get("html") or "")
    if not tool.style:
        return Verification("unchecked", {}, f"tool {tool.name!r} declares nothing for the "
                                              "bridge to check (no x-bridge style or read)")
    if not checks:
        return Verification("unchecked", {}, f"the call sets none of the styles the bridge "
                                              f"checks for {tool.name!r}")
    after, expected = read.get("after"), read.get("expected") or {}
    if after is None:
        return _failed(f"no element {tool.behaviour.get('target')!r}")
    before = {prop: computed_px(value) for prop, value in (read.get("before") or {}).items()}
    styles = {prop: {"actual": after.get(prop, ""), "expected": expected.get(prop)}
              for _, prop, _ in checks}
    return _compare_styles(tool, arguments, checks, styles, before)


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
    before: dict[str, float | None],
) -> Verification:
    observed: dict[str, Any] = {}
    failures: list[str] = []
    for param, prop, requested in checks:
        actual = styles[prop]["actual"]
        observed[_camel(prop)] = actual
        if requested is None:
            factor = tool.relative[param][arguments[param]]
            was, now = before.get(prop), computed_px(actual)
            if was is None or now is None or not _moved(was, now, factor):
                failures.append(f"{prop} went from {was}px to {now}px, expected "
                                f"{'larger' if factor > 1 else 'smaller'}")
            else:
                observed[_camel(prop) + "Before"] = f"{was:g}px"
        elif not _same(actual, styles[prop]["expected"]):
            failures.append(f"{prop} is {actual}, expected {styles[prop]['expected']} "
                            f"({requested})")
    if failures:
        return Verification("not_verified", observed, "; ".join(failures))
    return Verification("verified", observed)


def _compare_html(result: dict[str, Any], live: str) -> Verification:
    html = result.get("html")
    observed = {"length": len(live)}
    if not isinstance(html, str):
        return Verification("not_verified", observed, "the tool returned no html")
    matches = live.startswith(html) if result.get("truncated") else live == html
    if not matches:
        return Verification("not_verified", observed,
                            "the returned HTML differs from the live DOM")
    return Verification("verified", observed)


def _moved(was: float, now: float, factor: float) -> bool:
    return now > was if factor > 1 else now < was


def _same(actual: str, expected: str | None) -> bool:
    return expected is not None and same_computed(actual, expected)


def _camel(prop: str) -> str:
    head, *rest = prop.split("-")
    return head + "".join(word.capitalize() for word in rest)
