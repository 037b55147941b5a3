"""A session's input audio: the microphone track read, turns found in it (server VAD) or
committed by the client, and each turn a user item whose transcript follows once heard.

Turns are heard one at a time, in order, off the audio path. Hearing starts early: at the
first pause that may end a turn, while the rest of the silence window runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ProtocolError
from ..tasks import TaskGroup
from .agent.base import Agent
from .conversation import Conversation, Item, Send
from .inbound import read_inbound
from .protocol import new_id
from .responses import Responses
from .turns import InputAudioBuffer, TurnEvent, TurnSettings

if TYPE_CHECKING:
    from .session import SessionStats

__all__ = ["Heard", "InputAudio"]

log = logging.getLogger(__name__)

# OpenAI refuses to commit less than this much audio.
_MIN_COMMIT_MS = 100


@dataclass(frozen=True)
class Heard:
    """What the agent heard in one turn: the transcript, or why there is none."""

    transcript: str | None
    failure: str | None = None


@dataclass(frozen=True)
class _Turn:
    heard: asyncio.Future[Heard]
    item: Item
    auto_respond: bool


class InputAudio:
    """The input audio of one session. ``config`` gives the session's current configuration
    (turn detection, tools); ``start_response`` answers a turn when turn detection says to."""

    def __init__(
        self,
        *,
        send: Send,
        conversation: Conversation,
        responses: Responses,
        agent: Agent,
        tasks: TaskGroup,
        config: Callable[[], Mapping[str, Any]],
        stats: SessionStats,
        start_response: Callable[[dict[str, Any]], None],
    ) -> None:
        self._send = send
        self._conversation = conversation
        self._responses = responses
        self._agent = agent
        self._tasks = tasks
        self._config = config
        self._stats = stats
        self._start_response = start_response
        self._buffer = InputAudioBuffer(self._turn_settings())
        self._turns: asyncio.Queue[_Turn] = asyncio.Queue()
        self._speculation: asyncio.Future[Heard] | None = None
        self._pending_item: str | None = None
        self._speech_start_ms = 0
        tasks.spawn(self._hear_turns())

    def configure(self) -> None:
        """Take up the session's turn detection settings after a `session.update`."""
        self._buffer.configure(self._turn_settings())

    def attach(self, track: Any) -> None:
        """Read the microphone ``track`` until it ends."""
        self._tasks.spawn(read_inbound(track, self._on_audio, on_frame=self._on_frame))

    def commit(self) -> None:
        """`input_audio_buffer.commit`: the buffered audio is a turn (no response follows)."""
        if self._buffer.buffered_ms < _MIN_COMMIT_MS:
            raise ProtocolError(
                "Error committing input audio buffer: buffer too small. Expected at least 100ms "
                f"of audio, but buffer only has {self._buffer.buffered_ms}ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        self._drop_speculation()
        self._commit(self._hear(self._buffer.take()), audio_end_ms=self._buffer.received_ms,
                     auto_respond=False)

    def clear(self) -> None:
        """`input_audio_buffer.clear`."""
        self._drop_speculation()
        self._buffer.clear()
        self._send({"type": "input_audio_buffer.cleared"})

    def _turn_detection(self) -> Mapping[str, Any]:
        return self._config()["audio"]["input"]["turn_detection"] or {}

    def _turn_settings(self) -> TurnSettings | None:
        return TurnSettings.from_session(self._config()["audio"]["input"].get("turn_detection"))

    def _on_frame(self) -> None:
        self._stats.frames_received += 1

    def _on_audio(self, pcm: np.ndarray) -> None:
        for turn in self._buffer.feed(pcm):
            if turn.kind == "paused":
                # Hear what was said so far while the rest of the silence window runs out.
                self._drop_speculation()
                self._speculation = self._hear(self._buffer.peek(from_ms=self._speech_start_ms))
            elif turn.kind == "started":
                self._on_speech_started(turn)
            else:
                self._on_speech_stopped(turn)

    def _on_speech_started(self, turn: TurnEvent) -> None:
        self._drop_speculation()
        self._pending_item = new_id("item")
        self._send({"type": "input_audio_buffer.speech_started",
                    "audio_start_ms": turn.audio_ms, "item_id": self._pending_item})
        self._speech_start_ms = turn.audio_ms
        active = self._responses.active
        if (self._turn_detection().get("interrupt_response", True) and active is not None
                and active.audio_started):
            self._responses.cancel_active("turn_detected")

    def _on_speech_stopped(self, turn: TurnEvent) -> None:
        item_id = self._pending_item or new_id("item")
        self._send({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": turn.audio_ms,
                    "item_id": item_id})
        create = self._turn_detection().get("create_response", True)
        audio = self._buffer.take(from_ms=self._speech_start_ms)
        # Every stop follows a pause in the same silence, so the speculation holds all the
        # speech of the turn; only silence came after it.
        heard, self._speculation = self._speculation, None
        self._commit(heard or self._hear(audio), audio_end_ms=turn.audio_ms,
                     auto_respond=bool(create))

    def _hear(self, audio: np.ndarray) -> asyncio.Future[Heard]:
        return self._tasks.spawn(self._transcribe(audio))

    async def _transcribe(self, audio: np.ndarray) -> Heard:
        tools = self._config().get("tools") or []
        try:
            transcript = await self._agent.transcribe(audio, tools)
        except Exception as err:  # a failed decode costs this turn, not the session
            log.warning("transcription failed: %s", err)
            return Heard(None, f"speech recognition failed: {err}")
        if transcript is None:
            return Heard(None, "speech recognition is not available")
        return Heard(transcript)

    def _drop_speculation(self) -> None:
        if self._speculation is not None:
            self._speculation.cancel()
            self._speculation = None

    def _commit(self, heard: asyncio.Future[Heard], *, audio_end_ms: int,
                auto_respond: bool) -> None:
        item_id = self._pending_item or new_id("item")
        self._pending_item = None
        self._send({"type": "input_audio_buffer.committed",
                    "previous_item_id": self._conversation.last_id, "item_id": item_id})
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "user",
                "status": "in_progress",
                "content": [{"type": "input_audio", "transcript": None}]}
        self._conversation.add(item, done=False)
        self._stats.turns += 1
        self._turns.put_nowait(_Turn(heard, item, auto_respond))

    async def _hear_turns(self) -> None:
        while True:
            turn = await self._turns.get()
            heard = await turn.heard
            item = turn.item
            if heard.transcript is None:
                self._send({"type": "conversation.item.input_audio_transcription.failed",
                            "item_id": item["id"], "content_index": 0,
                            "error": {"type": "transcription_error",
                                      "code": "transcription_failed",
                                      "message": heard.failure, "param": None}})
            else:
                item["content"][0]["transcript"] = heard.transcript
                self._send({"type": "conversation.item.input_audio_transcription.completed",
                            "item_id": item["id"], "content_index": 0,
                            "transcript": heard.transcript})
            item["status"] = "completed"
            self._conversation.finish(item)
            self._conversation.awaits_answer(item)
            if turn.auto_respond:
                self._tasks.spawn(self._answer_turn())

    async def _answer_turn(self) -> None:
        """Answer a turn once no response is active: one the user did not talk over (it had
        not started speaking) would otherwise leave the turn without an answer. A response the
        client asked for meanwhile may have taken the turn up already."""
        await self._responses.wait_idle()
        if self._conversation.has_unanswered:
            self._start_response({})
