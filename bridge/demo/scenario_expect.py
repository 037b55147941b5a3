"""A scenario step's `expect`: what must hold after the step, checked with the file, line and
key of anything wrong.

    expect:
      tool: changeBackgroundColor     # called, run and verified in the DOM ...
      args: {color: blue}             # ... with these arguments (a subset, compared by meaning)
      dom: [{selector: body, style: {background-color: blue}}]   # then these checks hold
      within_ms: 3000                 # latency budget (below)
      agent_says: blue                # in what the agent said, ignoring case and punctuation
      timeout_s: 10                   # for all of it (default 10)

    expect: {no_tool: true, timeout_s: 3}    # nothing is called within the timeout
    expect: {interrupted: true}              # the agent's answer under way was cut off
    expect: {interrupted: {quiet_within_ms: 500}}   # ... with a looser bound on the quiet

`interrupted` holds when a response ended `cancelled` after the step started, the server's
`output_audio_buffer.cleared` came, and the agent's voice at the page (its media elements,
`browser.agent_voice`) went quiet within `INTERRUPTED_WITHIN_MS` of that, or within
`quiet_within_ms`: the voice a page has buffered still plays after the cut, and a loaded
machine buffers more.

`within_ms` bounds the step's latency from the end of the user's words (for `say` and `play`,
the end of the voiced audio played into the page; for `type`, when its
`conversation.item.create` was logged), on the event log's clock: to the expected call's
verification when the step expects a tool (tool latency); otherwise to the first agent voice
the page played after them (response latency: louder than −50 dBFS at the page's media
elements, `browser.agent_voice`; on a page where that cannot be heard, the agent's first answer
event on the channel).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..browser.checks import Check
from ..browser.tools import ToolRegistry
from ..documents import LocatedMap, finite_number
from ..errors import ScenarioError
from .scenario_dom import describe_check, read_dom

__all__ = ["DEFAULT_TIMEOUT_S", "EXPECT_KEYS", "INTERRUPTED_WITHIN_MS", "MAX_WAIT_S",
           "Expectation", "normalized", "read_expectation"]

DEFAULT_TIMEOUT_S = 10.0
MAX_WAIT_S = 600.0
EXPECT_KEYS = ("tool", "args", "dom", "no_tool", "agent_says", "within_ms", "interrupted",
               "timeout_s")
# How soon after `output_audio_buffer.cleared` the agent's voice must be quiet at the page.
INTERRUPTED_WITHIN_MS = 300.0
# What an expectation must name at least one of (`args` and `timeout_s` qualify the others).
_WHAT_KEYS = ("tool", "dom", "no_tool", "agent_says", "within_ms", "interrupted")
_WORDS = re.compile(r"[^\w\s]+")

Fail = Callable[[int | None, str], ScenarioError]


@dataclass(frozen=True)
class Expectation:
    """`tool` called, run and verified in the DOM, with `args` a subset of its arguments
    (colours and sizes compared after normalisation), or (`no_tool`) no call at all; then every
    check of `dom` holding; all within `timeout_s`. `agent_says` must be in what the agent said
    (`normalized`), and the step's latency at most `within_ms` (see the module's docstring)."""

    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = DEFAULT_TIMEOUT_S
    dom: tuple[Check, ...] = ()
    within_ms: float | None = None
    no_tool: bool = False
    agent_says: str | None = None
    interrupted: bool = False
    quiet_within_ms: float = INTERRUPTED_WITHIN_MS  # with `interrupted`: its bound

    def as_json(self) -> dict[str, Any]:
        return {"tool": self.tool, "args": dict(self.args), "timeout_s": self.timeout_s,
                "dom": [describe_check(check) for check in self.dom],
                "within_ms": self.within_ms, "no_tool": self.no_tool,
                "agent_says": self.agent_says, "interrupted": self.interrupted,
                "quiet_within_ms": self.quiet_within_ms if self.interrupted else None}

    def describe(self) -> str:
        """What the step waits for, in a few words: `changeTextColor {"color": "white"}, 1 DOM
        check and a call within 800 ms`."""
        wanted = []
        if self.tool is not None:
            wanted.append(f"{self.tool} {json.dumps(self.args)}" if self.args else self.tool)
        if self.no_tool:
            wanted.append("no tool call")
        if self.dom:
            wanted.append(f"{len(self.dom)} DOM check{'' if len(self.dom) == 1 else 's'}")
        if self.within_ms is not None:
            wanted.append(f"{'a call' if self.tool else 'an answer'} within {self.within_ms:g} ms")
        if self.agent_says is not None:
            wanted.append(f"the agent saying {json.dumps(self.agent_says)}")
        if self.interrupted:
            wanted.append("the agent's answer cut off")
        return " and ".join(wanted) if len(wanted) < 3 else (
            f"{', '.join(wanted[:-1])} and {wanted[-1]}")


def normalized(text: str) -> str:
    """`text` as `agent_says` compares it: lower case, no punctuation, single spaces."""
    return " ".join(_WORDS.sub(" ", text.lower()).split())


def read_expectation(raw: LocatedMap, *, where: str, kind: str, path: Path,
                     registry: ToolRegistry, user_page: bool, fail: Fail) -> Expectation:
    """The `expect` of step `raw` (`where` names it in errors: `step 2`), of kind `kind`;
    `user_page`: the tools are the page's own, so any name and arguments may be expected."""
    data = raw["expect"]
    if not isinstance(data, LocatedMap):
        raise fail(raw.key_lines.get("expect"), f"{where}: `expect` must be a mapping such as "
                   "{tool: changeBackgroundColor, args: {color: blue}}")
    for key in data:
        if key not in EXPECT_KEYS:
            raise fail(data.line_of(str(key)), f"unknown key `{key}` in {where}'s expect "
                       f"(allowed: {', '.join(EXPECT_KEYS)})")
    if not any(key in data for key in _WHAT_KEYS):
        raise fail(data.line, _needs(where, registry, user_page))
    tool, args, params = _expected_call(data, where, registry, user_page, fail)
    if kind == "wait" and tool is not None:
        raise fail(raw.key_lines.get("expect"), f"{where}: a wait step cannot expect a tool; "
                                                "put `expect` on the step that asks")
    dom: tuple[Check, ...] = ()
    if "dom" in data:
        dom = read_dom(data["dom"], path=path, where=f"{where}: expect.dom",
                       line=data.line_of("dom"), tool=tool, params=params, fail=fail)
    timeout = finite_number(data.get("timeout_s", DEFAULT_TIMEOUT_S))
    if timeout is None or not 0 < timeout <= MAX_WAIT_S:
        raise fail(data.line_of("timeout_s"), f"{where}: `timeout_s` must be a number of "
                                              f"seconds above 0 and at most {MAX_WAIT_S:g}")
    quiet_within_ms = _interrupted(data, where, kind, fail)
    return Expectation(tool=tool, args=args, timeout_s=timeout, dom=dom,
                       within_ms=_within_ms(data, where, kind, fail),
                       no_tool=_no_tool(data, where, tool, fail),
                       agent_says=_agent_says(data, where, fail),
                       interrupted=quiet_within_ms is not None,
                       quiet_within_ms=quiet_within_ms or INTERRUPTED_WITHIN_MS)


