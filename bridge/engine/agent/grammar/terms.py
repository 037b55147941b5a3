"""The terms a grammar is written in (words, alternatives, sequences, options, rule
references), and what is done with them: JSGF text, the words they can say, random sentences."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

__all__ = [
    "Alt", "Opt", "Ref", "Seq", "Term", "Words", "alt", "jsgf", "opt", "said", "sample", "seq",
    "words_in",
]


@dataclass(frozen=True)
class Words:
    """Words said in this order."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Alt:
    """One of the options; JSGF weights, when given, say how likely each is."""

    options: tuple[Term, ...]
    weights: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Seq:
    """The parts one after another."""

    parts: tuple[Term, ...]


@dataclass(frozen=True)
class Opt:
    """The term, or nothing."""

    term: Term


@dataclass(frozen=True)
class Ref:
    """The rule of that name."""

    rule: str


Term = Words | Alt | Seq | Opt | Ref


def said(text: str) -> Words:
    """The words of ``text``, split at spaces."""
    return Words(tuple(text.split()))


def alt(options: Iterable[Term | str]) -> Alt:
    """One of ``options`` (text is words), each option once, in the order first given."""
    unique: dict[Term, None] = {}
    for option in options:
        unique[said(option) if isinstance(option, str) else option] = None
    return Alt(tuple(unique))


def seq(*parts: Term | str) -> Seq:
    """``parts`` one after another (text is words)."""
    return Seq(tuple(said(p) if isinstance(p, str) else p for p in parts))


def opt(term: Term | str) -> Opt:
    """``term`` or nothing (text is words)."""
    return Opt(said(term) if isinstance(term, str) else term)


def words_in(term: Term) -> Iterator[str]:
    """Every word ``term`` itself can say (not those of the rules it refers to)."""
    if isinstance(term, Words):
        yield from term.words
    elif isinstance(term, Alt):
        for option in term.options:
            yield from words_in(option)
    elif isinstance(term, Seq):
        for part in term.parts:
            yield from words_in(part)
    elif isinstance(term, Opt):
        yield from words_in(term.term)


def jsgf(term: Term) -> str:
    """``term`` in JSGF notation."""
    if isinstance(term, Words):
        return " ".join(term.words)
    if isinstance(term, Ref):
        return f"<{term.rule}>"
    if isinstance(term, Opt):
        return f"[{jsgf(term.term)}]"
    if isinstance(term, Seq):
        return " ".join(jsgf(part) for part in term.parts if part != Words(()))
    if term.weights is None:
        return "(" + " | ".join(jsgf(option) for option in term.options) + ")"
    return (
        "("
        + " | ".join(
            f"/{weight:g}/ {jsgf(option)}" for weight, option in zip(term.weights, term.options, strict=True)
        )
        + ")"
    )


def sample(term: Term, rules: Mapping[str, Term], rng: random.Random) -> list[str]:
    """One random sentence ``term`` can say, following references into ``rules``."""
    if isinstance(term, Words):
        return list(term.words)
    if isinstance(term, Ref):
        return sample(rules[term.rule], rules, rng)
    if isinstance(term, Opt):
        return sample(term.term, rules, rng) if rng.random() < 0.5 else []
    if isinstance(term, Seq):
        return [word for part in term.parts for word in sample(part, rules, rng)]
    option = rng.choices(term.options, weights=term.weights)[0]
    return sample(option, rules, rng)
