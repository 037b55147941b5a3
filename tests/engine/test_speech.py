"""The engine hears speech over a real WebRTC call (Opus from an aiortc peer), no browser:
turns, transcripts, function calls, spoken and text replies, barge-in and tool_choice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from bridge.drive.client import RealtimeClient
from bridge.engine.agent.tts import synthesize
from bridge.engine.agent.voice import EngineVoice
from tests.conftest import content_words

from .peers import TOOLS, call, text_message, update_tools

Arun = Callable[..., Any]
RATE = 48_000


async def utterance(text: str, *, voice: str = "en-us", tail_s: float = 0.9) -> np.ndarray:
    """`text` spoken at 48 kHz between short silences, as a microphone would carry it."""
    speech = (await synthesize(text, voice=voice)).samples
    lead, tail = np.zeros(int(0.3 * RATE), np.int16), np.zeros(int(tail_s * RATE), np.int16)
    return np.concatenate((lead, speech, tail))


async def configure(client: RealtimeClient, **session: Any) -> dict[str, Any]:
    mark = len(client.events)
    client.send({"type": "session.update", "session": {"type": "realtime", "tools": TOOLS, **session}})
    session_object: dict[str, Any] = (await client.wait_for("session.updated", after=mark))["session"]
    return session_object


def test_spoken_command_gives_turn_events_transcript_and_function_call(
    arun: Arun, engine_voice: EngineVoice
) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await update_tools(client)
            audio = await utterance("make the button bigger")
            client.speak(audio)
            started = await client.wait_for("input_audio_buffer.speech_started", timeout_s=10)
            stopped = await client.wait_for("input_audio_buffer.speech_stopped", timeout_s=10)
            committed = await client.wait_for("input_audio_buffer.committed")
            heard = await client.wait_for("conversation.item.input_audio_transcription.completed",
                                          timeout_s=10)
            done = await client.wait_for("response.function_call_arguments.done", timeout_s=10)
            # The speech starts 300 ms into the clip; the call began earlier, so later in audio time.
            assert started["audio_start_ms"] >= 200
            speech_ms = (audio.size / RATE - 0.3 - 0.9) * 1000
            assert abs(stopped["audio_end_ms"] - started["audio_start_ms"] - speech_ms - 500) < 350
            assert started["item_id"] == stopped["item_id"] == committed["item_id"] == heard["item_id"]
            assert content_words(heard["transcript"]) == ["make", "button", "bigger"]
            assert done["name"] == "changeButtonStyle"
            assert json.loads(done["arguments"]) == {"size": "bigger"}
            item = next(e["item"] for _, e in client.events if e["type"] == "conversation.item.done"
                        and e["item"]["id"] == heard["item_id"])  # fmt: skip
            assert item["content"][0] == {"type": "input_audio", "transcript": heard["transcript"]}

    arun(scenario())


def test_manual_turns_without_turn_detection(arun: Arun, engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await configure(client, audio={"input": {"turn_detection": None}})
            playback = client.speak(await utterance("make the background blue", tail_s=0.3))
            await playback.finished
            await asyncio.sleep(0.3)  # the last frames are still on their way
            assert "input_audio_buffer.speech_started" not in client.types()
            client.send({"type": "input_audio_buffer.commit"})
            heard = await client.wait_for("conversation.item.input_audio_transcription.completed",
                                          timeout_s=10)
            # The words may be synonyms ("backdrop"); the call below is what must be exact.
            assert content_words(heard["transcript"])[-1] == "blue"
            assert "response.created" not in client.types()  # the client asks for a response
            client.send({"type": "response.create"})
            done = await client.wait_for("response.function_call_arguments.done", timeout_s=10)
            assert json.loads(done["arguments"]) == {"color": "blue"}

    arun(scenario())


def test_create_response_false_commits_without_answering(arun: Arun, engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await configure(client, audio={"input": {"turn_detection": {
                "type": "server_vad", "create_response": False}}})
            client.speak(await utterance("make the background blue"))
            await client.wait_for("conversation.item.input_audio_transcription.completed", timeout_s=10)
            await asyncio.sleep(0.3)
            assert "response.created" not in client.types()

    arun(scenario())


def test_speech_during_a_spoken_reply_barges_in(arun: Arun, engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await update_tools(client)
            # An unmatched message gets a long spoken "I did not catch that: …" reply.
            client.send(text_message("tell me a long story about penguins who sail across the sea "
                                     "to find a lighthouse at the end of the world"))
            client.send({"type": "response.create"})
            await client.wait_for("output_audio_buffer.started", timeout_s=10)
            await asyncio.sleep(0.5)
            client.speak(await utterance("make the text yellow"))
            started = await client.wait_for("input_audio_buffer.speech_started", timeout_s=10)
            cleared = await client.wait_for("output_audio_buffer.cleared", timeout_s=5)
            done = await client.wait_for("response.done", timeout_s=5)
            assert done["response"]["status"] == "cancelled"
            assert done["response"]["status_details"]["reason"] == "turn_detected"
            arrived = {id(e): t for t, e in client.events}
            assert arrived[id(cleared)] - arrived[id(started)] < 0.02  # within one frame
            # The agent's voice stops: what arrives after the jitter buffer drains is silence.
            cut = arrived[id(cleared)] + 0.25
            await asyncio.sleep(0.5)
            before = [p for t, p in client.audio_levels if t < arrived[id(cleared)]]
            after = [p for t, p in client.audio_levels if cut < t < cut + 0.25]
            assert max(before) > 2000 and after and max(after) < 200
            # And the interrupting turn is still heard and acted on.
            call_done = await client.wait_for("response.function_call_arguments.done", timeout_s=10)
            assert json.loads(call_done["arguments"]) == {"color": "yellow"}

    arun(scenario())


def test_a_turn_that_ends_while_a_response_is_active_is_answered_after_it(
    arun: Arun, engine_voice: EngineVoice
) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await update_tools(client)
            client.speak(await utterance("make the text yellow"))
            await client.wait_for("input_audio_buffer.speech_started", timeout_s=10)
            # A response the client asks for while the user speaks: nothing to talk over yet,
            # and still speaking when the turn ends.
            client.send(text_message("tell me a long story about penguins who sail across the sea "
                                     "to find a lighthouse at the end of the world"))
            client.send({"type": "response.create"})
            story = (await client.wait_for("response.created", timeout_s=5))["response"]["id"]
            await client.wait_for("conversation.item.input_audio_transcription.completed",
                                  timeout_s=10)
            ended = await client.wait_for("response.done", timeout_s=20)
            assert (ended["response"]["id"], ended["response"]["status"]) == (story, "completed")
            answer = await client.wait_for("response.function_call_arguments.done", timeout_s=10)
            assert json.loads(answer["arguments"]) == {"color": "yellow"}
            assert answer["response_id"] != story

    arun(scenario())


def test_response_cancel_and_output_clear_stop_the_voice(arun: Arun, engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await update_tools(client)
            for stop in ({"type": "response.cancel"}, {"type": "output_audio_buffer.clear"}):
                mark = len(client.events)
                client.send(text_message("please recite the whole alphabet from start to end slowly"))
                client.send({"type": "response.create"})
                await client.wait_for("output_audio_buffer.started", timeout_s=10, after=mark)
                client.send(stop)
                await client.wait_for("output_audio_buffer.cleared", timeout_s=5, after=mark)
                done = await client.wait_for("response.done", timeout_s=5, after=mark)
                assert done["response"]["status"] == "cancelled", stop
                assert done["response"]["status_details"]["reason"] == "client_cancelled"

    arun(scenario())


def test_text_only_session_answers_in_text(arun: Arun, engine_voice: EngineVoice) -> None:
    async def scenario() -> None:
        async with call(engine_voice) as client:
            await configure(client, output_modalities=["text"])
            client.send(text_message("hello there"))
            client.send({"type": "response.create"})
            text = await client.wait_for("response.output_text.done", timeout_s=10)
            done = await client.wait_for("response.done", timeout_s=10)
            assert text["text"] and done["response"]["output_modalities"] == ["text"]
            assert "response.output_text.delta" in client.types()
            assert not {"output_audio_buffer.started", "response.output_audio_transcript.done"} & set(
                client.types())

    arun(scenario())


def test_tool_choice_is_honoured(arun: Arun, engine_voice: EngineVoice) -> None:
    async def ask(client: RealtimeClient, text: str, **response: Any) -> dict[str, Any]:
        mark = len(client.events)
        client.send(text_message(text))
        client.send({"type": "response.create", "response": response})
        done: dict[str, Any] = (await client.wait_for("response.done", timeout_s=10, after=mark))
        return dict(done["response"])

    def calls(response: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        return [(o["name"], json.loads(o["arguments"])) for o in response["output"]
                if o["type"] == "function_call"]  # fmt: skip

    async def scenario() -> None:
        async with call(engine_voice) as client:
            await configure(client, tool_choice="none", output_modalities=["text"])
            assert calls(await ask(client, "make the background blue")) == []
            await configure(client, tool_choice="required")
            assert [name for name, _ in calls(await ask(client, "the page please"))] == ["getPageHTML"]
            forced = {"type": "function", "name": "changeTextColor"}
            assert calls(await ask(client, "red", tool_choice=forced)) == [
                ("changeTextColor", {"color": "red"})]
            await configure(client, tool_choice="auto")
            assert calls(await ask(client, "make the background blue")) == [
                ("changeBackgroundColor", {"color": "blue"})]

    arun(scenario())