def _interrupted(data: LocatedMap, where: str, kind: str, fail: Fail) -> float | None:
    """The bound on the quiet after the cut, or None when `interrupted` is not expected."""
    if "interrupted" not in data:
        return None
    line = data.line_of("interrupted")
    value = data["interrupted"]
    if kind == "wait":
        raise fail(line, f"{where}: a wait step interrupts nothing; put `interrupted` on the "
                         "step that talks over the agent")
    if value is True:
        return INTERRUPTED_WITHIN_MS
    if isinstance(value, LocatedMap) and set(value) == {"quiet_within_ms"}:
        bound = finite_number(value["quiet_within_ms"])
        if bound is not None and 0 < bound <= MAX_WAIT_S * 1000:
            return bound
        raise fail(value.line_of("quiet_within_ms"), f"{where}: `quiet_within_ms` must be a "
                   f"number of milliseconds above 0 and at most {MAX_WAIT_S * 1000:g}")
    raise fail(line, f"{where}: `interrupted` must be true or {{quiet_within_ms: N}} (leave it "
                     "out otherwise)")


def _within_ms(data: LocatedMap, where: str, kind: str, fail: Fail) -> float | None:
    if "within_ms" not in data:
        return None
    line = data.line_of("within_ms")
    value = finite_number(data["within_ms"])
    if value is None or not 0 < value <= MAX_WAIT_S * 1000:
        raise fail(line, f"{where}: `within_ms` must be a number of milliseconds above 0 and "
                         f"at most {MAX_WAIT_S * 1000:g}")
    if kind == "wait":
        raise fail(line, f"{where}: `within_ms` counts from the end of the user's words, and a "
                         "wait step has none; put it on the step that asks")
    return value


