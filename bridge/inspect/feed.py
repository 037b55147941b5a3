"""The event log as people read it in the inspector: one entry per record worth a line, typed,
with the kind of line it is and, for a tool call, its verdict.

    entry = entry_of(record)          # None for the chatty records
    entry.to_json()                   # {"seq", "t", "kind", "text", "verdict", "tool"}

Secrets never reach a watcher: every text passes through `Redactor` (the OpenAI key, the
engine's key, the inspector's token), and no entry carries a header.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..events.describe import detail
from ..events.log import Record
from ..events.records import ToolRefused, ToolVerified, read

__all__ = ["FeedEntry", "Kind", "Redactor", "entry_of"]

Kind = Literal["user", "agent", "tool", "status", "event"]
REDACTED = "[redacted]"

_TRANSCRIPTS: dict[str, Kind] = {
    "conversation.item.input_audio_transcription.completed": "user",
    "response.output_audio_transcript.done": "agent",
    "response.output_text.done": "agent",
}
# Events that say how the page's session stands, shown beside the transcripts.
_STATUS_TYPES = frozenset({"session.created", "session.updated", "error"})


@dataclass(frozen=True)
class FeedEntry:
    """One line of the inspector's log. `verdict` (tool lines): verified, not_verified,
    unchecked, unwatched, or refused; `tool`: the tool's name."""

    seq: int
    t: float
    kind: Kind
    text: str
    verdict: str | None = None
    tool: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "t": round(self.t, 3)}


def entry_of(record: Record) -> FeedEntry | None:
    """The line `record` makes in the inspector's log; None for the chatty records."""
    ours = read(record)
    if isinstance(ours, ToolVerified):
        return FeedEntry(record.seq, record.t, "tool", ours.describe(), ours.verdict, ours.name)
    if isinstance(ours, ToolRefused):
        return FeedEntry(record.seq, record.t, "tool", ours.describe(), "refused", ours.name)
    text = detail(record)
    if text is None:
        return None
    kind = _TRANSCRIPTS.get(record.type)
    if kind is not None:
        return FeedEntry(record.seq, record.t, kind, text)
    item = record.event.get("item")
    if record.type == "conversation.item.create" and isinstance(item, dict) and (
            item.get("type") == "message"):
        return FeedEntry(record.seq, record.t, "user", text)
    if ours is not None or record.type in _STATUS_TYPES:
        return FeedEntry(record.seq, record.t, "status", f"{record.type} {text}".rstrip())
    return FeedEntry(record.seq, record.t, "event", f"{record.dir} {record.type} {text}".rstrip())


class Redactor:
    """Replaces each secret in a text with `[redacted]`."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        # Longest first, so that a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def entry(self, entry: FeedEntry) -> FeedEntry:
        clean = self.text(entry.text)
        if clean == entry.text:
            return entry
        return FeedEntry(entry.seq, entry.t, entry.kind, clean, entry.verdict, entry.tool)
