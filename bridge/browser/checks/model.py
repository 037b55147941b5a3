"""Declared DOM checks: what a tool call must have done to the page, written by the page's author.

    tools:
      changeBackgroundColor:
        timeout_s: 2
        checks:
          - {selector: body, style: {background-color: "{color}"}}
      addTodo:
        checks:
          - {selector: "[data-testid=todo-item]", count_delta: 1}
          - {selector: "li:last-child", text: "{text}"}

A check is a Playwright `selector` and one kind: `style: {property: value}`, `text`,
`attribute: {name: value or null}`, `value`, `count`, `count_delta`, `visible`; or `{url: glob}`
alone. Strings may name the call's arguments (`templates`). A checks file is YAML or JSON; a
scenario step's `expect.dom` is a list of checks read by `parse_check_list`. Every error is a
`ScenarioError` naming the file, the line and the key (`checks.yaml:8:
tools.addTodo.checks[0].count_delta: must be a whole number ...`); list items count from 0.
`dom.DomChecker` runs them in the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

from ...documents import LocatedList, LocatedMap, finite_number, located_error, read_document
from ...errors import ScenarioError
from .templates import Template
from .urlglob import glob_regex

__all__ = ["DEFAULT_TIMEOUT_S", "KINDS", "MAX_TIMEOUT_S", "Check", "ChecksFile", "Kind",
           "ToolChecks", "load_checks", "parse_check_list", "parse_checks"]

Kind = Literal["style", "text", "attribute", "value", "count", "count_delta", "visible", "url"]
KINDS: tuple[Kind, ...] = get_args(Kind)
DEFAULT_TIMEOUT_S = 2.0
MAX_TIMEOUT_S = 600.0
_PROPERTY = re.compile(r"(--)?[A-Za-z][A-Za-z0-9-]*")
_ATTRIBUTE = re.compile(r"[^\s\"'>/=]+")


@dataclass(frozen=True)
class Check:
    """One comparison. `name` is the CSS property (`style`) or the attribute (`attribute`);
    `expected` is a template, a whole number (`count`, `count_delta`), a bool (`visible`) or
    None (an attribute that must be absent). `where` and `line` say where it was written."""

    kind: Kind
    selector: Template | None
    expected: Template | int | bool | None
    name: str | None = None
    where: str = "check"
    line: int | None = None

    @property
    def arguments(self) -> tuple[str, ...]:
        """The call's arguments this check names."""
        templates = [t for t in (self.selector, self.expected) if isinstance(t, Template)]
        return tuple(dict.fromkeys(name for t in templates for name in t.names))