def _no_tool(data: LocatedMap, where: str, tool: str | None, fail: Fail) -> bool:
    if "no_tool" not in data:
        return False
    line = data.line_of("no_tool")
    if data["no_tool"] is not True:
        raise fail(line, f"{where}: `no_tool` must be true (leave it out to allow calls)")
    if tool is not None:
        raise fail(line, f"{where}: `no_tool: true` and `tool: {tool}` contradict each other; "
                         "keep one")
    return True


def _agent_says(data: LocatedMap, where: str, fail: Fail) -> str | None:
    if "agent_says" not in data:
        return None
    value = data["agent_says"]
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not normalized(
            str(value)):
        raise fail(data.line_of("agent_says"), f"{where}: `agent_says` must be words the agent "
                   "says (compared ignoring case and punctuation)")
    return str(value).strip()


def _needs(where: str, registry: ToolRegistry, user_page: bool) -> str:
    known = "any tool of your page" if user_page else f"one of: {', '.join(registry.names)}"
    return (f"{where}: `expect` needs `tool` ({known}), `dom` (a list of checks), `no_tool`, "
            "`agent_says`, `within_ms` or `interrupted`")


def _expected_call(data: LocatedMap, where: str, registry: ToolRegistry, user_page: bool,
                   fail: Fail) -> tuple[str | None, dict[str, Any], list[str] | None]:
    """`tool` and `args` of an expectation, and the tool's arguments where they are known
    (None on a user's page, whose tools are its own)."""
    if "tool" not in data:
        if "args" in data:
            raise fail(data.line_of("args"), f"{where}: `args` needs `tool`, the call they "
                                             "belong to")
        return None, {}, None
    tool = data["tool"]
    if not isinstance(tool, str) or not tool.strip():
        raise fail(data.line_of("tool"), _needs(where, registry, user_page))
    tool = tool.strip()
    if not user_page and tool not in registry.names:
        raise fail(data.line_of("tool"), f"{where}: unknown tool `{tool}` (registered: "
                   f"{', '.join(registry.names)}; with `page:`, any tool of your page)")
    args = data.get("args", {})
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise fail(data.line_of("args"), f"{where}: `args` must be a mapping of argument names "
                                         "to values")
    if user_page:
        return tool, dict(args), None
    params = list((registry.get(tool).definition.get("parameters") or {}).get(
        "properties") or {})
    for key in args:
        if key not in params:
            takes = ", ".join(params) or "no arguments"
            line = (args.line_of(str(key)) if isinstance(args, LocatedMap)
                    else data.line_of("args"))
            raise fail(line, f"{where}: {tool} has no argument `{key}` (it takes: {takes})")
    return tool, dict(args), params
