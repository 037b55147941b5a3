"""The accuracy tables: held-out first, pooled, then per tool set, voice and transform, free
text apart, and the false-accept rate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .corpus import Command, Corpus, OffTopic
from .hearing import Heard, Typed

__all__ = ["PartResult", "format_part", "misses"]

Group = Callable[[Heard], str]


@dataclass(frozen=True)
class PartResult:
    """One part of the corpus as heard: spoken (how: ``mode``) and typed."""

    corpus: Corpus
    spoken: tuple[Heard, ...]
    typed: tuple[Typed, ...]
    mode: str
    elapsed_s: float


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}%" if total else "     -"


def _cell(group: Sequence[Heard]) -> str:
    right = sum(h.ok for h in group)
    return f"{right:4d}/{len(group):<4d} {_pct(right, len(group))}" if group else f"{'-':>9}{'':6}"


def _commands(heard: Sequence[Heard], free_text: bool) -> list[Heard]:
    return [h for h in heard
            if isinstance(h.utterance.item, Command) and h.utterance.item.free_text == free_text]


def _off_topic(heard: Sequence[Heard]) -> list[Heard]:
    return [h for h in heard if isinstance(h.utterance.item, OffTopic)]


def format_part(result: PartResult) -> str:
    """The tables for one part, as printed by ``make accuracy``."""
    corpus, spoken = result.corpus, result.spoken
    lines = [f"== {corpus.part}: {len(spoken)} spoken utterances ({len(corpus.commands)} command wordings, "
             f"{len(corpus.off_topic)} off-topic), {len(corpus.toolsets)} tool sets, {len(corpus.voices)} "
             f"voices; {result.mode}; {result.elapsed_s / 60:.1f} min"]
    typed_commands = [t.ok for t in result.typed if isinstance(t.item, Command)]
    typed_off = [t.ok for t in result.typed if isinstance(t.item, OffTopic)]
    off = _off_topic(spoken)
    false_accepts = sum(not h.ok for h in off)
    lines += [
        f"{'':38}{'right/of':>10} {'accuracy':>8}   goal",
        f"{'spoken commands (free text apart)':38}{_cell(_commands(spoken, False))}   >= 90%",
        f"{'spoken free text (to-dos, names, URLs)':38}{_cell(_commands(spoken, True))}   >= 70%",
        f"{'spoken off-topic -> no tool':38}{_cell(off)}   >= 95%",
        f"{'typed commands':38}{sum(typed_commands):4d}/{len(typed_commands):<4d} "
        f"{_pct(sum(typed_commands), len(typed_commands))}   >= 98%",
        f"{'typed off-topic -> no tool':38}{sum(typed_off):4d}/{len(typed_off):<4d} "
        f"{_pct(sum(typed_off), len(typed_off))}",
        f"false accepts: {false_accepts} of {len(off)} off-topic utterances "
        f"({_pct(false_accepts, len(off)).strip()})",
    ]
    lines += _table("per tool set", spoken, lambda h: h.utterance.toolset)
    lines += _table("per voice (* held out)", spoken,
                    lambda h: ("* " if h.utterance.voice.held_out else "  ") + h.utterance.voice.label)
    lines += _table("per transform", spoken, lambda h: h.utterance.transform)
    latencies = [h.latency_ms for h in spoken if h.latency_ms is not None]
    if latencies:
        p50, p90 = np.percentile(latencies, [50, 90])
        lines.append(f"end of speech -> function call at the client: p50 {p50:.0f} ms, p90 {p90:.0f} ms")
    errors = sum(h.error is not None for h in spoken)
    if errors:
        lines.append(f"{errors} utterances got no response within the timeout (counted wrong)")
    return "\n".join(lines)


def _table(title: str, heard: Sequence[Heard], group: Group) -> list[str]:
    rows: dict[str, list[Heard]] = {}
    for h in heard:
        rows.setdefault(group(h), []).append(h)
    lines = ["", f"{title:38}{'commands':>15}{'free text':>16}{'off-topic':>16}"]
    for label in sorted(rows):
        members = rows[label]
        lines.append(f"{label:38}{_cell(_commands(members, False))} {_cell(_commands(members, True))} "
                     f"{_cell(_off_topic(members))}")
    return lines


def misses(result: PartResult) -> str:
    """Every wrong answer of a tuning run: what was said, heard and called."""
    if result.corpus.part != "tuning":
        raise ValueError("only tuning misses are listed; held-out parts report figures only")
    lines = []
    for h in result.spoken:
        if not h.ok:
            u = h.utterance
            lines.append(f"  [{u.toolset}] {u.voice.label:30} {u.transform:18} {u.item.text!r} -> "
                         f"{h.transcript!r} {h.call or ''} {h.error or ''}")
    typed = [f"  [{t.toolset}] {t.item.text!r} -> {t.call}" for t in result.typed if not t.ok]
    return "\n".join([f"spoken misses ({len(lines)}):", *lines, f"typed misses ({len(typed)}):", *typed])
