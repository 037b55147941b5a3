"""The many ways a person says a command to a tool, for an n-gram model: the tool's own words
and the matcher's everyday synonyms (font ~ text, page ~ site), read and add phrasings, enum
members and their synonyms, switches, free text, and everyday English for what is no command.

Each tool gives a handful of templates ("change the X to V", "X V please", "I want a V X",
"remind me to FREE"); sampling them with the value rules gives the sentences an n-gram model
is counted from, so phrasings nobody wrote down still get their words' neighbours right.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..arguments.vocabulary import ADD_VERBS, ENUM_SYNONYMS, READ_PHRASES, READ_VERBS, SYNONYM_GROUPS
from ..words import split_identifier, spoken_words
from .terms import Alt, Ref, Term, alt, opt, said, seq

__all__ = ["FREE_RULE", "common_words", "english_rule", "free_text_rule", "tool_phrasings"]

FREE_RULE = "free"
_POLITE = ("please", "can you", "could you", "would you", "now")
_SET_VERBS = ("change", "set", "make", "turn", "switch", "put", "update")
_DETERMINERS = ("the", "my", "this", "a")
_SWITCH = ("on", "off", "enable", "disable", "turn on", "turn off", "switch on", "switch off",
           "start", "stop")
_RELATIVE = ("bigger", "smaller", "larger", "a bit bigger", "a bit smaller", "increase", "decrease")
_IGNORED = frozenset(("style", "settings", "properties", "the", "a", "an", "of", "to"))


@functools.lru_cache(maxsize=1)
def common_words(count: int = 2500) -> tuple[tuple[str, float], ...]:
    """The ``count`` commonest English words with their unigram probabilities, read from the
    general language model pocketsphinx ships (once per process, about a second)."""
    import pocketsphinx

    decoder = pocketsphinx.Decoder(lm=None, loglevel="FATAL")
    model = pocketsphinx.NGramModel(decoder.config, decoder.logmath,
                                    pocketsphinx.get_model_path("en-us/en-us.lm.bin"))  # fmt: skip
    scored = []
    with open(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as lines:
        for line in lines:
            word = line.split(" ", 1)[0]
            if re.fullmatch(r"[a-z]+", word):
                scored.append((model.prob([word]), word))
    scored.sort(reverse=True)
    best = scored[:count]
    low = min(score for score, _ in best)
    # pocketsphinx's log base is 1.0001: a difference of 23026 is a factor of ten.
    return tuple((word, 10 ** ((score - low) / 23026)) for score, word in best)


def _synonyms(word: str) -> list[str]:
    for group in SYNONYM_GROUPS:
        if word in group:
            return list(dict.fromkeys([word, *group[:5]]))
    return [word]


def _noun_phrase(words: Sequence[str]) -> Term:
    """A tool's thing with its everyday synonyms: "text" ~ "font" ~ "writing"."""
    kept = [w for w in words if w not in _IGNORED] or list(words)
    return seq(*(alt(_synonyms(w)) for w in kept))


def _values(schema: Mapping[str, Any], value_rule: Term | None, free: bool) -> Term | None:
    options: list[Term] = [] if value_rule is None else [value_rule]
    for value in schema.get("enum") or ():
        if isinstance(value, str):
            options += [said(w) for w in ENUM_SYNONYMS.get(value.lower(), ())]
    if schema.get("type") == "boolean":
        options.append(alt(_SWITCH))
    if free:
        options.append(Ref(FREE_RULE))
    return alt(options) if options else None


def tool_phrasings(tool: Mapping[str, Any], value_rules: Mapping[str, Term | None],
                   free_params: frozenset[str]) -> list[Term]:
    """Templates of what is said to ``tool``. ``value_rules`` are its parameters' value terms
    (by name), ``free_params`` the parameters that take free text."""
    name = str(tool.get("name") or "")
    words = split_identifier(name)
    if not words:
        return []
    verb, target = (words[0], words[1:]) if len(words) > 1 else ("", words)
    parameters = tool.get("parameters")
    properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
    properties = properties if isinstance(properties, Mapping) else {}
    described = spoken_words(str(tool.get("description") or ""))
    thing = _noun_phrase(target or words)
    det = opt(alt(_DETERMINERS))
    phrasings: list[Term] = [said(" ".join(described))] if described else []
    verbs = alt(list(dict.fromkeys([verb, *_SET_VERBS] if verb else _SET_VERBS)))
    valued = []
    for key, schema in properties.items():
        if isinstance(schema, Mapping):
            values = _values(schema, value_rules.get(key), key in free_params)
            if values is not None:
                valued.append((_noun_phrase(split_identifier(key)), values))
    for param, values in valued:
        to = opt(alt(["to", "to be", "at", "on", "in"]))
        phrasings += [
            seq(opt(alt(_POLITE)), verbs, det, thing, opt(param), to, values, opt("please")),
            seq(opt(alt(_POLITE)), verbs, det, param, opt(seq(alt(["of", "for", "on"]), det, thing)), to,
                values),
            seq(thing, opt(param), to, values, opt("please")),
            seq(values, thing, opt("please")),
            seq(alt(["i want", "i'd like", "i would like", "give me", "use"]), det, values, thing),
            seq(det, thing, opt(param), alt(["should be", "needs to be"]), values),
            seq(opt(alt(_POLITE)), alt([verb or "set", "turn", "switch"]), values, opt(seq(det, thing))),
        ]
    if verb in ADD_VERBS:
        place = opt(seq(alt(["to", "on", "onto", "in"]), det, thing, opt("list")))
        adding = alt(sorted(ADD_VERBS))
        phrasings += [seq(opt(alt(_POLITE)), adding, opt(alt(["a", "an", "new"])), opt(thing),
                          Ref(FREE_RULE), place),
                      seq(alt(["remind me to", "i need to", "make a note to", "note that", "new"]),
                          Ref(FREE_RULE))]  # fmt: skip
    if not valued:
        reading = verb in READ_VERBS
        named = alt(list(dict.fromkeys([verb or "show", "show", "check"])))
        asks = [seq(opt(alt(_POLITE)), named, det, thing)]
        if reading:
            # One template for all the ways of asking: each template is sampled as often as
            # any other, and a tool must not outweigh the others by having more of them.
            questions = [" ".join(p for p in phrase if p != "*") for phrase in READ_PHRASES
                         if "'" not in "".join(phrase)]
            asks.append(seq(alt([*questions, "read", "describe", "show me", "tell me about"]), det,
                            thing, opt("to me")))
        phrasings.append(alt(asks))
    return phrasings


def free_text_rule(words: Sequence[tuple[str, float]]) -> Term:
    """One to four everyday words: what a to-do, a title or a search says."""
    word = Alt(tuple(said(w) for w, _ in words), tuple(p for _, p in words))
    return alt([word, seq(word, word), seq(word, word, word), seq(word, word, word, word)])



def english_rule(words: Sequence[tuple[str, float]]) -> Term:
    """Two to six everyday words: what is said that is no command at all."""
    word = Alt(tuple(said(w) for w, _ in words), tuple(p for _, p in words))
    return alt([seq(*[word] * n) for n in range(2, 7)])
