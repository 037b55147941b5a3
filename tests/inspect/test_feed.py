"""The inspector's log: transcripts, tool calls with their verdict, status lines, the rest as
plain events, the chatty ones left out, and no secret shown."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.events.log import Direction, EventLog
from bridge.events.records import PageLost, ToolRefused, ToolVerified
from bridge.inspect.feed import FeedEntry, Redactor, entry_of

CALL = {"call_id": "call_1", "name": "changeBackgroundColor", "arguments": '{"color": "blue"}'}


def logged(dir: Direction, type: str, **event: Any) -> FeedEntry | None:
    log = EventLog()
    return entry_of(log.append(dir=dir, type=type, event={"type": type, **event}))


@pytest.mark.parametrize("verdict", ["verified", "not_verified", "unchecked", "unwatched"])
def test_a_tool_call_carries_its_verdict_and_name(verdict: Any) -> None:
    log = EventLog()
    record = log.append_bridge(ToolVerified.for_call(CALL, verdict=verdict, observed={
        "backgroundColor": "rgb(0, 0, 255)"}, reason=None, ok=True))
    entry = entry_of(record)
    assert entry is not None and (entry.kind, entry.verdict, entry.tool) == (
        "tool", verdict, "changeBackgroundColor")
    assert "backgroundColor=rgb(0, 0, 255)" in entry.text and entry.seq == record.seq


def test_a_refused_call_is_a_tool_line_refused() -> None:
    record = EventLog().append_bridge(ToolRefused.for_call(CALL, reason="unknown tool"))
    entry = entry_of(record)
    assert entry is not None and (entry.kind, entry.verdict) == ("tool", "refused")
    assert "unknown tool" in entry.text


def test_transcripts_both_ways() -> None:
    heard = logged("server", "conversation.item.input_audio_transcription.completed",
                   transcript="make it blue")
    said = logged("server", "response.output_audio_transcript.done", transcript="Done.")
    typed = logged("client", "conversation.item.create", item={
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]})
    assert heard is not None and (heard.kind, heard.text) == ("user", "user said: make it blue")
    assert said is not None and (said.kind, said.text) == ("agent", "agent: Done.")
    assert typed is not None and (typed.kind, typed.text) == ("user", "user typed: hi")


def test_session_changes_and_bridge_records_are_status_lines() -> None:
    updated = logged("server", "session.updated", session={})
    lost = entry_of(EventLog().append_bridge(PageLost(reason="the page crashed")))
    assert updated is not None and updated.kind == "status"
    assert lost is not None and lost.kind == "status" and "the page crashed" in lost.text


def test_other_events_are_plain_and_chatty_ones_are_left_out() -> None:
    created = logged("server", "response.created", response={"id": "resp_1"})
    assert created is not None and created.kind == "event" and created.verdict is None
    assert logged("server", "response.output_audio_transcript.delta", delta="Do") is None
    output = logged("client", "conversation.item.create",
                    item={"type": "function_call_output", "call_id": "c", "output": "{}"})
    assert output is not None and output.kind == "event"


def test_secrets_are_redacted_longest_first() -> None:
    redactor = Redactor(["sk-secret", "sk-secret-longer", None, ""])
    entry = FeedEntry(1, 0.5, "event", "key sk-secret-longer and sk-secret", None, None)
    assert redactor.entry(entry).text == "key [redacted] and [redacted]"
    untouched = FeedEntry(2, 0.5, "event", "nothing here")
    assert redactor.entry(untouched) is untouched


def test_entries_as_json() -> None:
    entry = FeedEntry(3, 1.23456, "tool", "x VERIFIED", "verified", "x")
    assert entry.to_json() == {"seq": 3, "t": 1.235, "kind": "tool", "text": "x VERIFIED",
                               "verdict": "verified", "tool": "x"}
