"""The local agent: commands matched to the session's tools, honest replies, no ears without speech."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bridge.engine.agent import Agent, LocalAgent, ToolCall
from bridge.errors import ProtocolError
from tests.conftest import run_async

TOOLS = json.loads((Path(__file__).resolve().parents[3] / "pages" / "tools.json").read_text())["tools"]


def test_words_become_a_call_to_the_sessions_tools() -> None:
    agent: Agent = LocalAgent()
    assert agent.choose_call("make the background blue", TOOLS, "auto") == ToolCall(
        "changeBackgroundColor", {"color": "blue"})
    assert agent.choose_call("make the background blue", TOOLS, "none") is None
    assert agent.choose_call("make the background blue", [], "auto") is None


def test_a_tool_choice_naming_no_tool_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError) as raised:
        LocalAgent().choose_call("hello", TOOLS, {"type": "function", "name": "nope"})
    assert (raised.value.code, raised.value.param) == ("invalid_tool_choice", "tool_choice")


def test_replies_say_what_it_is_and_what_happened() -> None:
    agent = LocalAgent()
    assert agent.reply_to_text("sing a song") == "I did not catch that: sing a song."
    assert agent.reply_to_text(None).startswith("I am a local command agent")
    said = agent.reply_to_output(ToolCall("changeBackgroundColor", {"color": "blue"}),
                                 '{"ok": true, "verified": true}')
    assert said == "Done. I changed the background color to blue, and the page confirms it."


def test_without_speech_nothing_is_heard_or_spoken() -> None:
    agent = LocalAgent()

    async def hear_and_say() -> tuple[str | None, object]:
        return (await agent.transcribe(np.zeros(1600, np.int16), TOOLS),
                await agent.synthesize("hello", "marin"))

    assert run_async(hear_and_say()) == (None, None)
