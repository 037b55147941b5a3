"""Checks files: what they declare, and errors that name the file, the line and the key."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import bridge.browser.checks.model as checks_module
from bridge.browser.checks.model import (
    DEFAULT_TIMEOUT_S,
    Check,
    ToolChecks,
    load_checks,
    parse_check_list,
    parse_checks,
)
from bridge.browser.checks.templates import Placeholder, Template
from bridge.documents import parse_document
from bridge.errors import ScenarioError


def _docstring_example() -> str:
    """The example at the top of the checks module's docstring (the issue's own)."""
    lines = (checks_module.__doc__ or "").splitlines()
    start = lines.index("    tools:")
    block = lines[start:lines.index("", start)]
    return textwrap.dedent("\n".join(block)) + "\n"


ISSUE_EXAMPLE = _docstring_example()


def _write(tmp_path: Path, text: str, name: str = "checks.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str, name: str = "checks.yaml") -> str:
    with pytest.raises(ScenarioError) as caught:
        load_checks(_write(tmp_path, text, name))
    return caught.value.message


def test_the_example_in_the_docstring_loads(tmp_path: Path) -> None:
    checks = load_checks(_write(tmp_path, ISSUE_EXAMPLE))
    assert list(checks.tools) == ["changeBackgroundColor", "addTodo"]
    background = checks.get("changeBackgroundColor")
    assert background == ToolChecks(2.0, (Check(
        "style", Template.parse("body"), Template("{color}", (Placeholder("color"),)),
        "background-color", "tools.changeBackgroundColor.checks[0].style.background-color", 5),))
    todo = checks.tools["addTodo"]
    assert todo.timeout_s == DEFAULT_TIMEOUT_S == 2.0
    assert [(c.kind, c.expected, c.line, c.where) for c in todo.checks] == [
        ("count_delta", 1, 8, "tools.addTodo.checks[0].count_delta"),
        ("text", Template.parse("{text}"), 9, "tools.addTodo.checks[1].text")]
    assert todo.checks[1].arguments == ("text",)
    assert checks.get("noSuchTool") is None


def test_json_gives_the_same_checks_with_its_own_lines(tmp_path: Path) -> None:
    text = json.dumps(parse_document(ISSUE_EXAMPLE, path="x.yaml"), indent=2)
    from_json = load_checks(_write(tmp_path, text, "checks.json"))
    kinds = [(c.kind, c.expected) for c in from_json.tools["addTodo"].checks]
    assert kinds == [("count_delta", 1), ("text", Template.parse("{text}"))]
    line = text.splitlines().index('          "count_delta": 1') + 1
    assert from_json.tools["addTodo"].checks[0].line == line


def test_every_kind_and_its_value(tmp_path: Path) -> None:
    checks = load_checks(_write(tmp_path, """\
tools:
  everything:
    timeout_s: 0
    checks:
      - selector: "#box"
        style: {backgroundColor: blue, opacity: 0.5, z-index: 3, --accent: "{c}"}
      - {selector: "a", attribute: {href: "/items/{id}", title: null}}
      - {selector: "input", value: 42}
      - {selector: "li", count: "{n}"}
      - {selector: "li", count: 0}
      - {selector: "li", count_delta: -1}
      - {selector: "#toast", visible: false}
      - {selector: "#toast", visible: "{shown}"}
      - {url: "**/items/{id}?tab={{a,b}}"}
      - {url: "**/{cart,checkout}"}
