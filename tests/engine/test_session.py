"""A realtime session driven directly, with a tiny agent of its own: the session asks the agent
with its own tools and tool choice, and speaks for it in OpenAI's events."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import numpy.typing as npt

from bridge.engine import RealtimeSession, ToolCall
from bridge.engine.agent.base import ToolChoice, Tools
from bridge.engine.audio import OutboundAudioTrack
from bridge.errors import ProtocolError
from tests.conftest import run_async

TOOL = {"type": "function", "name": "paint", "parameters": {
    "type": "object", "properties": {"color": {"type": "string"}}, "required": ["color"]}}


class ScriptedAgent:
    """Calls `paint` with the last word of what it is told; hears and says nothing."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, list[str], ToolChoice]] = []

    async def transcribe(self, pcm16k: npt.NDArray[np.int16], tools: Tools) -> str | None:
        return None

    def choose_call(self, text: str, tools: Tools, tool_choice: ToolChoice) -> ToolCall | None:
        self.asked.append((text, [tool["name"] for tool in tools], tool_choice))
        if tool_choice == "none":
            raise ProtocolError("no calls today", code="invalid_tool_choice", param="tool_choice")
        return ToolCall("paint", {"color": text.split()[-1]}) if text.startswith("paint") else None

    def reply_to_text(self, text: str | None) -> str:
        return f"no: {text}"

    def reply_to_output(self, call: ToolCall, output: str) -> str:
        return f"{call.name} {call.arguments['color']} gave {output}"

    async def synthesize(self, text: str, voice: str) -> npt.NDArray[np.int16] | None:
        return None


class Channel:
    readyState = "open"

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def send(self, data: str) -> None:
        self.events.append(json.loads(data))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == kind]


def _say(text: str) -> str:
    return json.dumps({"type": "conversation.item.create", "item": {
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}})


async def _settled(session: RealtimeSession) -> None:
    for _ in range(100):
        if session.responses.active is None:
            return
        await asyncio.sleep(0.01)


async def _scenario() -> tuple[ScriptedAgent, Channel, list[str]]:
    agent, channel, failures = ScriptedAgent(), Channel(), []
    session = RealtimeSession("rtc_test", session={"tools": [TOOL], "output_modalities": ["text"]},
                              output=OutboundAudioTrack(), agent=agent,
                              on_fail=lambda: failures.append("failed"))
    session.attach_channel(channel)
    session.handle_message(_say("paint it teal"))
    session.handle_message('{"type": "response.create"}')
    await _settled(session)
    call = channel.of("response.function_call_arguments.done")[0]
    session.handle_message(json.dumps({"type": "conversation.item.create", "item": {
        "type": "function_call_output", "call_id": call["call_id"], "output": "ok"}}))
    session.handle_message('{"type": "response.create"}')
    await _settled(session)
    session.handle_message(_say("paint it red"))
    session.handle_message('{"type": "response.create", "response": {"tool_choice": "none"}}')
    await _settled(session)
    session.fail("enough")
    session.fail("still enough")
    await session.close()
    return agent, channel, failures


def test_the_session_asks_its_agent_and_speaks_for_it() -> None:
    agent, channel, failures = run_async(_scenario())
    assert agent.asked == [("paint it teal", ["paint"], "auto"), ("paint it red", ["paint"], "none")]
    call = channel.of("response.function_call_arguments.done")[0]
    assert (call["name"], json.loads(call["arguments"])) == ("paint", {"color": "teal"})
    said = [event["text"] for event in channel.of("response.output_text.done")]
    assert said == ["paint teal gave ok", "no: paint it red"]
    refused = channel.of("error")[0]["error"]
    assert (refused["code"], refused["param"]) == ("invalid_tool_choice", "tool_choice")
    assert channel.of("error")[-1]["error"]["message"] == "enough"
    assert failures == ["failed"]  # once, however often the session fails
