"""When a demo step is over: the agent has finished answering, so the next step does not talk
over it. Read from the event log alone, so that it is the same for every page and upstream.

A page that answers a tool call with its output and never asks for a response (the seed's
style: no `response.create`) would otherwise keep a step waiting for an answer that is not
coming: an output not followed by `response.create` within `CREATE_GRACE_S` is taken as final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..events.log import Record

__all__ = ["CREATE_GRACE_S", "busy_with", "conversation_busy"]

# How long after a function_call_output a page's own `response.create` may come.
CREATE_GRACE_S = 1.0


def conversation_busy(records: Sequence[Record], *, now: float | None = None) -> bool:
    """Whether the conversation is still moving (see `busy_with`)."""
    return busy_with(records, now=now) is not None


def busy_with(records: Sequence[Record], *, now: float | None = None) -> str | None:
    """What keeps the conversation moving, in a few words, or None once it is still: a user
    turn open or not yet transcribed, a function call without its output, an output not yet
    followed by `response.create` (for `CREATE_GRACE_S` after it, when `now` is given on the
    event log's clock), a response asked for or running, or audio playing."""
    state = _Conversation()
    for record in records:
        if record.dir == "client":
            state.client(record)
        elif record.dir == "server":
            state.server(record)
    awaiting = state.output_t is not None and (now is None or now - state.output_t
                                               < CREATE_GRACE_S)
    reasons = [
        "the user's turn is open" if state.open_turn else "",
        "a tool output may still be followed by response.create" if awaiting else "",
        f"{state.pending_transcripts} transcript(s) pending" if state.pending_transcripts else "",
        f"{state.pending_creates} response.create without its response"
        if state.pending_creates else "",
        f"call(s) without output: {', '.join(sorted(state.calls))}" if state.calls else "",
        f"response(s) running: {', '.join(sorted(state.responses))}" if state.responses else "",
        f"audio playing: {', '.join(sorted(state.playing))}" if state.playing else "",
    ]
    return "; ".join(r for r in reasons if r) or None


@dataclass
class _Conversation:
    open_turn: bool = False
    output_t: float | None = None  # an output not yet followed by response.create, since when
    pending_transcripts: int = 0
    pending_creates: int = 0
    calls: dict[str, str] = field(default_factory=dict)  # call id → response id, until output
    responses: set[str] = field(default_factory=set)
    playing: set[str] = field(default_factory=set)

    def client(self, record: Record) -> None:
        event, kind = record.event, record.type
        item = event.get("item") or {}
        if kind == "response.create":
            self.pending_creates += 1
            self.output_t = None
        elif kind == "conversation.item.create" and item.get("type") == "function_call_output":
            self.calls.pop(str(item.get("call_id")), None)
            self.output_t = record.t

    def server(self, record: Record) -> None:
        event, kind = record.event, record.type
        if kind == "input_audio_buffer.speech_started":
            self.open_turn = True
        elif kind in ("input_audio_buffer.speech_stopped", "input_audio_buffer.cleared"):
            self.open_turn = False
        elif kind == "input_audio_buffer.committed":
            self.pending_transcripts += 1
        elif kind in ("conversation.item.input_audio_transcription.completed",
                      "conversation.item.input_audio_transcription.failed"):
            self.pending_transcripts = max(0, self.pending_transcripts - 1)
        elif kind == "response.function_call_arguments.done":
            self.calls[str(event.get("call_id"))] = str(event.get("response_id"))
        elif kind == "response.created":
            self.pending_creates = max(0, self.pending_creates - 1)
            self.responses.add(str((event.get("response") or {}).get("id")))
        elif kind == "response.done":
            self._done(event.get("response") or {})
        elif kind == "error":
            self.pending_creates = max(0, self.pending_creates - 1)
        elif kind == "output_audio_buffer.started":
            self.playing.add(str(event.get("response_id")))
        elif kind in ("output_audio_buffer.stopped", "output_audio_buffer.cleared"):
            if event.get("response_id"):
                self.playing.discard(str(event.get("response_id")))
            else:
                self.playing.clear()

    def _done(self, response: dict[str, object]) -> None:
        self.responses.discard(str(response.get("id")))
        if response.get("status") != "completed":  # its calls never run
            self.calls = {c: r for c, r in self.calls.items() if r != str(response.get("id"))}
