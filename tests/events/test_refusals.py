"""A request the upstream refused because a response was still active is marked in the event
log, after the upstream's own error, with what goes unanswered."""

from __future__ import annotations

from typing import Any

from bridge.events.log import Direction, EventLog
from bridge.events.records import ResponseRefused, all_of, read
from bridge.events.refusals import ACTIVE_RESPONSE_CODE, RefusalWatch


def typed(text: str) -> dict[str, Any]:
    return {"type": "conversation.item.create", "item": {
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}


def refused(response_id: str, event_id: str | None = None) -> dict[str, Any]:
    return {"type": "error", "error": {
        "type": "invalid_request_error", "code": ACTIVE_RESPONSE_CODE, "event_id": event_id,
        "message": f"Conversation already has an active response in progress: {response_id}."}}


def test_a_refused_create_is_marked_with_the_message_it_leaves_unanswered() -> None:
    log = EventLog()
    watch = RefusalWatch(log)
    events: list[tuple[Direction, dict[str, Any], str]] = [
        ("client", typed("paint it green"), "rtc_a"),
        ("client", {"type": "response.create"}, "rtc_a"),
        ("server", {"type": "response.created", "response": {"id": "resp_1"}}, "rtc_a"),
        ("client", typed("what can you do"), "rtc_a"),
        ("client", {"type": "response.create", "event_id": "turn_2"}, "rtc_a"),
        # Another call's traffic in between belongs to that call only.
        ("client", typed("hello"), "rtc_b"),
        ("server", refused("resp_1", "turn_2"), "rtc_a"),
    ]
    for direction, event, session in events:
        log.append(dir=direction, type=event["type"], event=event, session=session)
    watch.close()
    log.append(dir="server", type="error", event=refused("resp_1"), session="rtc_a")

    records = log.records()
    [marked] = [r for r in records if r.dir == "bridge"]
    assert records[-2] is marked and records[-3].type == "error"  # right after the error
    assert marked.session == "rtc_a"
    assert read(marked) == ResponseRefused(
        active_response_id="resp_1", unanswered="what can you do",
        message="Conversation already has an active response in progress: resp_1.",
        event_id="turn_2")
    assert "what can you do" in (read(marked) or ResponseRefused(None, None, "")).describe()


def test_other_errors_and_answered_requests_are_not_marked() -> None:
    log = EventLog()
    RefusalWatch(log)
    events: list[tuple[Direction, dict[str, Any]]] = [
        ("client", typed("paint it green")),
        ("server", {"type": "response.created", "response": {"id": "resp_1"}}),
        ("server", {"type": "response.done", "response": {"id": "resp_1"}}),
        ("server", {"type": "error", "error": {"code": "response_cancel_not_active"}}),
        ("server", {"type": "error", "error": "not an object"}),
        ("client", {"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": "call_9", "output": "{}"}}),
        ("server", refused("resp_2")),
    ]
    for direction, event in events:
        log.append(dir=direction, type=str(event["type"]), event=event, session=None)
    [marked] = all_of(ResponseRefused, log.records())
    # The output came after the only response there was: it is what the refusal leaves.
    assert (marked.active_response_id, marked.unanswered) == (None, "the output of call_9")