@dataclass(frozen=True)
class ToolChecks:
    """A tool's checks and how long they may take to hold, in seconds."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class ChecksFile:
    """The checks of each tool, by tool name; `source` names the file."""

    source: str
    tools: Mapping[str, ToolChecks]

    def get(self, tool: str) -> ToolChecks | None:
        return self.tools.get(tool)


def load_checks(path: str | Path) -> ChecksFile:
    """Read and check a checks file (YAML, or JSON if it ends in .json); ScenarioError naming
    the file, the line and the key for anything wrong."""
    return parse_checks(read_document(path, what="checks"), source=str(path))


def parse_checks(data: Any, *, source: str = "checks") -> ChecksFile:
    """Check a checks document already read (a mapping with `tools`); lines come from a located
    document (`documents`), plain mappings give errors without them."""
    reader = _Reader(source)
    if not isinstance(data, Mapping):
        raise reader.fail(1, "", "a checks file is a mapping with `tools`, each tool a mapping "
                                 "with `checks` (and optionally `timeout_s`)")
    reader.unknown_keys(data, ("tools",), "")
    tools = data.get("tools")
    if not isinstance(tools, Mapping):
        raise reader.fail(_line(data, "tools"), "tools", "must be a mapping of tool names to "
                                                         "their checks")
    return ChecksFile(source, MappingProxyType({
        str(name): reader.tool(entry, f"tools.{name}", _line(tools, str(name)))
        for name, entry in tools.items()}))


def parse_check_list(data: Any, *, source: str, where: str = "expect.dom",
                     line: int | None = None) -> tuple[Check, ...]:
    """Check a list of checks (a scenario step's `expect.dom`); `where` is its key path in
    messages and `line` its line when the list itself carries none."""
    return _Reader(source).check_list(data, where, line)


def _line(data: Any, key: str | None = None) -> int | None:
    if not isinstance(data, LocatedMap):
        return None
    return data.line_of(key) if key is not None else data.line


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int | None, where: str, message: str) -> ScenarioError:
        return located_error(self.source, line, f"{where}: {message}" if where else message)

    def unknown_keys(self, data: Mapping[Any, Any], known: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in known:
                path = f"{where}.{key}" if where else str(key)
                raise self.fail(_line(data, str(key)), path,
                                f"unknown key (allowed: {', '.join(known)})")

    def tool(self, entry: Any, where: str, line: int | None) -> ToolChecks:
        if not isinstance(entry, Mapping):
            raise self.fail(line, where, "must be a mapping with `checks` (and optionally "
                                         "`timeout_s`)")
        self.unknown_keys(entry, ("timeout_s", "checks"), where)
        timeout = DEFAULT_TIMEOUT_S
        if "timeout_s" in entry:
            seconds = finite_number(entry["timeout_s"])
            if seconds is None or not 0 <= seconds <= MAX_TIMEOUT_S:
                raise self.fail(_line(entry, "timeout_s"), f"{where}.timeout_s", "must be a "
                                f"number of seconds from 0 to {MAX_TIMEOUT_S:g}, got "
                                f"{entry['timeout_s']!r}")
            timeout = seconds
        if "checks" not in entry:
            raise self.fail(line or _line(entry), where, "missing `checks`: a list of checks "
                                                         "(an empty list declares none)")
        checks = self.check_list(entry["checks"], f"{where}.checks", _line(entry, "checks"))
        return ToolChecks(timeout_s=timeout, checks=checks)

    def check_list(self, data: Any, where: str, line: int | None) -> tuple[Check, ...]:
        if not isinstance(data, list):
            raise self.fail(line, where, "must be a list of checks such as "
                                         "`- {selector: body, style: {color: \"{color}\"}}`")
        lines = data.item_lines if isinstance(data, LocatedList) else []
        checks: list[Check] = []
        for index, raw in enumerate(data):
            item_line = _line(raw) or (lines[index] if index < len(lines) else line)
            checks.extend(self.check(raw, f"{where}[{index}]", item_line))
        return tuple(checks)

    def check(self, raw: Any, where: str, line: int | None) -> list[Check]:
        if not isinstance(raw, Mapping):
            raise self.fail(line, where, "must be a mapping such as `{selector: body, style: "
                                         f"{{color: blue}}}}` (got {type(raw).__name__})")
        self.unknown_keys(raw, ("selector", *KINDS), where)
        kinds = [key for key in raw if key in KINDS]
        if len(kinds) != 1:
            found = f"it has {' and '.join(kinds)}" if kinds else "it has none"
            raise self.fail(_line(raw, kinds[1]) if kinds else line, where,
                            f"a check has exactly one of {', '.join(KINDS)}; {found}")
        kind: Kind = kinds[0]
        selector = self.selector(raw, kind, where)
        at = f"{where}.{kind}"
        value, value_line = raw[kind], _line(raw, kind)
        if kind in ("style", "attribute"):
            return self.named(kind, selector, value, at, value_line)
        expected = self.expected(kind, value, at, value_line)
        return [Check(kind, selector, expected, where=at, line=value_line)]

    def selector(self, raw: Mapping[str, Any], kind: Kind, where: str) -> Template | None:
        if kind == "url":
            if "selector" in raw:
                raise self.fail(_line(raw, "selector"), f"{where}.selector",
                                "a url check takes no selector")
            return None
        selector = raw.get("selector")
        line = _line(raw, "selector" if "selector" in raw else None)
        if not isinstance(selector, str) or not selector.strip():
            got = "none" if selector is None else repr(selector)
            raise self.fail(line, f"{where}.selector", f"must be a Playwright selector as a "
                                                       f"non-empty string (got {got})")
        return self.template(selector.strip(), f"{where}.selector", line)

    def named(self, kind: Kind, selector: Template | None, value: Any, where: str,
              line: int | None) -> list[Check]:
        pattern, noun = (_PROPERTY, "a CSS property") if kind == "style" else (
            _ATTRIBUTE, "an attribute name")
        if not isinstance(value, Mapping) or not value:
            raise self.fail(line, where, f"must be a mapping of {noun.split(' ', 1)[1]}s to "
                                         "values, such as "
                            + ("{background-color: \"{color}\"}" if kind == "style"
                               else "{aria-pressed: \"true\"}"))
        checks: list[Check] = []
        for name, expected in value.items():
            at, at_line = f"{where}.{name}", _line(value, str(name))
            if not isinstance(name, str) or not pattern.fullmatch(name):
                raise self.fail(at_line, at, f"{name!r} is not {noun}")
            if kind == "attribute" and expected is None:
                checks.append(Check(kind, selector, None, name, at, at_line))
                continue
            text = self.text(expected, at, at_line, null_ok=kind == "attribute")
            checks.append(Check(kind, selector, text, _kebab(name) if kind == "style" else name,
                                at, at_line))
        return checks

    def expected(self, kind: Kind, value: Any, where: str,
                 line: int | None) -> Template | int | bool:
        if kind in ("text", "value"):
            return self.text(value, where, line)
        if kind == "url":
            if not isinstance(value, str) or not value.strip():
                raise self.fail(line, where, "must be a URL glob such as \"**/cart\"")
            glob = self.template(value.strip(), where, line, glob=True)
            try:
                glob_regex(glob.text(dict.fromkeys(glob.names, "x")))
            except ValueError as err:
                raise self.fail(line, where, str(err)) from err
            return glob
        if isinstance(value, str):
            template = self.template(value, where, line)
            if template.whole is not None:
                return template
        if kind == "visible":
            if isinstance(value, bool):
                return value
            raise self.fail(line, where, "must be true or false (or one argument, \"{name}\")")
        if isinstance(value, int) and not isinstance(value, bool) and (
                kind == "count_delta" or value >= 0):
            return value
        lowest = "" if kind == "count_delta" else ", 0 or more"
        raise self.fail(line, where, f"must be a whole number{lowest} (or one argument, "
                                     f"\"{{name}}\"), got {value!r}")

    def text(self, value: Any, where: str, line: int | None, *, null_ok: bool = False) -> Template:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            also = ", or null for an absent attribute" if null_ok else ""
            raise self.fail(line, where, f"must be a string or a number{also} (got {value!r}; "
                                         "quote true/false/yes/no)")
        if isinstance(value, str):
            if not value:
                raise self.fail(line, where, "must not be empty")
            return self.template(value, where, line)
        return Template.literal(str(int(value)) if float(value).is_integer() else str(value))

    def template(self, text: str, where: str, line: int | None, *, glob: bool = False) -> Template:
        try:
            return Template.parse(text, glob=glob)
        except ValueError as err:
            raise self.fail(line, where, str(err)) from err


def _kebab(name: str) -> str:
    """`backgroundColor` → `background-color`; CSS names as they are, custom ones untouched."""
    if name.startswith("--"):
        return name
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()
