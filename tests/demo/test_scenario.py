"""Scenario files: what runs, and errors that name the file, line and key before anything starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.audio import Impairments
from bridge.demo.scenario import DEFAULT_TIMEOUT_S, Expectation, load_scenario
from bridge.errors import ScenarioError

SHIPPED = Path(__file__).resolve().parents[2] / "scripts" / "demo-scenario.yaml"

GOOD = """\
name: seed tools
voice: en-us                       # default voice for say steps
steps:
  - say: change the background color to blue
    expect: {tool: changeBackgroundColor, args: {color: blue}}
  - type: make the text white      # a typed user message
    expect: {tool: changeTextColor}
  - play: utterance.wav            # relative to the scenario file
    expect: {tool: changeButtonStyle, timeout_s: 10}
  - say: make the button bigger
    voice: flite:slt
  - wait: 1.5
"""


def _write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (tmp_path / "utterance.wav").write_bytes(b"RIFF")
    return path


def test_the_issue_example_parses(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, GOOD))
    assert scenario.name == "seed tools" and scenario.voice == "en-us"
    kinds = [(s.index, s.kind, s.line) for s in scenario.steps]
    assert kinds == [(1, "say", 4), (2, "type", 6), (3, "play", 8), (4, "say", 10),
                     (5, "wait", 12)]
    first, _, play, fourth, wait = scenario.steps
    assert first.expect == Expectation("changeBackgroundColor", {"color": "blue"},
                                       DEFAULT_TIMEOUT_S)
    assert play.path == (tmp_path / "utterance.wav").resolve()
    assert fourth.voice == "flite:slt" and fourth.expect is None
    assert wait.seconds == 1.5


def test_a_say_or_play_step_may_impair_its_speech(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, """\
steps:
  - say: make the text white
    noise: {kind: pink, snr_db: 20}
    speed: 1.15
  - play: utterance.wav
    reverb: true
    volume_db: -6
"""))
    said, played = scenario.steps
    assert said.impair == Impairments(noise="pink", snr_db=20, speed=1.15)
    assert said.describe() == 'say "make the text white" (tempo 1.15, pink noise 20 dB)'
    assert played.impair == Impairments(reverb_rt60_s=0.4, gain_db=-6)


def test_json_works_too(tmp_path: Path) -> None:
    data = {"name": "j", "steps": [{"type": "make the text white",
                                    "expect": {"tool": "changeTextColor",
                                               "args": {"color": "#fff"}}}]}
    scenario = load_scenario(_write(tmp_path, json.dumps(data, indent=2), "s.json"))
    assert scenario.steps[0].expect == Expectation("changeTextColor", {"color": "#fff"})


def test_the_shipped_scenario_covers_the_four_tools_spoken_and_typed() -> None:
    scenario = load_scenario(SHIPPED)
    tools = {s.expect.tool for s in scenario.steps if s.expect}
    assert tools == {"changeBackgroundColor", "changeTextColor", "changeButtonStyle",
                     "getPageHTML"}
    assert {s.kind for s in scenario.steps} == {"say", "type"}


@pytest.mark.parametrize("text, where, message", [
    ("steps:\n  - say: hi\n    expct: {tool: getPageHTML}\n", 3,
     "unknown key `expct` in step 1 (allowed: say, expect, voice, when, noise, speed, "
     "pitch_cents, reverb, volume_db, seed)"),
    ("steps:\n  - say: hi\n    when: {agent_speaking_ms: -5}\n", 3,
     "step 1: `when` must be {agent_speaking_ms: N}, N from 0 to 60000 ms"),
    ("steps:\n  - say: hi\n    when: soon\n", 3, "step 1: `when` must be"),
    ("steps:\n  - wait: 1\n    when: {agent_speaking_ms: 500}\n", 3,
     "`when` starts a say, play or type step over the agent, not a wait"),
    ("steps:\n  - say: hi\n    expect: {interrupted: yes please}\n", 3,
     "step 1: `interrupted` must be true"),
    ("steps:\n  - type: hi\n    noise: {kind: pink, snr_db: 10}\n", 3,
     "step 1: `noise` applies to say and play steps only, not type"),
    ("steps:\n  - say: hi\n    speed: 1.1\n    noise: {kind: brown, snr_db: 10}\n", 4,
     "step 1.noise.kind"),
    ("steps:\n  - say: hi\n    volume_db: loud\n", 3, "step 1.volume_db"),
    ("name: x\nstep:\n  - say: hi\n", 2, "unknown key `step` in the top level"),
    ("name: x\n", 1, "missing `steps`"),
    ("steps: []\n", 1, "`steps` must be a non-empty list"),
    ("steps:\n  - say: hi\n    type: hello\n", 2, "step 1 needs exactly one of say, type, play,"
     " wait; it has say, type"),
    ("steps:\n  - shout: hi\n", 2, "step 1 needs exactly one of say, type, play, wait; it has "
     "none"),
    ("steps:\n  - say: hi\n  - hello\n", 3, "step 2 must be a mapping"),
    ("steps:\n  - say: ''\n", 2, "step 1: `say` needs the words to say"),
    ("steps:\n  - type: hi\n  - play: missing.wav\n", 3, "step 2: no such audio file "
     "'missing.wav'"),
    ("steps:\n  - wait: -1\n", 2, "step 1: `wait` needs seconds"),
    ("steps:\n  - wait: soon\n", 2, "step 1: `wait` needs seconds"),
    ("steps:\n  - wait: 1\n    expect: {tool: getPageHTML}\n", 3, "a wait step cannot expect"),
    ("steps:\n  - type: hi\n    voice: en-gb\n", 3, "`voice` applies to say steps only"),
    ("steps:\n  - say: hi\n    expect: getPageHTML\n", 3, "`expect` must be a mapping"),
    ("steps:\n  - say: hi\n    expect: {args: {}}\n", 3, "`expect` needs `tool`"),
    ("steps:\n  - say: hi\n    expect:\n      tool: changeBgColor\n", 4,
     "unknown tool `changeBgColor` (registered: getPageHTML, changeBackgroundColor"),
    ("steps:\n  - say: hi\n    expect:\n      tool: changeTextColor\n      args:\n"
     "        colour: white\n", 6, "changeTextColor has no argument `colour` (it takes: color)"),
    ("steps:\n  - say: hi\n    expect: {tool: getPageHTML, timeout_s: 0}\n", 3,
     "`timeout_s` must be a number of seconds above 0"),
    ("steps:\n  - say: hi\n    expect: {tool: getPageHTML, wait: 2}\n", 3,
     "unknown key `wait` in step 1's expect (allowed: tool, args, dom, no_tool, "
     "agent_says, within_ms, interrupted, timeout_s)"),
    ("steps:\n  - say: [unclosed\n", 3, "not valid YAML"),
    ("- say: hi\n", 1, "a scenario is a mapping with `steps`"),
])
def test_errors_name_the_line_and_the_key(
    tmp_path: Path, text: str, where: int, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(f"{path}:{where}: ")
    assert message in str(raised.value)


def test_invalid_json_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "steps": [\n    {"say": "hi"},\n  ]\n}\n', "s.json")
    with pytest.raises(ScenarioError, match=r"s\.json:4: not valid JSON"):
        load_scenario(path)


def test_a_missing_scenario_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the scenario file"):
        load_scenario(tmp_path / "nope.yaml")