""")).tools["everything"]
    assert checks.timeout_s == 0.0
    summary = [(c.kind, c.name, c.expected if not isinstance(c.expected, Template)
                else c.expected.source, c.line) for c in checks.checks]
    assert summary == [
        ("style", "background-color", "blue", 6), ("style", "opacity", "0.5", 6),
        ("style", "z-index", "3", 6), ("style", "--accent", "{c}", 6),
        ("attribute", "href", "/items/{id}", 7), ("attribute", "title", None, 7),
        ("value", None, "42", 8), ("count", None, "{n}", 9), ("count", None, 0, 10),
        ("count_delta", None, -1, 11), ("visible", None, False, 12),
        ("visible", None, "{shown}", 13),
        ("url", None, "**/items/{id}?tab={{a,b}}", 14), ("url", None, "**/{cart,checkout}", 15)]
    assert checks.checks[0].where == "tools.everything.checks[0].style.backgroundColor"
    assert checks.checks[-1].expected == Template.parse("**/{cart,checkout}", glob=True)


def test_an_empty_list_declares_no_checks(tmp_path: Path) -> None:
    checks = load_checks(_write(tmp_path, "tools:\n  getPageHTML:\n    checks: []\n"))
    assert checks.tools["getPageHTML"] == ToolChecks(DEFAULT_TIMEOUT_S, ())


@pytest.mark.parametrize("text, line, key, message", [
    ("tools:\n  addTodo:\n    checks:\n      - {selector: li, count_delta: 1.5}\n", 4,
     "tools.addTodo.checks[0].count_delta", 'must be a whole number (or one argument, "{name}"),'
     " got 1.5"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, count: -1}\n", 4,
     "tools.a.checks[0].count", "must be a whole number, 0 or more"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, count: \"{n}x\"}\n", 4,
     "tools.a.checks[0].count", "must be a whole number"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, visible: yes please}\n", 4,
     "tools.a.checks[0].visible", "must be true or false"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, colour: red}\n", 4,
     "tools.a.checks[0].colour", "unknown key (allowed: selector, style, text, attribute, value,"
     " count, count_delta, visible, url)"),
    ("tools:\n  a:\n    checks:\n      - selector: li\n        text: x\n        count: 1\n", 6,
     "tools.a.checks[0]", "a check has exactly one of style, text, attribute, value, count, "
     "count_delta, visible, url; it has text and count"),
    ("tools:\n  a:\n    checks:\n      - {selector: li}\n", 4, "tools.a.checks[0]",
     "it has none"),
    ("tools:\n  a:\n    checks:\n      - {selector: 3, text: x}\n", 4,
     "tools.a.checks[0].selector", "must be a Playwright selector as a non-empty string (got 3)"),
    ("tools:\n  a:\n    checks:\n      - {text: x}\n", 4, "tools.a.checks[0].selector",
     "(got none)"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, url: '**'}\n", 4,
     "tools.a.checks[0].selector", "a url check takes no selector"),
    ("tools:\n  a:\n    checks:\n      - {url: '**/{a,{b,c}}'}\n", 4, "tools.a.checks[0].url",
     "unmatched `{` in '**/{a,{b,c}}'"),
    ("tools:\n  a:\n    checks:\n      - {url: '**/a}}b}'}\n", 4, "tools.a.checks[0].url",
     "unmatched `}`"),
    ("tools:\n  a:\n    checks:\n      - {url: ''}\n", 4, "tools.a.checks[0].url",
     "must be a URL glob"),
    ("tools:\n  a:\n    timeout_s: -1\n    checks: []\n", 3, "tools.a.timeout_s",
     "must be a number of seconds from 0 to 600, got -1"),
    ("tools:\n  a:\n    timeout_s: soon\n    checks: []\n", 3, "tools.a.timeout_s",
     "got 'soon'"),
    ("tools:\n  a:\n    timeout_s: 1\n", 2, "tools.a", "missing `checks`"),
    ("tools:\n  a:\n    checks: {selector: li}\n", 3, "tools.a.checks", "must be a list"),
    ("tools:\n  a:\n    checks: []\n    retries: 3\n", 4, "tools.a.retries",
     "unknown key (allowed: timeout_s, checks)"),
    ("tools:\n  a: [1]\n", 2, "tools.a", "must be a mapping with `checks`"),
    ("tools:\n  a:\n    checks:\n      - li\n", 4, "tools.a.checks[0]",
     "must be a mapping such as"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, style: {}}\n", 4,
     "tools.a.checks[0].style", "must be a mapping of CSS propertys to values"),
    ("tools:\n  a:\n    checks:\n      - selector: li\n        style:\n          'color;x': red\n",
     6, "tools.a.checks[0].style.color;x", "'color;x' is not a CSS property"),
    ("tools:\n  a:\n    checks:\n      - selector: li\n        style:\n          color: true\n",
     6, "tools.a.checks[0].style.color", "must be a string or a number (got True; quote"),
    ("tools:\n  a:\n    checks:\n      - {selector: a, attribute: {href: [1]}}\n", 4,
     "tools.a.checks[0].attribute.href", "or null for an absent attribute"),
    ("tools:\n  a:\n    checks:\n      - {selector: a, attribute: {'a b': x}}\n", 4,
     "tools.a.checks[0].attribute.a b", "'a b' is not an attribute name"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, text: ''}\n", 4,
     "tools.a.checks[0].text", "must not be empty"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, text: 'a {b'}\n", 4,
     "tools.a.checks[0].text", "unmatched `{` in 'a {b' (write `{{` for a literal brace)"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, text: 'a } b'}\n", 4,
     "tools.a.checks[0].text", "unmatched `}`"),
    ("tools:\n  a:\n    checks:\n      - {selector: 'li[x={a b}]', text: x}\n", 4,
     "tools.a.checks[0].selector", "`{a b}` in 'li[x={a b}]' is not an argument name"),
    ("tools:\n  a:\n    checks:\n      - {selector: li, text: '{a,b}'}\n", 4,
     "tools.a.checks[0].text", "is not an argument name"),
    ("tool:\n  a: {}\n", 1, "tool", "unknown key (allowed: tools)"),
    ("tools: [a]\n", 1, "tools", "must be a mapping of tool names"),
    ("- a\n", 1, "", "a checks file is a mapping with `tools`"),
])
def test_errors_name_the_file_the_line_and_the_key(
    tmp_path: Path, text: str, line: int, key: str, message: str
) -> None:
    error = _error(tmp_path, text)
    prefix = f"{tmp_path / 'checks.yaml'}:{line}: {key}: " if key else \
        f"{tmp_path / 'checks.yaml'}:{line}: "
    assert error.startswith(prefix), error
    assert message in error, error


def test_bad_files_say_so_with_a_line(tmp_path: Path) -> None:
    assert _error(tmp_path, "tools:\n  a: [\n").startswith(
        f"{tmp_path / 'checks.yaml'}:3: not valid YAML")
    assert _error(tmp_path, '{"tools": {\n "a": }}', "checks.json").startswith(
        f"{tmp_path / 'checks.json'}:2: not valid JSON")
    missing = tmp_path / "absent.yaml"
    with pytest.raises(ScenarioError, match="cannot read the checks file"):
        load_checks(missing)


def test_json_errors_carry_lines_too(tmp_path: Path) -> None:
    text = json.dumps({"tools": {"a": {"checks": [{"selector": "li", "count": "many"}]}}},
                      indent=2)
    error = _error(tmp_path, text, "checks.json")
    assert error.startswith(f"{tmp_path / 'checks.json'}:7: tools.a.checks[0].count: "), error


def test_plain_data_is_checked_without_lines() -> None:
    checks = parse_checks({"tools": {"a": {"checks": [{"selector": "li", "count": 2}]}}},
                          source="<handle>")
    assert checks.tools["a"].checks[0].line is None
    with pytest.raises(ScenarioError) as caught:
        parse_checks({"tools": {"a": {"checks": [{"selector": "li", "count": "x"}]}}},
                     source="<handle>")
    assert caught.value.message.startswith("<handle>: tools.a.checks[0].count: must be")


def test_a_step_list_reads_like_a_tool_list() -> None:
    document = parse_document("steps:\n  - type: add milk\n    expect:\n      dom:\n"
                              "        - {selector: li, text: milk}\n"
                              "        - {selector: li, count: x}\n", path="demo.yaml")
    dom = document["steps"][0]["expect"]["dom"]
    with pytest.raises(ScenarioError) as caught:
        parse_check_list(dom, source="demo.yaml", where="steps[0].expect.dom")
    assert caught.value.message.startswith("demo.yaml:6: steps[0].expect.dom[1].count: ")
    good = parse_check_list(dom[:1], source="demo.yaml", where="step 1 expect.dom", line=4)
    assert [(c.kind, c.where) for c in good] == [("text", "step 1 expect.dom[0].text")]
    with pytest.raises(ScenarioError, match=r"^demo.yaml:4: step 1 expect.dom: must be a list"):
        parse_check_list({"selector": "li"}, source="demo.yaml", where="step 1 expect.dom",
                         line=4)
