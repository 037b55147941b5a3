"""When a demo step is over: the agent must have finished answering before the next step."""

from __future__ import annotations

from typing import Any

from bridge.demo.settle import CREATE_GRACE_S, busy_with, conversation_busy
from bridge.events.log import Record


def _records(*events: tuple[str, str, dict[str, Any]]) -> list[Record]:
    return [Record(t=float(i), session="rtc_1", dir=d, type=kind,  # type: ignore[arg-type]
                   event={"type": kind, **body}, seq=i + 1)
            for i, (d, kind, body) in enumerate(events)]


Entry = tuple[str, str, dict[str, Any]]

CALL: Entry = ("server", "response.function_call_arguments.done", {"call_id": "c1", "response_id": "r1"})
CREATED_1: Entry = ("server", "response.created", {"response": {"id": "r1"}})
DONE_1: Entry = ("server", "response.done", {"response": {"id": "r1", "status": "completed"}})
OUTPUT: Entry = ("client", "conversation.item.create",
          {"item": {"type": "function_call_output", "call_id": "c1"}})
CREATE: Entry = ("client", "response.create", {})
CREATED_2: Entry = ("server", "response.created", {"response": {"id": "r2"}})
STARTED_2: Entry = ("server", "output_audio_buffer.started", {"response_id": "r2"})
DONE_2: Entry = ("server", "response.done", {"response": {"id": "r2", "status": "completed"}})
STOPPED_2: Entry = ("server", "output_audio_buffer.stopped", {"response_id": "r2"})


def test_a_tool_round_trip_is_busy_until_the_spoken_answer_has_stopped() -> None:
    steps = [CREATED_1, CALL, DONE_1, OUTPUT, CREATE, CREATED_2, STARTED_2, DONE_2, STOPPED_2]
    busy = [conversation_busy(_records(*steps[: n + 1])) for n in range(len(steps))]
    # Between the call's response.done and the page's output, the call is still pending.
    assert busy == [True, True, True, True, True, True, True, True, False]


def test_an_open_or_untranscribed_user_turn_is_busy() -> None:
    started: Entry = ("server", "input_audio_buffer.speech_started", {})
    stopped: Entry = ("server", "input_audio_buffer.speech_stopped", {})
    committed: Entry = ("server", "input_audio_buffer.committed", {})
    heard: Entry = ("server", "conversation.item.input_audio_transcription.completed",
             {"transcript": "hello"})
    assert conversation_busy(_records(started))
    assert conversation_busy(_records(started, stopped, committed))
    assert not conversation_busy(_records(started, stopped, committed, heard))


def test_calls_of_a_cancelled_response_are_not_waited_for() -> None:
    cancelled = ("server", "response.done", {"response": {"id": "r1", "status": "cancelled"}})
    assert not conversation_busy(_records(CREATED_1, CALL, cancelled))
    refused = ("server", "error", {"error": {"code": "conversation_already_has_active_response"}})
    assert not conversation_busy(_records(CREATE, refused))


def test_a_page_that_never_asks_for_an_answer_is_done_a_moment_after_its_output() -> None:
    # The seed's style: the output, and no response.create after it.
    records = _records(CREATED_1, CALL, DONE_1, OUTPUT)
    output_t = records[-1].t
    assert conversation_busy(records, now=output_t + CREATE_GRACE_S / 2)
    assert not conversation_busy(records, now=output_t + CREATE_GRACE_S)
    assert conversation_busy(records)  # with no clock to judge by, it waits for one
    # A page that does ask keeps the step waiting for the answer, however long it takes.
    assert conversation_busy(_records(CREATED_1, CALL, DONE_1, OUTPUT, CREATE), now=100.0)


def test_what_keeps_the_conversation_busy_is_named() -> None:
    assert busy_with(_records(CREATED_1, CALL)) == (
        "call(s) without output: c1; response(s) running: r1")
    assert busy_with(_records(CREATE)) == "1 response.create without its response"
    assert busy_with(_records(CREATED_2, STARTED_2, DONE_2)) == "audio playing: r2"
    assert busy_with(_records(CREATED_2, STARTED_2, DONE_2, STOPPED_2)) is None
