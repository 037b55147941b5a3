"""A message typed or spoken while the agent answers is never lost (embedded engine, real
Chromium, the bridge's own page, default `type_while_speaking=interrupt`): the answer under way
ends cancelled, its voice stops at the page, and the new message gets an answer of its own; a
burst of typed messages loses none and is never refused.

How soon the voice stops is printed (`pytest -n 0 -s … -k typing`): 36–82 ms on an idle or
moderately loaded machine, against a goal of 300 ms. The test's bound only tells a cut from an
answer that plays on (each lasts 2 s or more), as three test workers on two cores have been
seen to stretch it past 300 ms."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bridge.demo.settle import busy_with
from bridge.drive.handle import BridgeHandle
from bridge.events.log import Record
from tests.e2e import agent_audio
from tests.e2e.answers import refusals, response_end, spoken_answer, status_of

pytestmark = pytest.mark.e2e

# How long the agent's voice may go on at the page after a message was typed over it before
# the test takes it for not cut at all (see the module's docstring for the measured figure).
INTERRUPTION_BOUND_MS = 1000
# Longer than the page's jitter buffer holds: the next answer's voice starts after the old
# answer's tail has played out (see agent_audio).
HOLD_TOOLS_MS = 600

Command = tuple[str, str, dict[str, Any]]
CHAIN: list[Command] = [
    ("change the background color to blue", "changeBackgroundColor", {"color": "blue"}),
    ("make the text white", "changeTextColor", {"color": "white"}),
    ("make the button red", "changeButtonStyle", {"color": "red"}),
    ("make the background yellow", "changeBackgroundColor", {"color": "yellow"}),
]
BURST: list[Command] = [
    ("make the background red", "changeBackgroundColor", {"color": "red"}),
    ("make the text white", "changeTextColor", {"color": "white"}),
    ("make the button bigger", "changeButtonStyle", {"size": "bigger"}),
    ("change the background color to blue", "changeBackgroundColor", {"color": "blue"}),
    ("make the text yellow", "changeTextColor", {"color": "yellow"}),
]


def transcript_of(handle: BridgeHandle, response_id: str) -> str:
    return "".join(str(r.event.get("delta")) for r in handle.events(
        type="response.output_audio_transcript.delta") if r.event.get("response_id") == response_id)


def test_typing_over_an_answer_cancels_it_and_the_message_gets_its_own_answer(
    voice_page: BridgeHandle,
) -> None:
    agent_audio.install(voice_page)
    agent_audio.hold_tool_calls(voice_page, HOLD_TOOLS_MS)
    start = voice_page.event_log.last_seq
    first, tool, args = CHAIN[0]
    mark = voice_page.type(first)
    voice_page.wait_for_tool(tool, args, after=mark)
    answer = spoken_answer(voice_page, after=mark)
    measured: list[float] = []
    for text, tool, args in CHAIN[1:]:
        agent_audio.wait_speaking(voice_page, answer, loud_ms=600)
        mark = voice_page.type(text)
        assert voice_page.wait_for_tool(tool, args, after=mark).verified
        assert status_of(response_end(voice_page, answer)) == "cancelled"
        new = spoken_answer(voice_page, after=mark)
        assert new != answer and str(next(iter(args.values()))) in transcript_of(voice_page, new)
        heard = agent_audio.wait_speaking(voice_page, new)
        measured.append(heard.interruption_ms(heard.typed[-1], heard.started[new]))
        answer = new
    assert status_of(response_end(voice_page, answer, timeout_s=20)) == "completed"
    print(f"typed message -> the agent's voice stopped at the page: "
          f"{', '.join(f'{ms:.0f}' for ms in measured)} ms")
    assert max(measured) <= INTERRUPTION_BOUND_MS, measured
    assert refusals(voice_page.events(after=start)) == []


def test_speaking_over_an_answer_cancels_it_and_the_speech_gets_its_own_answer(
    voice_page: BridgeHandle,
) -> None:
    agent_audio.install(voice_page)
    mark = voice_page.type("change the background color to green")
    voice_page.wait_for_tool("changeBackgroundColor", {"color": "green"}, after=mark)
    answer = spoken_answer(voice_page, after=mark)
    agent_audio.wait_speaking(voice_page, answer)
    said = voice_page.say("make the text yellow")
    assert voice_page.wait_for_tool("changeTextColor", {"color": "yellow"}, after=said.mark,
                                    timeout_s=20).verified
    ended = response_end(voice_page, answer)
    assert status_of(ended) == "cancelled"
    assert ended.event["response"]["status_details"]["reason"] == "turn_detected"
    new = spoken_answer(voice_page, after=said.mark)
    assert new != answer and "yellow" in transcript_of(voice_page, new)
    assert status_of(response_end(voice_page, new, timeout_s=20)) == "completed"
    assert refusals(voice_page.events(after=mark)) == []


def test_a_burst_of_five_typed_messages_gets_five_answers_or_cancellations(
    voice_page: BridgeHandle,
) -> None:
    mark = voice_page.event_log.last_seq
    for text, _, _ in BURST:
        voice_page.type(text)
    last_text, last_tool, last_args = BURST[-1]
    assert voice_page.wait_for_tool(last_tool, last_args, after=mark, timeout_s=20).verified
    records = settled(voice_page, after=mark)
    typed = [(i, r) for i, r in enumerate(records) if is_user_message(r)]
    assert [text_of(r) for _, r in typed] == [text for text, _, _ in BURST]
    outcomes = [outcome_of(records, index) for index, _ in typed]
    assert all(outcome in ("completed", "cancelled") for outcome in outcomes), outcomes
    assert outcomes[-1] == "completed"
    assert most_creates_in_flight(records) == 1
    assert refusals(records) == []
    engine = voice_page.server.bridge.engine
    assert engine is not None
    session = engine.sessions[voice_page.browser.call_id]
    said = [part.get("text") for item in session.items if item.get("role") == "user"
            for part in item.get("content", [])]
    assert said == [text for text, _, _ in BURST]


def settled(handle: BridgeHandle, *, after: int, timeout_s: float = 30) -> list[Record]:
    """The records after `after` once the agent has finished answering."""
    deadline = time.monotonic() + timeout_s
    while True:
        records = handle.events(after=after)
        busy = busy_with(records, now=handle.event_log.now())
        if busy is None:
            return records
        assert time.monotonic() < deadline, f"the agent was still answering: {busy}"
        time.sleep(0.1)


def is_user_message(record: Record) -> bool:
    item = record.event.get("item") or {}
    return (record.dir == "client" and record.type == "conversation.item.create"
            and item.get("type") == "message" and item.get("role") == "user")


def text_of(record: Record) -> str:
    return str(record.event["item"]["content"][0]["text"])


def outcome_of(records: list[Record], message_at: int) -> str:
    """How the response asked for right after the message at `message_at` ended."""
    later = records[message_at + 1:]
    create = next(i for i, r in enumerate(later) if r.dir == "client" and r.type == "response.create")
    created = next(r for r in later[create:] if r.dir == "server" and r.type == "response.created")
    response_id = created.event["response"]["id"]
    done = next(r for r in later if r.dir == "server" and r.type == "response.done"
                and r.event["response"]["id"] == response_id)
    return status_of(done)


def most_creates_in_flight(records: list[Record]) -> int:
    """The most `response.create` sent at once without their response yet."""
    in_flight = most = 0
    for record in records:
        if record.dir == "client" and record.type == "response.create":
            in_flight += 1
        elif record.dir == "server" and record.type == "response.created":
            in_flight = max(0, in_flight - 1)
        most = max(most, in_flight)
    return most
