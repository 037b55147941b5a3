"""Scenario files as a user's tests: a temporary project with a `*.voice.yaml` next to its tests,
run under plain `pytest --junitxml` in a fresh process, the `rtc_bridge` plugins loaded from
their entry points as in a user's project.

The passing project's conftest points `bridge_settings` at the seed-style page (which never asks
for an answer to a tool's output, so steps end quickly); the scenario adds the checks. The
failing one names its page itself and expects a call its words do not ask for.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.e2e

SEED_PAGE = Path(__file__).resolve().parent / "user_pages" / "seed"

CONFTEST = '''
from pathlib import Path

import pytest

from bridge.config import Settings


@pytest.fixture(scope="module")
def bridge_settings():
    page = Path(__file__).parent / "page"
    return Settings.from_env(port=0, headless=True, upstream="local", page=str(page),
                             start_selector="#toggle")
'''
# Ten lines: the page comes from the conftest; "#state" reads "connected" on that page only.
PASSING = """\
name: background by voice page
checks:
  tools:
    changeBackgroundColor: {checks: [{selector: body, style: {background-color: "{color}"}}]}
steps:
  - type: make the background blue
    expect:
      tool: changeBackgroundColor
      args: {color: blue}
      dom: [{selector: "#state", text: connected}]
"""
FAILING = """\
name: failing on purpose
page: page/
start: "#toggle"
checks: {tools: {changeBackgroundColor: {checks: [{selector: body, style: {background-color: "{color}"}}]}}}
steps:
  - type: make the background blue
    expect: {tool: changeBackgroundColor, args: {color: blue}}
  - type: make the text white
    expect: {tool: changeBackgroundColor, timeout_s: 1}
"""
PLAIN_TEST = "def test_beside_the_scenario():\n    assert True\n"


def _project(pytester: pytest.Pytester, scenario: str, *, conftest: str | None = None) -> None:
    page = pytester.mkdir("page")
    for name in ("index.html", "app.js"):
        (page / name).write_text((SEED_PAGE / name).read_text(encoding="utf-8"), encoding="utf-8")
    (pytester.path / "page.voice.yaml").write_text(scenario, encoding="utf-8")
    pytester.makepyfile(test_plain=PLAIN_TEST)
    if conftest is not None:
        pytester.makeconftest(conftest)


def _testcases(path: Path) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in ET.parse(path).getroot().iter("testcase")}


def test_a_scenario_next_to_a_users_tests_passes_with_junit(pytester: pytest.Pytester) -> None:
    _project(pytester, PASSING, conftest=CONFTEST)
    assert len(PASSING.splitlines()) == 10
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml",
                                           timeout=180)
    result.assert_outcomes(passed=2)
    case = _testcases(pytester.path / "junit.xml")["background by voice page"]
    assert case.get("classname") == "page.voice.yaml" and case.find("failure") is None
    out = case.findtext("system-out") or ""
    assert out.startswith('step 1 of 1 (line 6) type "make the background blue": passed, tool '
                          "latency "), out


def test_a_failing_step_fails_its_testcase_naming_the_step(pytester: pytest.Pytester) -> None:
    _project(pytester, FAILING)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml",
                                           timeout=180)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Captured voice steps call*",
                                 '*step 2 of 2 (line 8) type "make the text white": FAILED*'])
    cases = _testcases(pytester.path / "junit.xml")
    assert set(cases) == {"failing on purpose", "test_beside_the_scenario"}
    failure = cases["failing on purpose"].find("failure")
    assert failure is not None
    message = failure.get("message", "")
    head, step, expected, seen, calls = message.splitlines()[:5]
    assert head == 'scenario "failing on purpose" (page.voice.yaml): 1 of 2 steps failed'
    assert step == 'step 2 of 2 (line 8), type "make the text white":'
    assert expected == "  expected: changeBackgroundColor within 1 s"
    assert seen.startswith("  seen: no verified call of changeBackgroundColor within 1 s; the "
                           "agent called changeTextColor {"), seen
    assert calls.startswith("  calls: changeTextColor {"), calls
    lines = (cases["failing on purpose"].findtext("system-out") or "").splitlines()
    assert [line.split(":")[0] for line in lines] == [
        'step 1 of 2 (line 6) type "make the background blue"',
        'step 2 of 2 (line 8) type "make the text white"']
    assert "passed" in lines[0] and "FAILED: no verified call" in lines[1]


def test_bad_scenario_files_fail_with_their_line_and_key(pytester: pytest.Pytester) -> None:
    """A file that cannot be read fails collection; a tool the page does not have (known once
    the settings are) fails the test before any bridge starts."""
    pytester.makefile(".voice.yml", broken="steps:\n  - type: hi\n    expect: {within_ms: soon}\n")
    pytester.makefile(".voice.yaml", unknown="steps:\n  - type: hi\n    expect: {tool: nope}\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           "--continue-on-collection-errors", timeout=60)
    result.assert_outcomes(errors=1, failed=1)
    result.stdout.fnmatch_lines(["*broken.voice.yml:3: step 1: `within_ms` must be a number*"])
    result.stdout.fnmatch_lines(["*unknown.voice.yaml:3: step 1: unknown tool `nope`*"])


REPEATED = """\
name: repeated
repeat: 2
min_pass_rate: 0.5
checks:
  tools:
    changeBackgroundColor: {checks: [{selector: body, style: {background-color: "{color}"}}]}
steps:
  - type: make the background blue
    expect: {tool: changeBackgroundColor, args: {color: blue}}
"""


def test_a_repeated_scenario_is_one_testcase_with_its_pass_rate_and_latencies(
        pytester: pytest.Pytester) -> None:
    _project(pytester, REPEATED, conftest=CONFTEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml",
                                           "--voice-repeat", "3", timeout=180)
    result.assert_outcomes(passed=2)
    lines = (_testcases(pytester.path / "junit.xml")["repeated"].findtext("system-out")
             or "").splitlines()
    assert lines[0] == "3 of 3 runs passed (100%; at least 50% needed)"
    assert lines[1].startswith('step 1 of 1, type "make the background blue": held in 3 of 3 '
                               "runs; tool latency p50 "), lines
    assert lines[1].endswith(" ms over 3 runs") and "p95" not in lines[1]
    bad = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--voice-repeat", "0",
                                        timeout=60)
    bad.stderr.fnmatch_lines(["*--voice-repeat*a number of runs from 1 to 1000, not '0'*"])
