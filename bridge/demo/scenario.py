"""Scenario files for `rtc-bridge demo`: YAML (or JSON), checked completely before anything runs.

    name: seed tools
    voice: en-us                       # default voice for say steps
    steps:
      - say: change the background color to blue
        expect: {tool: changeBackgroundColor, args: {color: blue}}
      - type: make the text white
        expect: {tool: changeTextColor}
      - play: utterance.wav            # relative to the scenario file
        expect: {tool: changeButtonStyle, timeout_s: 10}
      - say: make the text white
        noise: {kind: pink, snr_db: 20}   # impaired speech: noise, speed, pitch_cents,
        speed: 1.15                       # reverb, volume_db (say and play steps)
      - wait: 1.5

With `page:` (a user's own page, see `scenario_page`; also `start:` and `checks:`) the tools are
the page's own, declared at run time: `expect.tool` may name any tool and `args` any arguments.
A step's `expect` says what must hold after it (`scenario_expect`): `tool` and `args`, `dom`
(checks, `scenario_dom`), `no_tool`, `agent_says`, `within_ms` and `timeout_s`.

Every error names the file, the line and the key that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..audio.impair import MAPPING_KEYS as IMPAIR_KEYS
from ..audio.impair import ImpairmentError, Impairments
from ..browser.tools import ToolRegistry
from ..documents import LocatedMap, finite_number, located_error, parse_document, read_document
from ..errors import ScenarioError
from .scenario_expect import DEFAULT_TIMEOUT_S, MAX_WAIT_S, Expectation, read_expectation
from .scenario_page import PAGE_KEYS, ScenarioPage, read_page_keys

__all__ = ["DEFAULT_TIMEOUT_S", "MAX_REPEAT", "Expectation", "Scenario", "ScenarioError", "ScenarioPage",
           "Step", "load_scenario", "parse_scenario"]

Kind = Literal["say", "type", "play", "wait"]
KINDS: tuple[Kind, ...] = ("say", "type", "play", "wait")
_TOP_KEYS = ("name", "voice", *PAGE_KEYS, "repeat", "min_pass_rate", "steps")
# A scenario test runs at most this many times (`repeat`, `--voice-repeat`).
MAX_REPEAT = 1000
_STEP_EXTRA_KEYS = ("expect", "voice", "when", *IMPAIR_KEYS)
# The latest a step may start after the agent's voice did (`when: {agent_speaking_ms: N}`).
MAX_BARGE_IN_MS = 60_000


@dataclass(frozen=True)
class Step:
    index: int  # from 1
    kind: Kind
    line: int | None
    text: str | None = None  # say, type
    path: Path | None = None  # play
    seconds: float | None = None  # wait
    voice: str | None = None  # say
    expect: Expectation | None = None
    impair: Impairments | None = None  # say, play: what happens to the voice on its way
    # `when: {agent_speaking_ms: N}`: starts N ms after the agent's voice started, over it.
    barge_in_ms: float | None = None

    def describe(self) -> str:
        impaired = f" ({self.impair.label})" if self.impair is not None else ""
        if self.kind in ("say", "type"):
            return f'{self.kind} "{self.text}"{impaired}'
        if self.kind == "play":
            return f"play {self.path.name if self.path else ''}{impaired}"
        return f"wait {self.seconds:g} s"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    voice: str | None
    steps: tuple[Step, ...]
    page: ScenarioPage = field(default_factory=ScenarioPage)
    repeat: int = 1  # runs of the whole scenario, as a test
    min_pass_rate: float = 1.0  # the share of runs that must pass for the test to


def load_scenario(path: str | Path, *, registry: ToolRegistry | None = None,
                  user_page: bool = False) -> Scenario:
    """Read and check a scenario file; raises ScenarioError saying what is wrong and where.
    `user_page`: the page is a user's even without `page:` (the environment names one)."""
    source = Path(path)
    data = read_document(source, what="scenario")
    return _Checker(source, registry or ToolRegistry.load(), user_page).scenario(data)


