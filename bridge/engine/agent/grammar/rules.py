"""The rules of what can be said to a tool set, read from the tools' own schemas.

A tool's name gives the verb and the thing it acts on ("changeBackgroundColor": change, the
background), its parameters the values it takes; the ordinary ways people phrase a command
("change the X to Y", "make the X bigger", "what is on the page") join them into commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..words import split_identifier, spoken_words
from .lexicon import Lexicon
from .phrasings import FREE_RULE, common_words, english_rule, free_text_rule, tool_phrasings
from .terms import Ref, Term, Words, alt, opt, said, seq
from .values import value_rules

__all__ = ["STOPWORDS", "Grammar", "command_grammar"]

# Ordinary ways of asking for a change, a read-out, or nothing in particular. These are the
# domain's phrasing, not any particular test's sentences.
_SET_VERBS = ("change", "set", "make", "turn", "switch", "update", "paint", "color")
_READ_VERBS = frozenset(("get", "read", "fetch", "show", "list", "describe", "find", "tell"))
_RELATIVE_SIZES = ("bigger", "smaller", "larger", "big", "small", "large", "huge", "tiny")
_BOOLEANS = ("on", "off", "true", "false", "yes", "no", "enabled", "disabled")
# Words that say nothing on their own: no loose word of an n-gram model.
STOPWORDS = frozenset((
    "a", "an", "the", "of", "to", "and", "or", "for", "on", "in", "at", "by", "with", "from",
    "is", "are", "be", "as", "such", "this", "that", "it", "its", "e", "g", "eg", "ie", "either",
))  # fmt: skip
_CHAT = (
    "hello", "hi", "hi there", "hey", "good morning", "good evening", "thank you", "thanks",
    "thank you very much", "okay", "ok thanks", "yes", "no", "yes please", "no thanks",
    "how are you", "who are you", "what can you do", "what are you", "help", "stop",
    "cancel", "never mind", "wait", "goodbye", "bye", "what time is it",
    "what is the weather like", "tell me a joke", "i do not know", "that is all",
    "can you hear me", "is anyone there", "sorry", "repeat that", "say that again",
)  # fmt: skip
_QUESTIONS = (
    "what is on the {n}", "what is on this {n}", "what's on the {n}", "what does the {n} say",
    "what is in the {n}", "read the {n}", "read me the {n}", "read the {n} to me",
    "describe the {n}", "describe this {n}", "tell me what is on the {n}",
    "tell me what the {n} says", "show me the {n}", "what is the {n} about",
    "what do you see on the {n}", "what can you see on the {n}",
)  # fmt: skip
# Short function words ("and", "now") are left out: as optional words they soak up noise.
_POLITE_OPENERS = ("please", "can you", "could you", "would you")
_POLITE_CLOSERS = ("please", "thanks", "thank you")


@dataclass(frozen=True)
class _Param:
    """A parameter: its name as words, the values it can be said with, its description's words."""

    name: tuple[str, ...]
    values: Term | None
    vocabulary: tuple[str, ...]


@dataclass(frozen=True)
class _Tool:
    """A tool as said: "changeBackgroundColor" is the verb change and the target background."""

    verb: str
    target: tuple[str, ...]
    params: tuple[_Param, ...]
    vocabulary: tuple[str, ...]


def _schema_values(schema: Any) -> Iterator[Any]:
    """enum / const / examples / default values anywhere in a JSON schema fragment."""
    if not isinstance(schema, Mapping):
        return
    for key in ("enum", "examples"):
        if isinstance(schema.get(key), list):
            yield from schema[key]
    for key in ("const", "default"):
        if key in schema:
            yield schema[key]
    for key in ("items", "additionalProperties", "not"):
        yield from _schema_values(schema.get(key))
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for sub in schema.get(key) or ():
            yield from _schema_values(sub)


def _schema_types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    types = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key) or ():
            if isinstance(sub, Mapping):
                types |= _schema_types(sub)
    return {t for t in types if isinstance(t, str)}


