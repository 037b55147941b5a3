"""A real aiortc peer on a call to an in-process engine, for the engine's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bridge.browser.tools import ToolRegistry
from bridge.drive.client import RealtimeClient
from bridge.engine import Engine
from bridge.engine.agent.voice import EngineVoice

TOOLS = ToolRegistry.load().definitions()


@asynccontextmanager
async def call(voice: EngineVoice, session: dict[str, Any] | None = None
               ) -> AsyncIterator[RealtimeClient]:
    """A client on a call to a fresh engine that hears and speaks with `voice` (kept open)."""
    engine = Engine(speech=voice)
    client = RealtimeClient()
    try:
        answer = await engine.create_call(await client.offer(), session=session)
        await client.accept(answer.answer_sdp)
        await client.wait_for("session.created")
        yield client
    finally:
        await client.close()
        await engine.aclose()


def text_message(text: str) -> dict[str, Any]:
    return {"type": "conversation.item.create",
            "item": {"type": "message", "role": "user",
                     "content": [{"type": "input_text", "text": text}]}}


async def update_tools(client: RealtimeClient) -> dict[str, Any]:
    client.send({"type": "session.update", "session": {"type": "realtime", "tools": TOOLS}})
    return await client.wait_for("session.updated")
