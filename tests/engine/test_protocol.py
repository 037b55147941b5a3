"""The engine's OpenAI GA protocol, through a real aiortc peer (no browser)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bridge.engine.agent.voice import EngineVoice

from .peers import TOOLS, call, text_message, update_tools


def test_session_update_merges_into_ga_session(arun: Callable[..., Any], engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice, {"instructions": "be brief"}) as client:
            created = await client.wait_for("session.created")
            assert created["session"]["type"] == "realtime"
            assert created["session"]["instructions"] == "be brief"
            assert "local command-level agent" in created["session"]["metadata"]["note"]
            updated = (await update_tools(client))["session"]
            assert [t["name"] for t in updated["tools"]] == [t["name"] for t in TOOLS]
            assert updated["instructions"] == "be brief"  # kept: a merge, not a replace
            assert updated["audio"]["input"]["turn_detection"]["silence_duration_ms"] == 500

    arun(scenario())


def test_beta_session_update_is_answered_in_ga_shape(
    arun: Callable[..., Any], engine_voice: EngineVoice
) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            client.send({"type": "session.update", "session": {
                "modalities": ["text"], "voice": "alloy", "tools": TOOLS}})
            session = (await client.wait_for("session.updated"))["session"]
            assert session["output_modalities"] == ["text"]
            assert session["audio"]["output"]["voice"] == "alloy"
            assert "modalities" not in session and "voice" not in session

    arun(scenario())


def test_text_turn_becomes_function_call_then_spoken_answer(
    arun: Callable[..., Any], engine_voice: EngineVoice
) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await update_tools(client)
            client.send(text_message("change the background color to blue"))
            await client.wait_for("conversation.item.done")
            assert "response.created" not in client.types()  # only on response.create
            client.send({"type": "response.create"})
            done = await client.wait_for("response.function_call_arguments.done")
            assert done["name"] == "changeBackgroundColor"
            assert json.loads(done["arguments"]) == {"color": "blue"}
            first = await client.wait_for("response.done")
            assert first["response"]["status"] == "completed"
            assert first["response"]["output"][0]["call_id"] == done["call_id"]
            mark = len(client.events)
            client.send({"type": "conversation.item.create", "item": {
                "type": "function_call_output", "call_id": done["call_id"],
                "output": json.dumps({"ok": True, "verified": True,
                                      "observed": {"backgroundColor": "rgb(0, 0, 255)"}})}})
            client.send({"type": "response.create"})
            transcript = await client.wait_for("response.output_audio_transcript.done", after=mark)
            assert "background color to blue" in transcript["transcript"]
            assert "confirms" in transcript["transcript"]
            final = await client.wait_for("response.done", after=mark)
            assert final["response"]["status"] == "completed"
            assert final["response"]["output"][0]["type"] == "message"

    arun(scenario())


def test_unmatched_text_gets_an_honest_reply(arun: Callable[..., Any], engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await update_tools(client)
            client.send(text_message("tell me a joke about penguins"))
            client.send({"type": "response.create"})
            transcript = await client.wait_for("response.output_audio_transcript.done")
            assert transcript["transcript"].startswith("I did not catch that")
            assert "function_call" not in json.dumps(client.events[-1])

    arun(scenario())


def test_bad_events_get_error_and_session_stays_open(
    arun: Callable[..., Any], engine_voice: EngineVoice
) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            bad: list[str | bytes] = [
                "{not json", "[1, 2]", json.dumps({"type": "no.such.event"}),
                json.dumps({"type": "conversation.item.create"}),
                json.dumps({"type": "conversation.item.create", "item": {
                    "type": "function_call_output", "call_id": "call_nope", "output": "{}"}}),
                json.dumps({"type": "session.update", "session": {"tools": "x"}}),
                json.dumps({"type": "session.update", "session": {"bogus": 1}}),
                json.dumps({"type": "response.cancel"}),
            ]
            for message in bad:
                client.send_raw(message)
            for _ in range(50):
                if client.types().count("error") >= len(bad):
                    break
                await client.wait_for(lambda e: True, after=len(client.events) - 1)
            errors = [e for _, e in client.events if e["type"] == "error"]
            codes = [e["error"]["code"] for e in errors]
            assert len(errors) == len(bad), codes
            assert "invalid_json" in codes and "unknown_event" in codes
            assert "invalid_call_id" in codes and "unknown_parameter" in codes
            assert "response_cancel_not_active" in codes
            await update_tools(client)  # still alive and serving

    arun(scenario())


def test_response_create_while_active_is_refused(arun: Callable[..., Any], engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await update_tools(client)
            client.send(text_message("hello there"))
            client.send({"type": "response.create"})
            client.send({"type": "response.create"})
            error = await client.wait_for("error")
            assert error["error"]["code"] == "conversation_already_has_active_response"
            await client.wait_for("response.done")

    arun(scenario())
