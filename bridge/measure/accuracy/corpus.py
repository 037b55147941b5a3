"""The accuracy corpus on disk: tool sets, wordings, off-topic speech and voices, per part.

A part is a folder of `scripts/accuracy/` (see its README): ``tuning``, ``held-out`` and
``held-out-2``. A held-out part is evaluated against the tool sets and voices of the parts
before it as well as its own; loading the tuning part opens nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from .slots import SlotKind, slot_kind

__all__ = ["CORPUS_DIR", "PARTS", "Command", "Corpus", "Item", "OffTopic", "Synth", "Voice", "load"]

CORPUS_DIR = Path(__file__).resolve().parents[3] / "scripts" / "accuracy"
# In order: each held-out part also uses the tool sets and voices of the parts before it.
PARTS = ("tuning", "held-out", "held-out-2")
ANY_TOOLSET = "any"

Synth = Literal["espeak-ng", "flite", "festival"]
ToolSets = Mapping[str, tuple[Mapping[str, Any], ...]]


@dataclass(frozen=True)
class Command:
    """A wording for one tool set, and the call it asks for (arguments as the corpus gives
    them); ``free_text`` when an argument is free text or a URL (reported apart)."""

    toolset: str
    text: str
    tool: str
    arguments: Mapping[str, Any]
    slots: Mapping[str, SlotKind]

    @property
    def free_text(self) -> bool:
        return any(kind in ("text", "url") for kind in self.slots.values())


@dataclass(frozen=True)
class OffTopic:
    """Speech that asks for nothing: any tool call is a false accept. ``toolset`` may be
    ``any`` (drawn when the corpus is planned)."""

    toolset: str
    text: str


Item = Command | OffTopic


@dataclass(frozen=True)
class Voice:
    synth: Synth
    name: str
    held_out: bool = False

    @property
    def label(self) -> str:
        return f"{self.synth}:{self.name}"


@dataclass(frozen=True)
class Corpus:
    """One part: its wordings, and the tool sets and voices it is said to and with."""

    part: str
    toolsets: ToolSets
    commands: tuple[Command, ...]
    off_topic: tuple[OffTopic, ...]
    voices: tuple[Voice, ...]


def load(part: str, root: Path = CORPUS_DIR) -> Corpus:
    """The ``part`` of the corpus under ``root``; raises ValueError for an unknown part or a
    wording that names a tool set or tool its part does not have."""
    if part not in PARTS:
        raise ValueError(f"unknown corpus part {part!r}: one of {', '.join(PARTS)}")
    toolsets: dict[str, tuple[Mapping[str, Any], ...]] = {}
    voices: list[Voice] = []
    for earlier in PARTS[: PARTS.index(part) + 1]:
        folder = root / earlier
        toolsets |= _toolsets(folder / "toolsets.yaml", root.parents[1])
        voices += [Voice(v["synth"], v["name"], earlier != "tuning")
                   for v in _yaml(folder / "voices.yaml").get("voices") or ()]  # fmt: skip
    wordings = _yaml(root / part / "wordings.yaml")
    commands = tuple(_command(toolsets, name, entry)
                     for name, entries in (wordings.get("commands") or {}).items()
                     for entry in entries)  # fmt: skip
    off_topic = tuple(OffTopic(str(e["toolset"]), str(e["say"])) for e in wordings.get("off_topic") or ())
    for item in off_topic:
        if item.toolset != ANY_TOOLSET and item.toolset not in toolsets:
            raise ValueError(f"{part}: off-topic {item.text!r} names no tool set {item.toolset!r}")
    return Corpus(part, MappingProxyType(toolsets), commands, off_topic, tuple(dict.fromkeys(voices)))


def _yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def _toolsets(path: Path, repository: Path) -> dict[str, tuple[Mapping[str, Any], ...]]:
    found: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for name, entry in _yaml(path).items():
        if isinstance(entry, Mapping) and "source" in entry:
            tools = json.loads((repository / str(entry["source"])).read_text(encoding="utf-8"))["tools"]
        else:
            tools = entry
        # What a page sends upstream: OpenAI's fields only, never its own x- annotations.
        found[str(name)] = tuple({k: v for k, v in tool.items() if not k.startswith("x-")} for tool in tools)
    return found


def _command(toolsets: ToolSets, toolset: str, entry: Mapping[str, Any]) -> Command:
    if toolset not in toolsets:
        raise ValueError(f"wordings for {toolset!r}, which is no tool set")
    tools = {str(tool["name"]): tool for tool in toolsets[toolset]}
    name = str(entry["call"])
    if name not in tools:
        raise ValueError(f"{entry['say']!r}: {toolset!r} has no tool {name!r}")
    properties = (tools[name].get("parameters") or {}).get("properties") or {}
    arguments = dict(entry.get("args") or {})
    unknown = set(arguments) - set(properties)
    if unknown:
        raise ValueError(f"{entry['say']!r}: {name} has no parameter {sorted(unknown)}")
    slots = {key: slot_kind(key, properties[key]) for key in arguments}
    return Command(toolset, str(entry["say"]), name, MappingProxyType(arguments), MappingProxyType(slots))