def _param(name: str, schema: Mapping[str, Any]) -> _Param:
    description = str(schema.get("description") or "")
    hint = " ".join([name, description, str(schema.get("format") or "")]).lower()
    name_words = tuple(split_identifier(name))
    options: list[Term] = []
    for value in _schema_values(schema):
        if isinstance(value, bool):
            options.append(said("true" if value else "false"))
        elif isinstance(value, (str, int, float)) and spoken_words(str(value)):
            options.append(Words(tuple(spoken_words(str(value)))))
    types = _schema_types(schema)
    if re.search(r"colou?r", hint):
        options += [Ref("color"), Ref("hex_color")]
    if re.search(r"size|length|width|height|font|margin|padding|px|pixel", hint):
        options += [Ref("length"), alt(_RELATIVE_SIZES)]
    if types & {"number", "integer"}:
        options.append(Ref("number"))
    if "boolean" in types:
        options.append(alt(_BOOLEANS))
    # Free text without any hint cannot be enumerated; its description's words still go into
    # the vocabulary so an n-gram model can put them together.
    vocabulary = tuple(w for w in spoken_words(description) if w not in STOPWORDS)
    values = alt(options) if options else None
    return _Param(name_words, values, vocabulary)


def _tool(tool: Mapping[str, Any]) -> _Tool | None:
    name = tool.get("name")
    if not isinstance(name, str) or not split_identifier(name):
        return None
    words = split_identifier(name)
    parameters = tool.get("parameters")
    properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
    params = tuple(
        _param(str(key), schema) for key, schema in (properties or {}).items() if isinstance(schema, Mapping)
    )
    verb, target = (words[0], words[1:]) if len(words) > 1 else ("", words)
    param_words = {w for p in params for w in p.name}
    # "changeBackgroundColor" with a `color` parameter targets the background; "style",
    # "settings" and the like name no thing a person would mention.
    trimmed = [w for w in target if w not in param_words and w not in ("style", "settings", "properties")]
    vocabulary = tuple(spoken_words(str(tool.get("description") or "")))
    return _Tool(verb, tuple(trimmed or target), params, vocabulary)


def _values(tool: _Tool) -> Term | None:
    valued = [p.values for p in tool.params if p.values is not None]
    return alt(valued) if valued else None


def _lead(tool: _Tool) -> Term:
    """The carrier phrase before a value: "change the background color (to)"."""
    target = " ".join(tool.target)
    verbs = alt([*_SET_VERBS, tool.verb] if tool.verb else _SET_VERBS)
    names = alt(" ".join(p.name) for p in tool.params if p.values is not None)
    location = opt(alt(["on the page", "of the page", "on this page"]))
    return seq(
        alt([
            # The article is required: without it "the text" was often heard as "button".
            seq(verbs, alt(["the", "this", "my"]), target, opt(names), location),
            seq(verbs, "the", names, alt(["of", "on", "for"]), opt(alt(["the", "this", "my"])),
                 target, location),
        ]),
        opt(alt(["to", "into", "to be"])),
    )  # fmt: skip


def _fixed_phrases(tool: _Tool) -> list[Term]:
    """What is said to a tool that takes no value: its name, and questions about its nouns."""
    phrases: list[Term] = []
    if _values(tool) is None:
        phrases.append(seq(alt([tool.verb or "show", "show"]), opt("me"), opt("the"),
                            " ".join(tool.target)))  # fmt: skip
    if tool.verb in _READ_VERBS or _values(tool) is None:
        for noun in dict.fromkeys(tool.target):
            phrases += [said(question.format(n=noun).replace("what's", "what is"))
                        for question in _QUESTIONS]  # fmt: skip
    return phrases