def parse_scenario(text: str, *, path: Path, registry: ToolRegistry | None = None,
                   user_page: bool = False) -> Scenario:
    """Check a scenario given as text; `path` names it in errors and anchors relative paths."""
    checker = _Checker(path, registry or ToolRegistry.load(), user_page)
    return checker.scenario(parse_document(text, path=path))


class _Checker:
    def __init__(self, path: Path, registry: ToolRegistry, user_page: bool) -> None:
        self.path = path
        self.base = path.parent
        self.registry = registry
        self.user_page = user_page

    def fail(self, line: int | None, message: str) -> ScenarioError:
        return located_error(self.path, line, message)

    def scenario(self, data: Any) -> Scenario:
        if not isinstance(data, LocatedMap):
            raise self.fail(1, "a scenario is a mapping with `steps` (and optionally `name`, "
                               "`voice`)")
        self.unknown_keys(data, _TOP_KEYS, "the top level")
        page = read_page_keys(data, path=self.path, fail=self.fail, user_page=self.user_page)
        # A user's page declares its own tools when it runs: any name may be expected then.
        self.user_page = self.user_page or page.location is not None
        name = data.get("name", self.path.stem)
        if not isinstance(name, str) or not name.strip():
            raise self.fail(data.key_lines.get("name"), "`name` must be a non-empty string")
        voice = self.voice(data, "voice")
        steps = data.get("steps")
        if "steps" not in data:
            raise self.fail(data.line, "missing `steps`: a list of say/type/play/wait steps")
        if not isinstance(steps, list) or not steps:
            raise self.fail(data.key_lines.get("steps"),
                            "`steps` must be a non-empty list of say/type/play/wait steps")
        lines = getattr(steps, "item_lines", [])
        checked = tuple(
            self.step(i, raw, lines[i - 1] if i <= len(lines) else data.key_lines.get("steps"))
            for i, raw in enumerate(steps, start=1))
        repeat, min_pass_rate = self.repeats(data)
        return Scenario(name=name.strip(), path=self.path, voice=voice, steps=checked, page=page,
                        repeat=repeat, min_pass_rate=min_pass_rate)

    def repeats(self, data: LocatedMap) -> tuple[int, float]:
        """`repeat` (how many runs, 1 to MAX_REPEAT) and `min_pass_rate` (0 to 1)."""
        repeat = data.get("repeat", 1)
        if isinstance(repeat, bool) or not isinstance(repeat, int) or not (
                1 <= repeat <= MAX_REPEAT):
            raise self.fail(data.key_lines.get("repeat"), f"`repeat` must be a whole number of "
                                                          f"runs, 1 to {MAX_REPEAT}")
        rate = finite_number(data.get("min_pass_rate", 1.0))
        if rate is None or not 0 <= rate <= 1:
            raise self.fail(data.key_lines.get("min_pass_rate"),
                            "`min_pass_rate` must be a share of runs from 0 to 1, such as 0.8")
        return repeat, rate

    def unknown_keys(self, data: LocatedMap, known: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in known:
                raise self.fail(data.key_lines.get(str(key), data.line),
                                f"unknown key `{key}` in {where} (allowed: {', '.join(known)})")

    def voice(self, data: LocatedMap, key: str) -> str | None:
        voice = data.get(key)
        if voice is None:
            return None
        if not isinstance(voice, str) or not voice.strip() or voice.startswith("-"):
            raise self.fail(data.key_lines.get(key), f"`{key}` must be a voice name such as "
                            "en-us, en-gb or flite:slt")
        return voice.strip()

    def impairments(self, raw: LocatedMap, *, where: str, kind: Kind) -> Impairments | None:
        """The step's impaired speech (`noise`, `speed`, `pitch_cents`, `reverb`, `volume_db`,
        `seed`), or None when it has none."""
        given = {key: raw[key] for key in IMPAIR_KEYS if key in raw}
        if not given:
            return None
        first = next(iter(given))
        if kind not in ("say", "play"):
            raise self.fail(raw.key_lines.get(first), f"{where}: `{first}` applies to say and "
                                                      f"play steps only, not {kind}")
        try:
            return Impairments.from_mapping(given, where=where)
        except ImpairmentError as err:
            key = str(err).removeprefix(f"{where}.").split(".")[0].split(":")[0]
            raise self.fail(raw.key_lines.get(key, raw.line), str(err)) from None

    def barge_in(self, raw: LocatedMap, *, where: str, kind: Kind) -> float | None:
        """`when: {agent_speaking_ms: N}`: how long after the agent's voice started the step
        starts, or None when it has no `when`."""
        if "when" not in raw:
            return None
        line = raw.key_lines.get("when", raw.line)
        when = raw["when"]
        ms = finite_number(when.get("agent_speaking_ms")) if isinstance(when, dict) else None
        if not isinstance(when, dict) or set(when) != {"agent_speaking_ms"} or ms is None or (
                not 0 <= ms <= MAX_BARGE_IN_MS):
            raise self.fail(line, f"{where}: `when` must be {{agent_speaking_ms: N}}, N from 0 "
                                  f"to {MAX_BARGE_IN_MS} ms after the agent's voice started")
        if kind == "wait":
            raise self.fail(line, f"{where}: `when` starts a say, play or type step over the "
                                  "agent, not a wait")
        return ms

    def step(self, index: int, raw: Any, item_line: int | None) -> Step:
        where = f"step {index}"
        if not isinstance(raw, LocatedMap):
            raise self.fail(item_line, f"{where} must be a mapping such as `- say: …` "
                                       f"(got {type(raw).__name__} {raw!r:.40})")
        line = raw.line
        kinds = [k for k in KINDS if k in raw]
        if len(kinds) != 1:
            found = f"it has {', '.join(kinds)}" if kinds else "it has none"
            raise self.fail(line, f"{where} needs exactly one of say, type, play, wait; {found}")
        kind = kinds[0]
        self.unknown_keys(raw, (kind, *_STEP_EXTRA_KEYS), where)
        key_line = raw.key_lines.get(kind, line)
        value = raw[kind]
        voice = self.voice(raw, "voice")
        if voice is not None and kind != "say":
            raise self.fail(raw.key_lines.get("voice"), f"{where}: `voice` applies to say "
                                                        f"steps only, not {kind}")
        impair = self.impairments(raw, where=where, kind=kind)
        barge_in_ms = self.barge_in(raw, where=where, kind=kind)
        expect = None
        if "expect" in raw:
            expect = read_expectation(raw, where=where, kind=kind, path=self.path,
                                      registry=self.registry, user_page=self.user_page,
                                      fail=self.fail)
        if kind in ("say", "type"):
            if not isinstance(value, str) or not value.strip():
                raise self.fail(key_line, f"{where}: `{kind}` needs the words to {kind}")
            return Step(index, kind, line, text=value.strip(), voice=voice, expect=expect,
                        impair=impair, barge_in_ms=barge_in_ms)
        if kind == "play":
            if not isinstance(value, str) or not value.strip():
                raise self.fail(key_line, f"{where}: `play` needs an audio file path")
            file = (self.base / value.strip()).resolve()
            if not file.is_file():
                raise self.fail(key_line, f"{where}: no such audio file {value.strip()!r} "
                                          f"(looked for {file})")
            return Step(index, kind, line, path=file, expect=expect, impair=impair,
                        barge_in_ms=barge_in_ms)
        seconds = finite_number(value)
        if seconds is None or not 0 < seconds <= MAX_WAIT_S:
            raise self.fail(key_line, f"{where}: `wait` needs seconds, a number above 0 and at "
                                      f"most {MAX_WAIT_S:g}")
        return Step(index, kind, line, seconds=seconds, expect=expect)
