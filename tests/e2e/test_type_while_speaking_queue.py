"""`type_while_speaking=queue` (embedded engine, real Chromium, the bridge's own page): a message
typed while the agent answers waits for the answer to end, then gets an answer of its own; the
first answer is neither cancelled nor cut off."""

from __future__ import annotations

import pytest

from bridge.drive.handle import BridgeHandle
from bridge.events.log import Record
from tests.e2e import agent_audio
from tests.e2e.answers import refusals, response_end, spoken_answer, status_of

pytestmark = [pytest.mark.e2e, pytest.mark.rtc_bridge(type_while_speaking="queue")]


def test_a_message_typed_during_an_answer_is_answered_after_it(voice_page: BridgeHandle) -> None:
    assert voice_page.evaluate("() => rtcBridge.typeWhileSpeaking") == "queue"
    agent_audio.install(voice_page)
    mark = voice_page.type("change the background color to blue")
    voice_page.wait_for_tool("changeBackgroundColor", {"color": "blue"}, after=mark)
    first = spoken_answer(voice_page, after=mark)
    agent_audio.wait_speaking(voice_page, first)
    typed = voice_page.type("make the text white")
    assert voice_page.wait_for_tool("changeTextColor", {"color": "white"}, after=typed,
                                    timeout_s=20).verified
    first_end = response_end(voice_page, first, timeout_s=20)
    assert status_of(first_end) == "completed"
    second = spoken_answer(voice_page, after=first_end.seq)
    assert status_of(response_end(voice_page, second, timeout_s=20)) == "completed"

    records = voice_page.events(after=typed)
    assert not [r for r in records if r.dir == "client" and r.type in (
        "response.cancel", "output_audio_buffer.clear")]
    # The message left the page only once the first answer had ended, and its response began
    # after that.
    message = next(r for r in records if r.dir == "client" and is_message(r))
    created = next(r for r in records if r.dir == "server" and r.type == "response.created"
                   and r.seq > message.seq)
    assert first_end.seq < message.seq < created.seq
    assert refusals(voice_page.events(after=mark)) == []


def is_message(record: Record) -> bool:
    item = record.event.get("item") or {}
    return record.type == "conversation.item.create" and item.get("type") == "message"
