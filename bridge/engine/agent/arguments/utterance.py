"""An utterance parsed once: its tokens, the values mentioned in it, and its keyword keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from .keys import content_keys, word_key
from .mentions import Mention, find_colors, find_lengths, find_numbers, find_urls
from .vocabulary import READ_PHRASES

_TOKEN = re.compile(
    r"#[0-9a-f]{3,8}\b|(?:rgba?|hsla?)\([^)]*\)|\d+(?:\.\d+)?|%|[^\W\d_]+(?:'[^\W\d_]+)*",
    re.IGNORECASE,
)
QUOTED = re.compile(r"\"([^\"]+)\"|(?<!\w)'([^']+)'(?!\w)")


@dataclass(frozen=True)
class Token:
    """One word, number, %, hex code or colour function, with its place in the text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Utterance:
    """What one user turn says: tokens, the values in it, and its keyword keys."""

    text: str
    tokens: tuple[Token, ...]
    words: tuple[str, ...]
    numbers: tuple[Mention, ...]
    lengths: tuple[Mention, ...]
    colors: tuple[Mention, ...]
    urls: tuple[Mention, ...]
    reserved: frozenset[int]
    key_positions: Mapping[str, tuple[int, ...]]

    @classmethod
    def parse(cls, text: str) -> Utterance:
        """Tokenise ``text`` and find its numbers, lengths, colours and keywords."""
        text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
        text = text.replace("\u201c", '"').replace("\u201d", '"')
        tokens = tuple(Token(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text))
        words = tuple(token.text for token in tokens)
        # Quoted text is one value as a whole: no keywords, colours or numbers inside it.
        quoted = {i for quote in QUOTED.finditer(text) for i, t in enumerate(tokens)
                  if quote.start() <= t.start < quote.end()}
        urls = _outside(find_urls(text, [(t.start, t.end) for t in tokens], words), quoted)
        in_urls = {i for m in urls for i in range(m.start, m.end)}
        colors = _outside(find_colors(words), quoted | in_urls)
        in_colors = {i for m in colors for i in range(m.start, m.end)}
        numbers = _outside(find_numbers(words), quoted | in_colors | in_urls)
        lengths = _outside(find_lengths(words, numbers), quoted)
        reserved = set(quoted) | in_urls
        positions: dict[str, list[int]] = {}
        for mention in (*numbers, *lengths, *colors):
            reserved.update(range(mention.start, mention.end))
        for i in range(len(words)):
            for phrase in READ_PHRASES:
                end = _phrase_end(words, i, phrase)
                if end is not None:
                    reserved.update(range(i, end))
                    positions.setdefault(word_key("read"), []).append(i)
        for i, word in enumerate(words):
            if i not in reserved:
                for key in content_keys([word]):
                    positions.setdefault(key, []).append(i)
            # "to do" said or written apart is the word of a to-do list.
            if words[i : i + 2] == ("to", "do") and words[i + 2 : i + 3] in (("list",), ("item",)):
                positions.setdefault(word_key("todo"), []).append(i)
        return cls(
            text, tokens, words, numbers, lengths, colors, urls, frozenset(reserved),
            MappingProxyType({key: tuple(places) for key, places in positions.items()}),
        )

    @property
    def keys(self) -> frozenset[str]:
        """Keyword keys of the content words that are not values."""
        return frozenset(self.key_positions)

    def positions(self, keys: Iterable[str]) -> list[int]:
        """Token indices, in order, of the content words with any of ``keys``."""
        return sorted(i for key in keys for i in self.key_positions.get(key, ()))

    def span_text(self, start: int, end: int) -> str:
        """The original text (case kept) of tokens ``start``..``end`` (exclusive)."""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]


def _phrase_end(words: Sequence[str], start: int, phrase: Sequence[str]) -> int | None:
    """Where ``phrase`` ends if it occurs at ``start``; a "*" matches one to three words."""
    if not phrase:
        return start
    head, rest = phrase[0], phrase[1:]
    if head == "*":
        for gap in (1, 2, 3):
            end = _phrase_end(words, start + gap, rest)
            if end is not None:
                return end
        return None
    if start < len(words) and words[start] == head:
        return _phrase_end(words, start + 1, rest)
    return None


def _outside(mentions: Sequence[Mention], tokens: set[int]) -> tuple[Mention, ...]:
    return tuple(m for m in mentions if not tokens.intersection(range(m.start, m.end)))
