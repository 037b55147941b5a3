"""A fault inside one engine session ends that session, with an `error` event and a clean
close of its peer; the other sessions carry on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bridge.browser.tools import ToolRegistry
from bridge.drive.client import RealtimeClient
from bridge.drive.thread import BridgeThread
from tests.hardening.conftest import engine_bridge, engine_of, url_of

TOOLS = ToolRegistry.load().definitions()


@pytest.fixture(scope="module")
def bridge() -> Iterator[BridgeThread]:
    with engine_bridge() as thread:
        yield thread


async def connect(bridge: BridgeThread) -> tuple[RealtimeClient, str, asyncio.Event]:
    client = RealtimeClient()
    closed = asyncio.Event()
    client.channel.on("close", closed.set)
    response = await client.connect_http(url_of(bridge) + "/v1/realtime/calls")
    assert response.status_code == 201
    await client.wait_for("session.created")
    client.send({"type": "session.update", "session": {"tools": TOOLS}})
    await client.wait_for("session.updated")
    return client, response.headers["location"].rsplit("/", 1)[-1], closed


def text(words: str) -> dict[str, Any]:
    return {"type": "conversation.item.create", "item": {
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": words}]}}


def boom(*_: Any) -> Any:
    raise RuntimeError("injected fault")


@pytest.mark.parametrize("where, trigger", [
    # An event handler, run while the data channel delivers the message.
    ("_item_retrieve", [{"type": "conversation.item.retrieve", "item_id": "x"}]),
    # A response task, run in the background after response.create.
    ("_match", [text("make the background blue"), {"type": "response.create"}]),
])
def test_a_fault_ends_that_session_only(
    bridge: BridgeThread, arun: Callable[..., Any], where: str, trigger: list[dict[str, Any]]
) -> None:
    engine = engine_of(bridge)

    async def scenario() -> None:
        victim, victim_id, victim_closed = await connect(bridge)
        other, other_id, _ = await connect(bridge)
        try:
            session = engine.sessions[victim_id]
            bridge.call(lambda: _inject(session, where))
            for event in trigger:
                victim.send(event)
            error = await victim.wait_for("error", timeout_s=10)
            assert error["error"]["code"] == "session_failed"
            assert error["error"]["type"] == "server_error"
            assert "injected fault" in error["error"]["message"]
            await asyncio.wait_for(victim_closed.wait(), 10)  # the engine closed that peer
            assert victim_id not in engine.sessions
            # The other session is untouched and still does its work end to end.
            mark = len(other.events)
            other.send(text("change the background color to green"))
            other.send({"type": "response.create"})
            done = await other.wait_for("response.function_call_arguments.done", after=mark)
            assert done["name"] == "changeBackgroundColor"
            assert other_id in engine.sessions and not engine.sessions[other_id].closed
        finally:
            await victim.close()
            await other.close()

    arun(scenario())


async def _inject(session: Any, where: str) -> None:
    setattr(session, where, boom)


def test_client_made_calls_with_odd_arguments_do_not_break_the_reply(
    bridge: BridgeThread, arun: Callable[..., Any]
) -> None:
    """A client may create a function_call itself; arguments that are JSON but not an object
    must not take the session down when the output is described."""
    async def scenario() -> None:
        client, call_id, _ = await connect(bridge)
        try:
            for index, arguments in enumerate(['["blue"]', "null", "{not json", '"x"']):
                mark = len(client.events)
                client.send({"type": "conversation.item.create", "item": {
                    "type": "function_call", "name": "changeBackgroundColor",
                    "call_id": f"call_odd_{index}", "arguments": arguments}})
                client.send({"type": "conversation.item.create", "item": {
                    "type": "function_call_output", "call_id": f"call_odd_{index}",
                    "output": '{"ok": true, "verified": true}'}})
                client.send({"type": "response.create"})
                done = await client.wait_for("response.done", after=mark)
                assert done["response"]["status"] == "completed"
            assert "error" not in client.types()
            assert call_id in engine_of(bridge).sessions
        finally:
            await client.close()

    arun(scenario())
