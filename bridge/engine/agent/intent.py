"""From a user's words to a function call, for whatever tools the session declared.

The embedded engine is a command-level agent, not a language model: it picks the tool whose
own words (name, description, parameter names and descriptions) the utterance uses, weighted
by how specific each word is within this tool set, among the tools whose required arguments
it can read from the utterance. Nothing here knows any particular tool; the grammar comes from
the tools' JSON schemas, so pages it has never seen work the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import jsonschema
from jsonschema.protocols import Validator

from .arguments import (
    ADD_VERBS,
    GENERIC_KEYS,
    READ_VERBS,
    VERB_KEYS,
    ParamSpec,
    Utterance,
    base_vocabulary,
    content_keys,
    extract_arguments,
    is_statement,
    word_key,
)
from .base import ToolCall
from .words import split_identifier, words_of

__all__ = ["IntentMatcher", "ToolCall"]

# Where a word comes from says how much it tells about the tool.
_NAME_WEIGHT = 1.0
_DESCRIPTION_WEIGHT = 0.8
_PARAM_NAME_WEIGHT = 0.6
_PARAM_DESCRIPTION_WEIGHT = 0.4
_VERB_FACTOR = 0.3
# Each argument read from the utterance is evidence too, but less than a word naming the tool.
_ARGUMENT_BONUS = 0.25
# Below this a match is a guess; within this of the runner-up it is a coin toss.
_MIN_SCORE = 0.5
_MIN_MARGIN = 0.15


@dataclass(frozen=True)
class _Tool:
    name: str
    weights: Mapping[str, float]
    cues: frozenset[str]
    params: tuple[ParamSpec, ...]
    validator: Validator
    # A tool that reports (get, read, show…): asked for by "what is on…", "tell me about…",
    # and called without arguments.
    reads: bool = False


@dataclass(frozen=True)
class _Scored:
    score: float
    keyword_score: float
    call: ToolCall


class IntentMatcher:
    """Matches utterances to the function tools of one session.

    ``tools`` are OpenAI function tools (``{"type": "function", "name", "description",
    "parameters"}``); other tool types are ignored. ``tool_choice`` follows the Realtime API:
    ``"auto"`` (call a tool only on a clear match), ``"none"`` (never), ``"required"`` (the best
    tool whose required arguments are present, however weak the match; on a tie the tool
    declared first), or ``{"type": "function", "name": ...}`` (only that tool, whenever its
    required arguments are present). Raises ValueError for a tool without a name, parameters
    that are not a valid JSON schema, or a tool_choice that is unknown or names no such tool.
    Building one costs a few milliseconds a tool: build it when the tools change, not per turn.
    """

    def __init__(
        self, tools: Sequence[Mapping[str, Any]], tool_choice: str | Mapping[str, Any] = "auto"
    ) -> None:
        functions = [
            t for t in tools if isinstance(t, Mapping) and t.get("type", "function") == "function"
        ]
        parsed = [_parse_tool(tool) for tool in functions]
        self._choice, self._forced = _parse_choice(tool_choice, [tool.name for tool in parsed])
        frequency: dict[str, int] = {}
        for tool in parsed:
            for key in tool.weights:
                frequency[key] = frequency.get(key, 0) + 1
        count = len(parsed)
        # IDF scaled to 0..1: a word only one tool uses counts fully, one all tools use barely.
        self._idf: Mapping[str, float] = MappingProxyType({
            key: math.log((count + 1) / seen) / math.log(count + 1)
            for key, seen in frequency.items()
        })
        self._tools = tuple(parsed)
        self._tool_words = tuple(
            word for tool in functions for word in _tool_words(tool) if word.isalpha()
        )

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word the matcher can use, lower case; a speech recogniser's grammar needs it."""
        return base_vocabulary() | frozenset(self._tool_words)

    def match(self, text: str) -> ToolCall | None:
        """The function call ``text`` asks for, or None when it asks for none clearly enough."""
        if self._choice == "none" or not text.strip():
            return None
        utterance = Utterance.parse(text)
        if self._choice == "auto" and is_statement(utterance.words):
            return None
        tools = [t for t in self._tools if self._forced is None or t.name == self._forced]
        scored = [s for s in (self._score(tool, utterance) for tool in tools) if s is not None]
        if not scored:
            return None
        # The sort is stable, so among equal scores the tool declared first comes first; rounding
        # keeps float noise from deciding between tools that scored the same.
        scored.sort(key=lambda s: -round(s.score, 9))
        best = scored[0]
        if self._choice in ("required", "function"):
            return best.call
        runner_up = scored[1].score if len(scored) > 1 else 0.0
        weak = best.score < _MIN_SCORE or best.keyword_score <= 0
        return None if weak or best.score - runner_up < _MIN_MARGIN else best.call

    def _score(self, tool: _Tool, utterance: Utterance) -> _Scored | None:
        extraction = extract_arguments(
            tool.params, utterance, cues=tool.cues, keywords=frozenset(tool.weights)
        )
        arguments = _valid_arguments(tool, extraction.arguments)
        if arguments is None or (tool.params and not arguments and not tool.reads):
            # A tool that takes values, called with none, does nothing anyone asked for.
            return None
        # A word this tool took as a value ("completed" for a filter) does not also name it.
        keys = {key for key, places in utterance.key_positions.items()
                if not extraction.used.issuperset(places)}
        keyword_score = sum(
            tool.weights[key] * self._idf[key] * (_VERB_FACTOR if key in VERB_KEYS else 1.0)
            for key in keys & tool.weights.keys()
        )
        score = keyword_score + _ARGUMENT_BONUS * len(arguments)
        return _Scored(score, keyword_score, ToolCall(tool.name, arguments))


