"""One readable line per event-log record, the same wherever a person reads the log: the
terminal of `rtc-bridge run` and the inspector's log."""

from __future__ import annotations

import json
from typing import Any

from .log import Record
from .records import read

__all__ = ["QUIET_TYPES", "describe", "detail"]

# Events too chatty to show one line each (the event log keeps them all).
QUIET_TYPES = frozenset({
    "response.output_audio_transcript.delta", "response.output_text.delta",
    "response.function_call_arguments.delta", "response.content_part.added",
    "response.content_part.done", "conversation.item.added", "response.output_item.added",
})


def describe(record: Record) -> str | None:
    """`t  dir  type  detail` for a record, or None for the chatty ones."""
    text = detail(record)
    if text is None:
        return None
    return f"{record.t:8.3f}  {record.dir:<6}  {record.type}  {text}".rstrip()


def detail(record: Record) -> str | None:
    """What a record says, in a few words ("" when its type says it all); None for the
    chatty ones."""
    event: dict[str, Any] = record.event
    if record.type in QUIET_TYPES:
        return None
    ours = read(record)
    if ours is not None:
        return ours.describe()
    if record.type == "error":
        return str((event.get("error") or {}).get("message"))
    if record.type == "response.function_call_arguments.done":
        return f"{event.get('name')} {event.get('arguments')}"
    if record.type == "response.output_audio_transcript.done":
        return f"agent: {event.get('transcript')}"
    if record.type == "response.output_text.done":
        return f"agent: {event.get('text')}"
    if record.type == "conversation.item.input_audio_transcription.completed":
        return f"user said: {event.get('transcript')}"
    if record.type == "conversation.item.create":
        item = event.get("item") or {}
        if item.get("type") == "function_call_output":
            return f"output {str(item.get('output'))[:120]}"
        return f"user typed: {typed_text(item)}"
    if record.type == "response.done":
        return str((event.get("response") or {}).get("status"))
    if record.dir == "bridge":
        return json.dumps(event)[:160]
    return ""


def typed_text(item: Any) -> str:
    """The text of a user message item (`input_text` parts joined)."""
    parts = item.get("content") if isinstance(item, dict) else None
    texts = [c.get("text") for c in parts or [] if isinstance(c, dict)]
    return " ".join(t for t in texts if isinstance(t, str) and t)
