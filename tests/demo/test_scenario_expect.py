"""A step's `expect` keys beside `tool`, `args` and `dom`: `no_tool`, `agent_says` and
`within_ms`, read into the Expectation, and errors that name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.demo.scenario import load_scenario, parse_scenario
from bridge.demo.scenario_expect import Expectation, normalized
from bridge.errors import ScenarioError

GOOD = """\
name: expectations
steps:
  - type: make the text white
    expect: {tool: changeTextColor, args: {color: white}, within_ms: 800}
  - say: hello there
    expect:
      no_tool: true
      agent_says: "I did not catch that"
      within_ms: 1500
      timeout_s: 2
  - wait: 1
    expect: {agent_says: done}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "checks.voice.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_new_keys_are_read(tmp_path: Path) -> None:
    typed, said, waited = load_scenario(_write(tmp_path, GOOD)).steps
    assert typed.expect == Expectation("changeTextColor", {"color": "white"}, within_ms=800)
    assert said.expect == Expectation(None, timeout_s=2, within_ms=1500, no_tool=True,
                                      agent_says="I did not catch that")
    assert waited.expect == Expectation(None, agent_says="done")
    assert said.expect.as_json()["no_tool"] is True
    assert said.expect.describe() == ('no tool call, an answer within 1500 ms and the agent '
                                      'saying "I did not catch that"')
    assert typed.expect is not None
    assert typed.expect.describe() == ('changeTextColor {"color": "white"} and a call within '
                                       '800 ms')


@pytest.mark.parametrize(("expect", "line", "message"), [
    ("{no_tool: false}", 4, "step 1: `no_tool` must be true"),
    ("{no_tool: true, tool: changeTextColor}", 4,
     "`no_tool: true` and `tool: changeTextColor` contradict each other"),
    ("{tool: changeTextColor, within_ms: 0}", 4, "`within_ms` must be a number of milliseconds"),
    ("{tool: changeTextColor, within_ms: fast}", 4, "`within_ms` must be a number"),
    ("{agent_says: ''}", 4, "`agent_says` must be words the agent says"),
    ("{agent_says: '?!'}", 4, "`agent_says` must be words"),
    ("{agent_says: [a, b]}", 4, "`agent_says` must be words"),
    ("{timeout_s: 3}", 4, "`expect` needs `tool` (one of: "),
    ("{args: {color: red}, no_tool: true}", 4, "`args` needs `tool`"),
    ("{agent_says: hi, within: 3}", 4, "unknown key `within` in step 1's expect"),
    ("\n      no_tool: true\n      within_ms: -5", 6, "`within_ms` must be a number"),
    ("{interrupted: {quiet_within_ms: 0}}", 4, "`quiet_within_ms` must be a number of "
                                               "milliseconds above 0"),
    ("\n      interrupted:\n        quiet_within_ms: soon", 6, "`quiet_within_ms` must be"),
    ("{interrupted: {quiet_ms: 500}}", 4, "`interrupted` must be true or {quiet_within_ms: N}"),
])
def test_errors_name_the_file_the_line_and_the_key(tmp_path: Path, expect: str, line: int,
                                                   message: str) -> None:
    path = _write(tmp_path, f"name: x\nsteps:\n  - type: hi\n    expect: {expect}\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(f"{path}:{line}: "), raised.value
    assert message in str(raised.value)


def test_interrupted_takes_a_bound_on_the_quiet(tmp_path: Path) -> None:
    text = ("steps:\n  - say: stop\n    expect: {interrupted: true}\n"
            "  - say: stop\n    expect: {interrupted: {quiet_within_ms: 750}}\n")
    plain, loose = parse_scenario(text, path=tmp_path / "x.voice.yaml").steps
    assert plain.expect == Expectation(None, interrupted=True, quiet_within_ms=300)
    assert loose.expect == Expectation(None, interrupted=True, quiet_within_ms=750)
    assert loose.expect.as_json()["quiet_within_ms"] == 750
    assert Expectation(None, agent_says="x").as_json()["quiet_within_ms"] is None


def test_a_wait_step_has_no_words_to_time() -> None:
    with pytest.raises(ScenarioError, match=r"x.voice.yaml:3: step 1: `within_ms` counts from the "
                                            r"end of the user's words, and a wait step has none"):
        parse_scenario("steps:\n  - wait: 1\n    expect: {no_tool: true, within_ms: 100}\n",
                       path=Path("x.voice.yaml"))


def test_agent_says_is_compared_without_case_or_punctuation() -> None:
    assert normalized("  Done!  I've ADDED milk.\n") == "done i ve added milk"
    assert normalized("I've added milk") in normalized("Done! I've ADDED milk.")
