"""Typed messages on a user's page: an answer in the way is cancelled (or waited for), and a
create refused because the page's own answer had started unseen is asked again once it ends.
The page's channel is a recorder here; `tests/e2e/test_user_pages.py` runs the real one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, cast

from bridge.browser.instrument.page import PageInstrument
from bridge.browser.typed_turns import MAX_ATTEMPTS, TypedTurns

Arun = Callable[[Coroutine[Any, Any, Any]], Any]


class Channel:
    """Stands in for the page's instrument: records what is sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_event(self, event: Mapping[str, Any]) -> bool:
        self.sent.append(dict(event))
        return True

    def kinds(self) -> list[str]:
        return [event["type"] for event in self.sent]

    def last_create_id(self) -> str:
        return str([e for e in self.sent if e["type"] == "response.create"][-1]["event_id"])


def _as_instrument(channel: Channel) -> PageInstrument:
    return cast(PageInstrument, channel)


def _refusal(event_id: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": "invalid_request_error", "event_id": event_id,
                                       "code": "conversation_already_has_active_response"}}


def _response(kind: str, response_id: str) -> dict[str, Any]:
    return {"type": kind, "response": {"id": response_id}}


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not met within 1 s")


def test_a_message_typed_during_an_answer_cancels_it_first(arun: Arun) -> None:
    async def run() -> list[str]:
        turns, channel = TypedTurns("interrupt"), Channel()
        turns.on_server_event(_response("response.created", "resp_1"))
        sending = asyncio.create_task(turns.send(_as_instrument(channel), "what can you do"))
        await _until(lambda: "output_audio_buffer.clear" in channel.kinds())
        assert "conversation.item.create" not in channel.kinds()
        turns.on_server_event(_response("response.done", "resp_1"))
        await sending
        await turns.aclose()
        return channel.kinds()

    assert arun(run()) == ["response.cancel", "output_audio_buffer.clear",
                           "conversation.item.create", "response.create"]


def test_a_create_refused_for_an_answer_not_yet_seen_is_asked_again_after_it(arun: Arun) -> None:
    async def run() -> list[str]:
        turns, channel = TypedTurns("queue"), Channel()
        await turns.send(_as_instrument(channel), "ping the server")
        # The page's own answer had started before the create arrived; its events come after.
        turns.on_server_event(_response("response.created", "resp_page"))
        turns.on_server_event(_refusal(channel.last_create_id()))
        await asyncio.sleep(0.05)
        assert channel.kinds().count("response.create") == 1  # queued: waits for its end
        turns.on_server_event(_response("response.done", "resp_page"))
        await _until(lambda: channel.kinds().count("response.create") == 2)
        await turns.aclose()
        return channel.kinds()

    assert arun(run()) == ["conversation.item.create", "response.create", "response.create"]


def test_only_the_bridges_last_create_is_asked_again_and_only_so_often(arun: Arun) -> None:
    async def run() -> int:
        turns, channel = TypedTurns("interrupt"), Channel()
        await turns.send(_as_instrument(channel), "ping the server")
        turns.on_server_event(_refusal("event_of_the_page"))
        await asyncio.sleep(0.05)
        assert channel.kinds().count("response.create") == 1
        for attempt in range(1, MAX_ATTEMPTS + 1):
            turns.on_server_event(_refusal(channel.last_create_id()))
            await asyncio.sleep(0.05)
            assert channel.kinds().count("response.create") == min(attempt + 1, MAX_ATTEMPTS)
        await turns.aclose()
        return channel.kinds().count("response.create")

    assert arun(run()) == MAX_ATTEMPTS
