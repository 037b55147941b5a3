"""A scenario step's `expect.dom`: checks in the `--checks` format that must hold after the step,
in addition to the tool's own declared checks.

    - type: add buy milk to the list
      expect:
        tool: addTodo
        dom:
          - {selector: "[data-testid=todo-item]", count_delta: 1}
          - {selector: "[data-testid=todo-item] >> nth=-1", text: "{text}"}

`{name}` takes the expected call's argument, so a step without `tool` names none; a
`count_delta` counts from before the step acts, when the call's arguments are not known yet, so
its selector names none either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..browser.checks import Check, parse_check_list
from ..browser.checks.templates import Template
from ..errors import ScenarioError

__all__ = ["describe_check", "read_dom"]

Fail = Callable[[int | None, str], ScenarioError]


def read_dom(value: Any, *, path: Path, where: str, line: int | None, tool: str | None,
             params: Sequence[str] | None, fail: Fail) -> tuple[Check, ...]:
    """The checks of `expect.dom` (`where` names it in errors, e.g. `step 2: expect.dom`);
    `params` are the expected tool's arguments where they are known (None: any)."""
    checks = parse_check_list(value, source=str(path), where=where, line=line)
    if not checks:
        raise fail(line, f"{where}: must list at least one check")
    for check in checks:
        _check_arguments(check, tool=tool, params=params, fail=fail)
    return checks


def _check_arguments(check: Check, *, tool: str | None, params: Sequence[str] | None,
                     fail: Fail) -> None:
    names = check.arguments
    if not names:
        return
    named = ", ".join(f"`{{{name}}}`" for name in names)
    if tool is None:
        raise fail(check.line, f"{check.where}: {named} takes an argument of the expected call, "
                               "but the step expects no tool (add `tool:`)")
    if check.kind == "count_delta" and isinstance(check.selector, Template) and (
            check.selector.names):
        raise fail(check.line, f"{check.where}: a step's count_delta counts from before the "
                               "step acts, when the call's arguments are not known yet, so its "
                               f"selector cannot name one ({named})")
    unknown = [name for name in names if params is not None and name not in params]
    if unknown:
        takes = ", ".join(params or ()) or "no arguments"
        raise fail(check.line, f"{check.where}: {tool} has no argument `{unknown[0]}` (it takes: "
                               f"{takes})")


def describe_check(check: Check) -> str:
    """One line a person reads: `body background-color = {color}`, `li count +1`."""
    selector = check.selector.source if isinstance(check.selector, Template) else ""
    expected = check.expected
    shown = expected.source if isinstance(expected, Template) else expected
    if check.kind == "style":
        return f"{selector} {check.name} = {shown}"
    if check.kind == "attribute":
        return (f"{selector} has no {check.name}" if expected is None
                else f'{selector} [{check.name}="{shown}"]')
    if check.kind == "text":
        return f'{selector} text contains "{shown}"'
    if check.kind == "value":
        return f'{selector} value = "{shown}"'
    if check.kind == "count":
        return f"{selector} count = {shown}"
    if check.kind == "count_delta":
        return f"{selector} count {shown:+d}" if isinstance(shown, int) else (
            f"{selector} count + {shown}")
    if check.kind == "visible":
        return f"{selector} {'visible' if shown is True else 'hidden' if shown is False else shown}"
    return f"url matches {shown}"
