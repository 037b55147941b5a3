"""The voice page takes turns with the agent (`pages/turns.js`): a message typed while a response
is active interrupts it (or, in queue mode, waits for its end), the answer to tool outputs waits,
and never are two `response.create` in flight. A stand-in upstream plays the server's part event
by event, so each step of the protocol is seen as the page sends it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import page_harness
from tests.e2e.page_harness import (
    FakeUpstream,
    connect_to,
    function_call,
    response_created,
    response_done,
)

pages_url = page_harness.pages_url
upstream = page_harness.upstream

# How long the page is given to send something it must not send.
QUIET_MS = 300


def type_message(page: Page, text: str) -> None:
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("message-input").press("Enter")


def sent(upstream: FakeUpstream) -> list[tuple[str, Any]]:
    """What the page sent after its session.update: each event's type and what tells it apart
    (a message's text, a cancel's response id)."""
    shown: list[tuple[str, Any]] = []
    for event in upstream.received()[1:]:
        item = event.get("item") or {}
        detail = event.get("response_id")
        if item.get("type") == "message":
            detail = item["content"][0]["text"]
        elif item.get("type") == "function_call_output":
            detail = item["call_id"]
        shown.append((event["type"], detail))
    return shown


def message(text: str) -> list[tuple[str, Any]]:
    return [("conversation.item.create", text), ("response.create", None)]


def cancel(response_id: str) -> list[tuple[str, Any]]:
    return [("response.cancel", response_id), ("output_audio_buffer.clear", None)]


def test_a_message_typed_during_an_answer_interrupts_it_then_is_sent(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    assert page.evaluate("() => rtcBridge.typeWhileSpeaking") == "interrupt"
    upstream.send(response_created("resp_1"))
    type_message(page, "what can you do")
    upstream.wait_for_count("output_audio_buffer.clear", 1)
    # The message shows at once; it goes upstream only once the answer has ended.
    expect(page.get_by_test_id("transcript").locator("li.user")).to_have_text("what can you do")
    page.wait_for_timeout(QUIET_MS)
    assert sent(upstream) == cancel("resp_1")

    upstream.send(response_done("resp_1", "cancelled", []))
    upstream.wait_for_count("response.create", 1)
    assert sent(upstream) == cancel("resp_1") + message("what can you do")


def test_in_queue_mode_a_message_waits_for_the_answer_to_end(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream, query="&type_while_speaking=queue")
    assert page.evaluate("() => rtcBridge.typeWhileSpeaking") == "queue"
    upstream.send(response_created("resp_1"))
    type_message(page, "make the text white")
    page.wait_for_timeout(QUIET_MS)
    assert sent(upstream) == []

    upstream.send(response_done("resp_1", "completed", []))
    upstream.wait_for_count("response.create", 1)
    assert sent(upstream) == message("make the text white")


def test_a_message_typed_while_a_create_is_in_flight_interrupts_its_response(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    type_message(page, "make the background red")
    upstream.wait_for_count("response.create", 1)
    type_message(page, "make the text white")
    page.wait_for_timeout(QUIET_MS)
    assert sent(upstream) == message("make the background red")  # nothing to cancel yet

    upstream.send(response_created("resp_1"))
    upstream.wait_for_count("output_audio_buffer.clear", 1)
    upstream.send(response_done("resp_1", "cancelled", []))
    upstream.wait_for_count("response.create", 2)
    assert sent(upstream) == (message("make the background red") + cancel("resp_1")
                              + message("make the text white"))


def test_a_refused_create_is_asked_again_once_the_active_response_ends(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    type_message(page, "make the button bigger")
    upstream.wait_for_count("response.create", 1)
    refused = upstream.received()[-1]["event_id"]
    # The server had started a response of its own (for speech) as the create crossed it.
    upstream.send(response_created("resp_speech"))
    upstream.send({"type": "error", "error": {
        "type": "invalid_request_error", "code": "conversation_already_has_active_response",
        "message": "Conversation already has an active response in progress: resp_speech.",
        "param": None, "event_id": refused}})
    page.wait_for_timeout(QUIET_MS)
    assert upstream.types().count("response.create") == 1

    upstream.send(response_done("resp_speech", "completed", []))
    upstream.wait_for_count("response.create", 2)
    again = upstream.received()[-1]
    assert again["type"] == "response.create" and again["event_id"] != refused
    # The message itself is in the conversation already: only the create goes again.
    assert sent(upstream) == message("make the button bigger") + [("response.create", None)]


def test_the_answer_to_tool_outputs_waits_for_the_active_response(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    upstream.send(response_created("resp_speech"))
    call = function_call("call_a", "changeBackgroundColor", '{"color": "red"}')
    upstream.send(response_done("resp_tool", "completed", [call]))
    upstream.wait_for_count("conversation.item.create", 1)
    page.wait_for_timeout(QUIET_MS)
    assert sent(upstream) == [("conversation.item.create", "call_a")]

    upstream.send(response_done("resp_speech", "completed", []))
    upstream.wait_for_count("response.create", 1)
    page.wait_for_timeout(QUIET_MS)
    assert sent(upstream) == [("conversation.item.create", "call_a"), ("response.create", None)]


def test_a_burst_of_typed_messages_gets_a_response_each_one_at_a_time(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    upstream.send(response_created("resp_0"))
    texts = [f"message {n}" for n in range(1, 6)]
    for text in texts:
        type_message(page, text)
    upstream.wait_for_count("output_audio_buffer.clear", 1)
    expected = cancel("resp_0")
    upstream.send(response_done("resp_0", "cancelled", []))
    # The server's part: each create gets its response; a message still waiting interrupts it.
    for n, text in enumerate(texts, start=1):
        upstream.wait_for_count("response.create", n)
        expected += message(text)
        upstream.send(response_created(f"resp_{n}"))
        if n < len(texts):
            upstream.wait_for_count("output_audio_buffer.clear", n + 1)
            expected += cancel(f"resp_{n}")
            upstream.send(response_done(f"resp_{n}", "cancelled", []))
    page.wait_for_timeout(QUIET_MS)
    assert sent(upstream) == expected


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_call_of_a_response_asked_to_cancel_runs_only_if_it_completed(
    page: Page, pages_url: str, upstream: FakeUpstream, status: str
) -> None:
    connect_to(page, pages_url, upstream)
    upstream.send(response_created("resp_1"))
    type_message(page, "make the text white")
    upstream.wait_for_count("output_audio_buffer.clear", 1)
    # "completed": the server had finished resp_1 (a tool call) before the cancel reached it,
    # so the call is in the conversation and the command it carries must not be lost.
    call = function_call("call_a", "changeBackgroundColor", '{"color": "red"}')
    upstream.send(response_done("resp_1", status, [call]))
    upstream.wait_for_count("response.create", 1)
    page.wait_for_timeout(QUIET_MS)
    ran = [("conversation.item.create", "call_a")] if status == "completed" else []
    assert sorted(sent(upstream)[2:], key=str) == sorted(
        message("make the text white") + ran, key=str)
    assert [o["call_id"] for o in upstream.outputs()] == [c for _, c in ran]
    if ran:
        expect(page.locator("body")).to_have_css("background-color", "rgb(255, 0, 0)")
