"""A scenario's own page (`page:`, `start:`, `checks:`) and a step's `expect.dom`: what they
read as, what they change in the demo's Settings, and errors naming the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import Settings
from bridge.demo.scenario import Expectation, load_scenario
from bridge.demo.scenario_page import ScenarioPage
from bridge.errors import ScenarioError

URL = "http://127.0.0.1:5173/app/"

ON_A_USER_PAGE = """\
name: my page
page: site/
start: "#connect"
checks:
  tools:
    addTodo:
      timeout_s: 3
      checks:
        - {selector: "[data-testid=todo-item]", count_delta: 1}
steps:
  - type: add buy milk to the list
    expect:
      tool: addTodo
      args: {text: buy milk, anything: 3}
      dom:
        - {selector: "[data-testid=todo-item] >> nth=-1", text: "{text}"}
        - {selector: "[data-testid=todo-item]", count_delta: 1}
  - say: show the dark theme
    expect:
      dom:
        - {selector: body, attribute: {class: dark}}
      timeout_s: 4
  - wait: 1
    expect: {dom: [{url: "**/app/"}]}
"""


def _write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>app</title>", encoding="utf-8")
    (site / "other.html").write_text("<!doctype html>", encoding="utf-8")
    (site / "notes.txt").write_text("not a page", encoding="utf-8")
    (tmp_path / "checks.yaml").write_text(
        "tools:\n  setTheme:\n    checks:\n      - {selector: body, attribute: {class: "
        "\"{theme}\"}}\n", encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_user_page_with_inline_checks_and_dom_expectations(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, ON_A_USER_PAGE))
    page = scenario.page
    assert page.location == str((tmp_path / "site").resolve()) and page.start == "#connect"
    assert page.checks_file is None and page.inline_checks is page.checks
    assert page.checks is not None and page.checks.source == str(tmp_path / "scenario.yaml")
    add = page.checks.get("addTodo")
    assert add is not None and add.timeout_s == 3 and add.checks[0].kind == "count_delta"
    typed, said, waited = scenario.steps
    # The page's tools are its own: any tool name, any arguments.
    assert typed.expect is not None and typed.expect.tool == "addTodo"
    assert typed.expect.args == {"text": "buy milk", "anything": 3}
    assert [c.kind for c in typed.expect.dom] == ["text", "count_delta"]
    assert typed.expect.dom[0].line == 16 and typed.expect.dom[0].where == (
        "step 1: expect.dom[0].text")
    assert typed.expect.as_json()["dom"] == [
        '[data-testid=todo-item] >> nth=-1 text contains "{text}"',
        "[data-testid=todo-item] count +1"]
    # A step may expect DOM checks alone, a wait step too.
    assert said.expect == Expectation(None, {}, 4.0, said.expect.dom if said.expect else ())
    assert said.expect is not None and said.expect.as_json()["dom"] == ['body [class="dark"]']
    assert waited.expect is not None and waited.expect.as_json()["dom"] == [
        "url matches **/app/"]


@pytest.mark.parametrize("page, location", [
    (URL, URL),
    ("https://example.test/voice", "https://example.test/voice"),
    ("site/other.html", "site/other.html"),
    ("./site", "site"),
])
def test_page_is_a_url_or_a_path_relative_to_the_scenario(tmp_path: Path, page: str,
                                                          location: str) -> None:
    scenario = load_scenario(_write(tmp_path, f"page: {page}\nsteps:\n  - type: hi\n"))
    expected = location if "://" in location else str((tmp_path / location).resolve())
    assert scenario.page.location == expected


def test_checks_from_a_file_relative_to_the_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, f"page: {URL}\nchecks: checks.yaml\n"
                                              "steps:\n  - type: hi\n"))
    assert scenario.page.checks_file == (tmp_path / "checks.yaml").resolve()
    assert scenario.page.inline_checks is None
    assert scenario.page.checks is not None and list(scenario.page.checks.tools) == ["setTheme"]


def test_the_scenario_wins_over_the_environment(tmp_path: Path) -> None:
    env = {"BRIDGE_PAGE": str(tmp_path), "BRIDGE_START": "#go",
           "BRIDGE_CHECKS": str(_write(tmp_path, "", "env-checks.yaml"))}
    settings = Settings.from_env(env)
    inline = load_scenario(_write(tmp_path, ON_A_USER_PAGE)).page.settings_for(settings)
    assert inline.page == str((tmp_path / "site").resolve())
    assert inline.start_selector == "#connect" and inline.checks_path is None
    from_file = ScenarioPage(URL, checks=load_scenario(_write(
        tmp_path, f"page: {URL}\nchecks: checks.yaml\nsteps:\n  - type: hi\n")).page.checks,
        checks_file=tmp_path / "checks.yaml").settings_for(settings)
    assert from_file.checks_path == tmp_path / "checks.yaml"
    # What the scenario leaves out comes from the environment.
    only_page = ScenarioPage(URL).settings_for(settings)
    assert only_page.page == URL and only_page.start_selector == "#go"
    assert only_page.checks_path == tmp_path / "env-checks.yaml"
    assert ScenarioPage().settings_for(settings) == settings


def test_a_page_named_by_the_environment_makes_any_tool_and_start_acceptable(
    tmp_path: Path
) -> None:
    text = "start: '#go'\nchecks: checks.yaml\nsteps:\n  - type: hi\n    expect: {tool: addTodo}\n"
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError, match=r"scenario\.yaml:1: `start` needs `page`"):
        load_scenario(path)
    scenario = load_scenario(path, user_page=True)
    assert scenario.page.location is None and scenario.page.start == "#go"
    assert scenario.steps[0].expect is not None and scenario.steps[0].expect.tool == "addTodo"


def test_without_a_page_tools_are_still_the_bridges_own(tmp_path: Path) -> None:
    path = _write(tmp_path, "steps:\n  - type: hi\n    expect: {tool: addTodo}\n")
    with pytest.raises(ScenarioError, match=r":3: step 1: unknown tool `addTodo` \(registered: "
                                            r".*with `page:`, any tool of your page\)"):
        load_scenario(path)


STEP = "steps:\n  - type: hi\n"
PAGE = f"page: {URL}\n"


@pytest.mark.parametrize("text, line, message", [
    ("page: 3\n" + STEP, 1, "`page` must be an http(s) URL, or a path relative to the "
                            "scenario file"),
    ("page: ''\n" + STEP, 1, "`page` must be an http(s) URL"),
    ("page: ftp://example.test/a\n" + STEP, 1, "`page` must be an http(s) URL or a path, not "
                                               "a ftp: URL"),
    ("page: http://\n" + STEP, 1, "`page` 'http://' has no host"),
    ("name: x\npage: nowhere/\n" + STEP, 2, "`page` 'nowhere/': no such file or folder"),
    ("page: .\n" + STEP, 1, "`page` '.' is a folder with no index.html"),
    ("page: site/notes.txt\n" + STEP, 1, "`page` 'site/notes.txt' is not an HTML file"),
    (PAGE + "start: ''\n" + STEP, 2, "`start` must be a Playwright selector"),
    ("start: '#go'\n" + STEP, 1, "`start` needs `page`: the bridge's own page connects by "
                                 "itself"),
    ("checks: checks.yaml\n" + STEP, 1, "`checks` needs `page`: the bridge's own page "
                                        "verifies its tools itself"),
    (PAGE + "checks: missing.yaml\n" + STEP, 2, "`checks`: no such checks file 'missing.yaml'"),
    (PAGE + "checks: [1]\n" + STEP, 2, "`checks` must be a checks file"),
    (PAGE + "checks:\n  tools:\n    addTodo:\n      checks:\n        - {selector: li, "
            "count_delta: many}\n" + STEP, 6, "tools.addTodo.checks[0].count_delta: must be a "
                                              "whole number"),
    (PAGE + "checks:\n  tool: {}\n" + STEP, 3, "tool: unknown key (allowed: tools)"),
    (PAGE + STEP + "    expect: {dom: body}\n", 4, "step 1: expect.dom: must be a list of "
                                                   "checks"),
    (PAGE + STEP + "    expect: {dom: []}\n", 4, "step 1: expect.dom: must list at least one"),
    (PAGE + STEP + "    expect:\n      dom:\n        - {selector: li, count: -1}\n", 6,
     "step 1: expect.dom[0].count: must be a whole number, 0 or more"),
    (PAGE + STEP + "    expect:\n      dom:\n        - {selector: li}\n", 6,
     "step 1: expect.dom[0]: a check has exactly one of style, text"),
    (PAGE + STEP + "    expect:\n      dom:\n        - selector: body\n          style:\n"
                   "            color: '{color}'\n", 8,
     "step 1: expect.dom[0].style.color: `{color}` takes an argument of the expected call, "
     "but the step expects no tool (add `tool:`)"),
    (PAGE + STEP + "    expect:\n      tool: addTodo\n      dom:\n        - selector: "
                   "'li:has-text(\"{text}\")'\n          count_delta: 1\n", 8,
     "step 1: expect.dom[0].count_delta: a step's count_delta counts from before the step "
     "acts"),
    (STEP + "    expect:\n      tool: changeTextColor\n      dom:\n        - {selector: body, "
            "style: {color: '{colour}'}}\n", 6,
     "step 1: expect.dom[0].style.color: changeTextColor has no argument `colour` (it takes: "
     "color)"),
    (PAGE + STEP + "    expect: {args: {text: x}, dom: [{selector: li, count: 1}]}\n", 4,
     "step 1: `args` needs `tool`"),
    (PAGE + STEP + "    expect: {timeout_s: 3}\n", 4, "step 1: `expect` needs `tool` (any tool "
                                                      "of your page), `dom`"),
    (PAGE + STEP + "    expect: {tool: ''}\n", 4, "step 1: `expect` needs `tool`"),
    (PAGE + "steps:\n  - wait: 1\n    expect: {tool: addTodo}\n", 4,
     "a wait step cannot expect a tool"),
])
def test_errors_name_the_file_the_line_and_the_key(tmp_path: Path, text: str, line: int,
                                                   message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(f"{path}:{line}: "), raised.value
    assert message in str(raised.value)


def test_an_error_in_a_checks_file_names_that_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad-checks.yaml"
    bad.write_text("tools:\n  addTodo:\n    timeout_s: -1\n    checks: []\n", encoding="utf-8")
    path = _write(tmp_path, PAGE + "checks: bad-checks.yaml\n" + STEP)
    with pytest.raises(ScenarioError, match=rf"^{bad}:3: tools\.addTodo\.timeout_s: must be a "
                                            "number of seconds"):
        load_scenario(path)