def _command_rules(tools: Sequence[_Tool], rules: dict[str, Term]) -> list[Term]:
    """The commands that carry values: a lead phrase, then one value, or two of different
    parameters joined by "and" ("make the button bigger and red", never "red and blue").

    Each distinct value set becomes one rule: pocketsphinx copies a referenced rule into the
    search graph at every reference, so the 147 colour names must be referenced as few times
    as the phrasings allow.
    """
    rule_names: dict[Term, str] = {}

    def ref(values: Term) -> Ref:
        name = rule_names.setdefault(values, f"v{len(rule_names)}")
        rules[name] = values
        return Ref(name)

    groups: dict[tuple[Term, ...], list[_Tool]] = {}
    for tool in tools:
        valued = tuple(p.values for p in tool.params if p.values is not None)
        if valued:
            groups.setdefault(valued, []).append(tool)
    commands: list[Term] = []
    for valued, members in groups.items():
        lead = alt(_lead(tool) for tool in members)
        if len(valued) == 1:
            commands.append(seq(lead, ref(valued[0])))
            continue
        names = alt(" ".join(p.name) for t in members for p in t.params if p.values is not None)
        joiner = alt([said("and"), seq("and", opt("the"), names, opt("to"))])
        pairs = [
            seq(ref(first), opt(seq(joiner, alt(ref(v) for j, v in enumerate(valued) if j != i))))
            for i, first in enumerate(valued)
        ]
        commands.append(seq(lead, alt(pairs)))
    fixed = [phrase for tool in tools for phrase in _fixed_phrases(tool)]
    if fixed:
        commands.append(alt(fixed))
    return commands


@dataclass(frozen=True)
class Grammar:
    """The rules of one tool set's commands, by name (``utterance`` is all that may be said),
    and the loose words of its descriptions, which only an n-gram model has a place for."""

    rules: Mapping[str, Term]
    loose: tuple[str, ...]


def command_grammar(
    tools: Sequence[Mapping[str, Any]], extra_words: Iterable[str], *, lexicon: Lexicon, chat: bool,
    phrasings: bool = False,
) -> Grammar:
    """The grammar of commands to ``tools``; see `build_language_model`. With ``phrasings``
    (for an n-gram model) every tool is said in many ways, free text and everyday English
    included."""
    rules: dict[str, Term] = {}
    value_rules(rules, lexicon)
    parsed = [t for t in (_tool(tool) for tool in tools if isinstance(tool, Mapping)) if t]
    commands = _command_rules(parsed, rules) if not phrasings else _phrasings(tools, rules)
    extras = [" ".join(spoken_words(phrase)) for phrase in extra_words]
    extras = [e for e in extras if e]
    commands += [said(e) for e in extras]
    if chat:
        commands += [said(phrase) for phrase in _CHAT]
    if not commands:
        commands = [said(phrase) for phrase in _CHAT]
    for index, command in enumerate(commands):
        rules[f"c{index}"] = command
    top = seq(
        opt(alt(_POLITE_OPENERS)),
        alt(Ref(f"c{index}") for index in range(len(commands))),
        opt(alt(_POLITE_CLOSERS)),
    )
    rules["utterance"] = top

    # Tool descriptions and free-text parameters contribute single words an n-gram model can
    # still string together; a grammar has no place for them.
    loose = [w for t in parsed for w in t.vocabulary] + [
        w for t in parsed for p in t.params for w in p.vocabulary
    ]
    return Grammar(rules, tuple(loose))


def _phrasings(tools: Sequence[Mapping[str, Any]], rules: dict[str, Term]) -> list[Term]:
    words = common_words()
    rules[FREE_RULE] = free_text_rule(words)
    # Everyday English, so speech that is no command is heard as what it is, not forced onto
    # the nearest command; its commonest 400 words only, so commands are not heard as English.
    commands: list[Term] = [english_rule(words[:400])]
    for tool in tools:
        if not isinstance(tool, Mapping):
            continue
        parameters = tool.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
        properties = properties if isinstance(properties, Mapping) else {}
        values: dict[str, Term | None] = {}
        free: set[str] = set()
        for key, schema in properties.items():
            if isinstance(schema, Mapping):
                values[key] = _param(str(key), schema).values
                if values[key] is None and schema.get("type", "string") == "string" and "enum" not in schema:
                    free.add(str(key))
        commands += tool_phrasings(tool, values, frozenset(free))
    return commands
