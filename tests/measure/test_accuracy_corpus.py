"""The accuracy suite's corpus, scoring and plan, on the tuning part (the held-out parts are
never opened by a test)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bridge.measure.accuracy import TRANSFORMS, Command, OffTopic, judge, load, plan
from bridge.measure.accuracy.corpus import CORPUS_DIR
from bridge.measure.accuracy.scoring import normal_text
from bridge.measure.accuracy.slots import slot_kind

ROOT = Path(__file__).resolve().parents[2]


def test_the_tuning_part_loads_with_every_wording_naming_a_real_tool() -> None:
    corpus = load("tuning")
    assert {"ours", "seed", "todo", "agents-player", "jukebox", "reader"} <= set(corpus.toolsets)
    assert len(corpus.commands) >= 90 and len(corpus.off_topic) >= 30
    assert all(not v.held_out for v in corpus.voices)
    assert {v.synth for v in corpus.voices} == {"espeak-ng", "flite", "festival"}
    ours = corpus.toolsets["ours"]
    assert all(not key.startswith("x-") for tool in ours for key in tool)


def test_an_unknown_part_or_tool_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown corpus part"):
        load("secret")
    (tmp_path / "tuning").mkdir()
    (tmp_path / "tuning" / "toolsets.yaml").write_text("a: [{type: function, name: go}]\n")
    (tmp_path / "tuning" / "wordings.yaml").write_text("commands: {a: [{say: stop, call: halt}]}\n")
    with pytest.raises(ValueError, match="has no tool 'halt'"):
        load("tuning", tmp_path)


SEED_SIZE = {"type": "string", "description": 'Font size of the button (e.g., "16px" or "1em")'}
OUR_SIZE = {"type": "string", "description": "a CSS length such as 24px or 1.5em, or bigger or smaller."}


@pytest.mark.parametrize(("schema", "name", "kind"), [
    ({"type": "string", "enum": ["a"]}, "mode", "enum"),
    ({"type": "integer"}, "level", "integer"),
    ({"type": "boolean"}, "on", "boolean"),
    ({"type": "string", "description": "Hexadecimal value of the color"}, "color", "color"),
    (SEED_SIZE, "size", "size"),
    ({"type": "string", "format": "uri"}, "target", "url"),
    ({"type": "string", "description": "The web address to open"}, "where", "url"),
    ({"type": "string", "description": "What to do"}, "text", "text"),
])  # fmt: skip
def test_slot_kinds_come_from_the_schema(schema: dict[str, Any], name: str, kind: str) -> None:
    assert slot_kind(name, schema) == kind


def _command(arguments: dict[str, Any], properties: dict[str, Any]) -> tuple[Command, tuple[Any, ...]]:
    tool = {"type": "function", "name": "t", "parameters": {"type": "object", "properties": properties}}
    slots = {key: slot_kind(key, properties[key]) for key in arguments}
    return Command("x", "say", "t", arguments, slots), (tool,)


@pytest.mark.parametrize(("want", "got", "schema", "right"), [
    ("blue", "#0000ff", {"type": "string", "description": "a colour"}, True),
    ("blue", "navy", {"type": "string", "description": "a colour"}, False),
    (40, 40, {"type": "integer"}, True),
    (40, 40.5, {"type": "integer"}, False),
    (True, True, {"type": "boolean"}, True),
    (True, 1, {"type": "boolean"}, False),
    ("all", "all", {"type": "string", "enum": ["all", "active"]}, True),
    ("buy milk", "Buy milk.", {"type": "string"}, True),
    ("the meeting moved", "meeting moved", {"type": "string"}, True),
    ("buy milk", "buy some milk", {"type": "string"}, False),
    ("example.com", "https://www.example.com/", {"type": "string", "format": "uri"}, True),
    ("python.org/downloads", "python.org", {"type": "string", "format": "uri"}, False),
    ("bigger", "20px", SEED_SIZE, True),
    ("bigger", "12px", SEED_SIZE, False),
    ("bigger", "bigger", SEED_SIZE, False),
    ("smaller", "1em", SEED_SIZE, False),
    ("bigger", "larger", OUR_SIZE, True),
    ("24px", "18pt", OUR_SIZE, True),
])  # fmt: skip
def test_arguments_are_scored_by_type(want: Any, got: Any, schema: dict[str, Any], right: bool) -> None:
    command, tools = _command({"v": want}, {"v": schema})
    assert judge(command, ("t", {"v": got}), tools) is right


def test_wrong_tool_extra_arguments_and_off_topic_calls_are_wrong() -> None:
    command, tools = _command({"v": 1}, {"v": {"type": "integer"}, "w": {"type": "integer"}})
    assert not judge(command, ("u", {"v": 1}), tools)
    assert not judge(command, ("t", {"v": 1, "w": 2}), tools)
    assert not judge(command, None, tools)
    assert judge(OffTopic("x", "I like blue"), None, tools)
    assert not judge(OffTopic("x", "I like blue"), ("t", {}), tools)
    assert normal_text("  The  Quick, brown fox! ") == "quick brown fox"


def test_the_plan_is_seeded_grouped_by_tool_set_and_spreads_transforms() -> None:
    corpus = load("tuning")
    first, again = plan(corpus, repeats=2), plan(corpus, repeats=2)
    assert [(u.item.text, u.voice, u.impairment) for u in first] == [
        (u.item.text, u.voice, u.impairment) for u in again]
    assert len(first) == 2 * len(corpus.commands) + len(corpus.off_topic)
    toolsets = [u.toolset for u in first]
    runs = [name for i, name in enumerate(toolsets) if i == 0 or toolsets[i - 1] != name]
    assert len(runs) == len(set(runs))  # each tool set's utterances are together
    counts = [sum(u.transform == t.label for u in first) for t in TRANSFORMS]
    assert max(counts) - min(counts) <= 1


def test_nothing_but_the_evaluation_names_a_held_out_folder() -> None:
    """Integrity: tests, CI and the engine never read the held-out parts."""
    name = "held" + "-out"
    as_path = re.compile("[\"'/]" + name)  # a quoted part name or a path, not the words
    allowed = {ROOT / "bridge" / "measure" / "accuracy" / "corpus.py", ROOT / "scripts" / "asr_accuracy.py"}
    sources = [*ROOT.glob("bridge/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("scripts/*.py"),
               *ROOT.glob(".ci/*"), ROOT / "Makefile"]
    naming = [p for p in sources if p.is_file() and p not in allowed and as_path.search(p.read_text())]
    assert not naming, f"only the evaluation may name the {name} corpus: {naming}"
    assert (CORPUS_DIR / "tuning" / "wordings.yaml").exists()