def _valid_arguments(tool: _Tool, arguments: dict[str, Any]) -> dict[str, Any] | None:
    """The arguments if they satisfy the schema, after dropping optional ones that do not."""
    for _ in range(len(arguments) + 1):
        errors = list(tool.validator.iter_errors(arguments))
        if not errors:
            return arguments
        wrong = {str(error.path[0]) for error in errors if error.path}
        optional = {p.name for p in tool.params if not p.required}
        if not wrong & optional & arguments.keys():
            return None
        arguments = {k: v for k, v in arguments.items() if k not in wrong & optional}
    return None


def _parse_tool(tool: Mapping[str, Any]) -> _Tool:
    name = tool.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"a function tool needs a name: {dict(tool)!r}")
    schema = tool.get("parameters") or {"type": "object", "properties": {}}
    if not isinstance(schema, Mapping):
        raise ValueError(f"tool {name!r}: parameters must be a JSON schema object")
    validator_class = jsonschema.validators.validator_for(schema)
    # Checking against the 2020-12 meta-schema costs ~8 ms a tool; draft 7's catches the same
    # structural mistakes in tool parameters at a fifth of the cost.
    checker = validator_class if "$schema" in schema else jsonschema.Draft7Validator
    try:
        checker.check_schema(schema)
    except jsonschema.SchemaError as err:
        raise ValueError(f"tool {name!r}: parameters are not a valid JSON schema: {err}") from err
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    params = tuple(
        ParamSpec.from_schema(key, value if isinstance(value, Mapping) else {},
                              required=key in required)
        for key, value in properties.items()
    )
    weights: dict[str, float] = {}
    sources = [
        (split_identifier(name), _NAME_WEIGHT),
        (words_of(str(tool.get("description") or "")), _DESCRIPTION_WEIGHT),
    ]
    for key, value in properties.items():
        sources.append((split_identifier(key), _PARAM_NAME_WEIGHT))
        if isinstance(value, Mapping):
            described = [str(value.get("description") or "")]
            described += [str(v) for v in value.get("enum") or ()]
            sources.append((words_of(" ".join(described)), _PARAM_DESCRIPTION_WEIGHT))
    for words, weight in sources:
        for key in content_keys(words):
            weights[key] = max(weight, weights.get(key, 0.0))
    verb = (split_identifier(name) or [""])[0]
    reads = verb in READ_VERBS and not required
    if reads:
        weights[word_key("read")] = max(_DESCRIPTION_WEIGHT, weights.get(word_key("read"), 0.0))
    cues = frozenset(content_keys(split_identifier(name))) - GENERIC_KEYS
    if verb in ADD_VERBS:
        # "put X on my list", "remind me to X": any verb of adding names an adding tool.
        adding = frozenset(word_key(v) for v in ADD_VERBS) - VERB_KEYS - GENERIC_KEYS
        cues |= adding
        weights.update({key: max(_DESCRIPTION_WEIGHT, weights.get(key, 0.0)) for key in adding})
    return _Tool(
        name=name,
        weights=MappingProxyType(weights),
        cues=cues,
        params=params,
        validator=validator_class(schema),
        reads=reads,
    )


def _parse_choice(
    choice: str | Mapping[str, Any], names: Sequence[str]
) -> tuple[str, str | None]:
    if isinstance(choice, str):
        if choice not in ("auto", "none", "required"):
            raise ValueError(f"tool_choice must be auto, none, required or a function: {choice!r}")
        return choice, None
    function = choice.get("function")
    name = choice.get("name") or (function.get("name") if isinstance(function, Mapping) else None)
    if choice.get("type") != "function" or not isinstance(name, str):
        raise ValueError(f"tool_choice names no function: {dict(choice)!r}")
    if name not in names:
        raise ValueError(f"tool_choice names {name!r}, which is not among the session's tools")
    return "function", name


def _tool_words(tool: Mapping[str, Any]) -> list[str]:
    words = split_identifier(str(tool.get("name") or ""))
    words += words_of(str(tool.get("description") or ""))
    properties = (tool.get("parameters") or {}).get("properties") or {}
    for key, value in properties.items():
        words += split_identifier(key)
        if isinstance(value, Mapping):
            words += words_of(str(value.get("description") or ""))
            words += [w for v in value.get("enum") or () for w in words_of(str(v))]
    return [word.lower() for word in words]
