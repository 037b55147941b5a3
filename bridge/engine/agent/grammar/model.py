"""The language model a decoder loads: the command grammar rendered as JSGF, or sampled into
a trigram ARPA model, with the pronunciations the decoder's dictionary lacks."""

from __future__ import annotations

import hashlib
import io
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .lexicon import Lexicon, accent_variant, default_lexicon, pronounce
from .rules import STOPWORDS, command_grammar
from .terms import Term, jsgf, sample, words_in

__all__ = ["LanguageModel", "ModelKind", "build_language_model"]

ModelKind = Literal["jsgf", "ngram"]


@dataclass(frozen=True)
class LanguageModel:
    """Everything a decoder needs to recognise one session's commands; picklable.

    ``text`` is a JSGF grammar (``kind == "jsgf"``) or an ARPA trigram (``"ngram"``);
    ``pronunciations`` are (word, phones) for the words the decoder's dictionary lacks, and
    accent variants of the words (``dark(2)``) under pocketsphinx's name for a second pronunciation.
    ``key`` identifies the model, so decoder processes build each search only once.
    """

    kind: ModelKind
    text: str
    vocabulary: tuple[str, ...]
    pronunciations: tuple[tuple[str, str], ...]
    key: str

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LanguageModel) and other.key == self.key


def build_language_model(
    tools: Sequence[Mapping[str, Any]],
    extra_words: Iterable[str] = (),
    *,
    kind: ModelKind = "jsgf",
    lexicon: Lexicon | None = None,
    chat: bool = True,
) -> LanguageModel:
    """A language model for commands to ``tools`` (OpenAI function-tool definitions).

    Anything that is not a well-formed tool is skipped, so a session's odd schema never stops
    recognition. ``extra_words`` are words or phrases the session should also be able to hear
    (said as they are written). ``chat`` adds everyday non-command phrases so that small talk
    is heard as small talk instead of being forced onto the nearest command.
    """
    lexicon = lexicon or default_lexicon()
    grammar = command_grammar(tools, extra_words, lexicon=lexicon, chat=chat, phrasings=kind == "ngram")
    rules, loose = grammar.rules, grammar.loose
    if kind == "jsgf":
        text = _render_jsgf(rules)
        words = {w for term in rules.values() for w in words_in(term)}
    else:
        text, words = _render_arpa(rules, loose)
    vocabulary = tuple(sorted(w for w in words if re.fullmatch(r"[a-z][a-z']*", w)))
    own = {w: pronounce(w, lexicon) for w in vocabulary if w not in lexicon}
    prons = (*own.items(), *_accented(vocabulary, lexicon, own))
    key = hashlib.sha256("\0".join([kind, text, repr(prons)]).encode()).hexdigest()[:24]
    return LanguageModel(kind, text, vocabulary, prons, key)


def _accented(words: Iterable[str], lexicon: Lexicon, own: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """``word(n)`` entries for the accent variants of each word's pronunciations.

    On the accuracy corpus (decoded directly) they heard 3 to 4 more of 280 commands, most from
    espeak-ng's British voices ("purple", "dark green", "dark slate gray"); tuning and held-out
    wordings gained alike. Rounding the vowel of "lot" (AA -> AO) as well gained nothing more.
    """
    for word in words:
        known = lexicon.entries.get(word) or (own[word],)
        seen = set(known)
        for phones in known:
            variant = accent_variant(phones)
            if variant is not None and variant not in seen:
                seen.add(variant)
                yield f"{word}({len(seen)})", variant


def _render_jsgf(rules: Mapping[str, Term]) -> str:
    lines = ["#JSGF V1.0;", "grammar commands;", f"public <utterance> = {jsgf(rules['utterance'])};"]
    lines += [f"<{name}> = {jsgf(term)};" for name, term in rules.items() if name != "utterance"]
    return "\n".join(lines) + "\n"


def _render_arpa(rules: Mapping[str, Term], loose: Sequence[str]) -> tuple[str, set[str]]:
    """Sample the grammar into sentences and count a trigram model from them."""
    rng = random.Random(0)
    sentences: list[list[str]] = []
    for name, term in rules.items():
        if re.fullmatch(r"c\d+", name):
            sentences += [sample(term, rules, rng) for _ in range(300)]
    for name in ("color", "length", "number", "hex_color"):
        if name not in rules:
            continue
        sentences += [sample(rules[name], rules, rng) for _ in range(100)]
    sentences += [[w] for w in loose if w not in STOPWORDS]
    return _arpa(sentences), {w for s in sentences for w in s}


def _arpa(sentences: Sequence[Sequence[str]], discount: float = 0.5) -> str:
    """A trigram model with a fixed discount and exact back-off weights."""
    from math import log10

    uni: dict[str, int] = {}
    bi: dict[tuple[str, str], int] = {}
    tri: dict[tuple[str, str, str], int] = {}
    for sentence in sentences:
        words = ["<s>", *sentence, "</s>"]
        for i, word in enumerate(words):
            uni[word] = uni.get(word, 0) + 1
            if i >= 1:
                bi[words[i - 1], word] = bi.get((words[i - 1], word), 0) + 1
            if i >= 2:
                key = (words[i - 2], words[i - 1], word)
                tri[key] = tri.get(key, 0) + 1
    total = sum(c for w, c in uni.items() if w != "<s>")
    p1 = {w: (c / total if w != "<s>" else 0.0) for w, c in uni.items()}
    p2 = {(a, b): (1 - discount) * c / uni[a] for (a, b), c in bi.items()}
    ctx2: dict[tuple[str, str], int] = {}
    for (a, b, _), count in tri.items():
        ctx2[a, b] = ctx2.get((a, b), 0) + count
    p3 = {k: (1 - discount) * c / ctx2[k[:2]] for k, c in tri.items()}

    def backoff(seen_mass: float, lower_mass: float) -> float:
        return (1.0 - seen_mass) / max(1e-9, 1.0 - lower_mass)

    followers1: dict[str, list[str]] = {}
    for a, b in bi:
        followers1.setdefault(a, []).append(b)
    followers2: dict[tuple[str, str], list[str]] = {}
    for a, b, w in tri:
        followers2.setdefault((a, b), []).append(w)
    bow1 = {a: backoff(sum(p2[a, b] for b in bs), sum(p1[b] for b in bs)) for a, bs in followers1.items()}
    bow2 = {k: backoff(sum(p3[(*k, c)] for c in cs), sum(p2[k[1], c] for c in cs))
            for k, cs in followers2.items()}  # fmt: skip

    out = io.StringIO()
    out.write(f"\\data\\\nngram 1={len(uni)}\nngram 2={len(bi)}\nngram 3={len(tri)}\n\n\\1-grams:\n")
    for w in sorted(uni):
        prob = log10(p1[w]) if p1[w] > 0 else -99.0
        out.write(f"{prob:.4f} {w} {log10(bow1.get(w, 1.0)):.4f}\n")
    out.write("\n\\2-grams:\n")
    for a, b in sorted(bi):
        out.write(f"{log10(p2[a, b]):.4f} {a} {b} {log10(bow2.get((a, b), 1.0)):.4f}\n")
    out.write("\n\\3-grams:\n")
    for k in sorted(tri):
        out.write(f"{log10(p3[k]):.4f} {' '.join(k)}\n")
    out.write("\n\\end\\\n")
    return out.getvalue()
