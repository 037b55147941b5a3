"""One realtime call: the OpenAI GA event protocol over a data channel, plus the audio turns."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..errors import ProtocolError
from . import protocol
from .agent.intent import IntentMatcher, ToolCall
from .agent.replies import reply_for_output
from .audio import OutboundAudioTrack, read_inbound
from .protocol import error_event, new_id
from .turns import InputAudioBuffer, TurnEvent, TurnSettings

log = logging.getLogger(__name__)

MAX_EVENT_BYTES = 256 * 1024
NOT_UNDERSTOOD = "I did not catch that"


class Channel(Protocol):
    """The part of an aiortc RTCDataChannel the session uses."""

    readyState: str

    def send(self, data: str) -> None: ...


class Speech(Protocol):
    """Recognition and synthesis; the engine provides one shared by all sessions."""

    async def transcribe(self, pcm16k: np.ndarray, tools: list[dict[str, Any]]) -> str | None: ...

    async def synthesize(self, text: str, voice: str) -> np.ndarray | None: ...


@dataclass
class SessionStats:
    frames_received: int = 0
    events_in: int = 0
    events_out: int = 0
    errors_sent: int = 0
    turns: int = 0


@dataclass
class _Response:
    id: str
    params: dict[str, Any]
    inputs: list[dict[str, Any]]
    output: list[dict[str, Any]] = field(default_factory=list)
    cancelled_for: str | None = None
    audio_started: bool = False


class RealtimeSession:
    """Speaks OpenAI's Realtime GA events for one call.

    Client events arrive with `handle_message`; server events go out on the attached channel.
    A user turn (spoken or typed) becomes a function call through an IntentMatcher built from
    the session's own tools; a tool output becomes a short spoken answer.
    """

    def __init__(
        self,
        call_id: str,
        *,
        session: Mapping[str, Any] | None,
        output: OutboundAudioTrack,
        speech: Speech | None = None,
        on_close: Callable[[RealtimeSession], None] | None = None,
    ) -> None:
        self.id = call_id
        self.config = protocol.initial_session(new_id("sess"), session)
        self.output = output
        self.stats = SessionStats()
        self._speech = speech
        self._on_close = on_close
        self._channel: Channel | None = None
        self._items: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        self._calls: dict[str, dict[str, Any]] = {}
        self._unanswered: list[dict[str, Any]] = []
        self._active: _Response | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._turns: asyncio.Queue[tuple[asyncio.Future[str | None], dict[str, Any]]] = asyncio.Queue()
        self._speculation: asyncio.Future[str | None] | None = None
        self._pending_user_item: str | None = None
        self._speech_start_ms = 0
        self._matcher: tuple[str, IntentMatcher] | None = None
        self._audio = InputAudioBuffer(self._turn_settings())
        self.closed = False
        self._ending: asyncio.Task[None] | None = None
        self._spawn(self._turn_worker())

    @property
    def items(self) -> list[dict[str, Any]]:
        """The conversation, oldest first."""
        return [self._items[item_id] for item_id in self._order]

    # -- wiring -------------------------------------------------------------------------

    def attach_channel(self, channel: Channel) -> None:
        self._channel = channel
        self._send({"type": "session.created", "session": self.config})

    def attach_input(self, track: Any) -> None:
        self._spawn(read_inbound(track, self._on_input_audio))

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.output.clear()
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._on_close is not None:
            self._on_close(self)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or self.closed:
            return
        error = task.exception()
        if error is not None:
            # A failure inside one session ends that session only, with a reason the client sees.
            log.error("session %s failed", self.id, exc_info=error)
            self.fail(f"the session failed: {error}")

    def fail(self, message: str, *, code: str = "session_failed",
             error_type: str = "server_error") -> None:
        """End this session only: an `error` event saying why, then a clean close."""
        if self.closed or self._ending is not None:
            return
        self._send(error_event(message, code=code, error_type=error_type))
        self._ending = asyncio.get_running_loop().create_task(self.close())

    def report_error(self, message: str, *, code: str) -> None:
        """Send an `error` event about something the client did; the session stays open."""
        self._send(error_event(message, code=code))

    def _send(self, event: dict[str, Any]) -> None:
        event = {"event_id": new_id("event"), **event}
        if event["type"] == "error":
            self.stats.errors_sent += 1
        channel = self._channel
        if channel is None or channel.readyState != "open":
            return
        self.stats.events_out += 1
        channel.send(protocol.encode_event(event))

    # -- client events --------------------------------------------------------------------

    def handle_message(self, raw: str | bytes) -> None:
        """Handle one data-channel message; anything wrong becomes an `error` event."""
        self.stats.events_in += 1
        event_id = None
        try:
            if isinstance(raw, bytes):
                raise ProtocolError("events are JSON text, not binary", code="invalid_json")
            if len(raw) > MAX_EVENT_BYTES:
                raise ProtocolError(f"event is {len(raw)} bytes; the limit is {MAX_EVENT_BYTES}",
                                    code="event_too_large")
            try:
                event = json.loads(raw)
            except ValueError as err:
                raise ProtocolError(f"invalid JSON: {err}", code="invalid_json") from err
            if not isinstance(event, dict):
                raise ProtocolError("an event must be a JSON object", code="invalid_event")
            event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
            kind = event.get("type")
            handler = self._handlers().get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise ProtocolError(
                    f"Invalid value: {kind!r}. Supported event types: "
                    + ", ".join(sorted(self._handlers())),
                    code="unknown_event", param="type",
                )
            handler(event)
        except ProtocolError as err:
            self._send(error_event(err.message, code=err.code, param=err.param, event_id=event_id))
        except Exception as err:  # a fault in a handler ends this session, not the engine
            log.exception("session %s failed handling an event", self.id)
            self.fail(f"the session failed: {type(err).__name__}: {err}"[:300])

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return {
            "session.update": self._session_update,
            "conversation.item.create": self._item_create,
            "conversation.item.delete": self._item_delete,
            "conversation.item.retrieve": self._item_retrieve,
            "conversation.item.truncate": self._item_truncate,
            "response.create": self._response_create,
            "response.cancel": self._response_cancel,
            "input_audio_buffer.commit": self._buffer_commit,
            "input_audio_buffer.clear": self._buffer_clear,
            "input_audio_buffer.append": self._buffer_append,
            "output_audio_buffer.clear": self._output_clear,
        }

    def _session_update(self, event: dict[str, Any]) -> None:
        self.config = protocol.merge_session(self.config, event.get("session"))
        self._audio.configure(self._turn_settings())
        self._send({"type": "session.updated", "session": self.config})

    def _item_create(self, event: dict[str, Any]) -> None:
        item = event.get("item")
        if not isinstance(item, dict):
            raise ProtocolError("item must be an object", code="missing_required_parameter",
                                param="item")
        item = dict(item)
        kind = item.get("type")
        if kind == "message":
            self._check_message(item)
        elif kind == "function_call_output":
            call_id = item.get("call_id")
            if call_id not in self._calls:
                raise ProtocolError(f"no function call with call_id {call_id!r} in this "
                                    "conversation", code="invalid_call_id", param="item.call_id")
            if not isinstance(item.get("output"), str):
                raise ProtocolError("function_call_output.output must be a string",
                                    code="invalid_type", param="item.output")
        elif kind == "function_call":
            if not isinstance(item.get("name"), str) or not isinstance(item.get("call_id"), str):
                raise ProtocolError("function_call needs name and call_id",
                                    code="missing_required_parameter", param="item")
            self._calls[item["call_id"]] = item
        else:
            raise ProtocolError(f"Invalid value: {kind!r}. Supported item types: message, "
                                "function_call, function_call_output", param="item.type")
        item.setdefault("id", new_id("item"))
        item["object"] = "realtime.item"
        item["status"] = "completed"
        self._add_item(item)
        if not (kind == "message" and item.get("role") == "assistant"):
            self._unanswered.append(item)

    @staticmethod
    def _check_message(item: dict[str, Any]) -> None:
        if item.get("role") not in ("user", "assistant", "system"):
            raise ProtocolError("message.role must be user, assistant or system",
                                param="item.role")
        content = item.get("content")
        if not isinstance(content, list) or not all(isinstance(c, dict) for c in content):
            raise ProtocolError("message.content must be a list of parts", param="item.content")
        for part in content:
            if part.get("type") in ("input_text", "text", "output_text") and not isinstance(
                part.get("text"), str
            ):
                raise ProtocolError("a text part needs a string 'text'",
                                    param="item.content.text")

    def _add_item(self, item: dict[str, Any], *, done: bool = True) -> None:
        previous = self._order[-1] if self._order else None
        self._items[item["id"]] = item
        self._order.append(item["id"])
        self._send({"type": "conversation.item.added", "previous_item_id": previous,
                    "item": item})
        if done:
            self._send({"type": "conversation.item.done", "previous_item_id": previous,
                        "item": item})

    def _item_delete(self, event: dict[str, Any]) -> None:
        item_id = self._known_item(event)
        del self._items[item_id]
        self._order.remove(item_id)
        self._send({"type": "conversation.item.deleted", "item_id": item_id})

    def _item_retrieve(self, event: dict[str, Any]) -> None:
        item_id = self._known_item(event)
        self._send({"type": "conversation.item.retrieved", "item": self._items[item_id]})

    def _item_truncate(self, event: dict[str, Any]) -> None:
        item_id = self._known_item(event)
        self._send({"type": "conversation.item.truncated", "item_id": item_id,
                    "content_index": event.get("content_index", 0),
                    "audio_end_ms": event.get("audio_end_ms", 0)})

    def _known_item(self, event: dict[str, Any]) -> str:
        item_id = event.get("item_id")
        if not isinstance(item_id, str) or item_id not in self._items:
            raise ProtocolError(f"no item with id {item_id!r}", code="item_not_found",
                                param="item_id")
        return item_id

    def _response_create(self, event: dict[str, Any]) -> None:
        if self._active is not None:
            raise ProtocolError(
                f"Conversation already has an active response in progress: {self._active.id}. "
                "Wait until the response is finished before creating a new one.",
                code="conversation_already_has_active_response",
            )
        params = event.get("response") or {}
        if not isinstance(params, dict):
            raise ProtocolError("response must be an object", param="response")
        protocol.check_response(params)
        self._start_response(params)

    def _response_cancel(self, event: dict[str, Any]) -> None:
        if self._active is None:
            raise ProtocolError("Cancellation failed: no active response found.",
                                code="response_cancel_not_active")
        self._cancel_active("client_cancelled")

    def _buffer_commit(self, event: dict[str, Any]) -> None:
        if self._audio.buffered_ms < 100:
            raise ProtocolError(
                "Error committing input audio buffer: buffer too small. Expected at least 100ms "
                f"of audio, but buffer only has {self._audio.buffered_ms}ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        self._drop_speculation()
        self._commit_turn(self._transcription(self._audio.take()),
                          audio_end_ms=self._audio.received_ms, auto_respond=False)

    def _buffer_clear(self, event: dict[str, Any]) -> None:
        self._drop_speculation()
        self._audio.clear()
        self._send({"type": "input_audio_buffer.cleared"})

    def _buffer_append(self, event: dict[str, Any]) -> None:
        raise ProtocolError("input_audio_buffer.append is not used over WebRTC: the audio "
                            "travels on the media track", code="unsupported_event")

    def _output_clear(self, event: dict[str, Any]) -> None:
        if self._active is not None:
            self._cancel_active("client_cancelled")
        elif self.output.clear():
            self._send({"type": "output_audio_buffer.cleared"})

    # -- audio turns ----------------------------------------------------------------------

    def _turn_settings(self) -> TurnSettings | None:
        audio_input = self.config["audio"]["input"]
        return TurnSettings.from_session(audio_input.get("turn_detection"))

    def _on_input_audio(self, pcm: np.ndarray) -> None:
        self.stats.frames_received += 1
        for turn in self._audio.feed(pcm):
            self._on_turn(turn)

    def _on_turn(self, turn: TurnEvent) -> None:
        if turn.kind == "paused":
            # Transcribe what was said so far while the rest of the silence window runs out.
            self._drop_speculation()
            self._speculation = self._transcription(self._audio.peek(from_ms=self._speech_start_ms))
            return
        if turn.kind == "started":
            self._drop_speculation()
            self._pending_user_item = new_id("item")
            self._send({"type": "input_audio_buffer.speech_started",
                        "audio_start_ms": turn.audio_ms, "item_id": self._pending_user_item})
            self._speech_start_ms = turn.audio_ms
            interrupt = (self.config["audio"]["input"]["turn_detection"] or {}).get(
                "interrupt_response", True)
            if interrupt and self._active is not None and self._active.audio_started:
                self._cancel_active("turn_detected")
            return
        item_id = self._pending_user_item or new_id("item")
        self._send({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": turn.audio_ms,
                    "item_id": item_id})
        create = (self.config["audio"]["input"]["turn_detection"] or {}).get(
            "create_response", True)
        audio = self._audio.take(from_ms=self._speech_start_ms)
        # Every stop follows a pause in the same silence, so the speculation holds all the
        # speech of the turn; only silence came after it.
        transcription, self._speculation = self._speculation, None
        self._commit_turn(transcription or self._transcription(audio),
                          audio_end_ms=turn.audio_ms, auto_respond=bool(create))

    def _transcription(self, audio: np.ndarray) -> asyncio.Future[str | None]:
        task = asyncio.get_running_loop().create_task(self._transcribe(audio))
        self._tasks.add(task)
        task.add_done_callback(self._transcription_done)
        return task

    def _transcription_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved here; the turn worker reports it when it awaits

    def _drop_speculation(self) -> None:
        if self._speculation is not None:
            self._speculation.cancel()
            self._speculation = None

    def _commit_turn(
        self, transcription: asyncio.Future[str | None], *, audio_end_ms: int, auto_respond: bool
    ) -> None:
        item_id = self._pending_user_item or new_id("item")
        self._pending_user_item = None
        previous = self._order[-1] if self._order else None
        self._send({"type": "input_audio_buffer.committed", "previous_item_id": previous,
                    "item_id": item_id})
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "user",
                "status": "in_progress",
                "content": [{"type": "input_audio", "transcript": None}]}
        self._add_item(item, done=False)
        self.stats.turns += 1
        self._turns.put_nowait((transcription, {"item": item, "auto_respond": auto_respond}))

    async def _turn_worker(self) -> None:
        # Turns are transcribed one at a time, in order, off the audio path.
        while True:
            transcription, turn = await self._turns.get()
            item = turn["item"]
            try:
                transcript = await transcription
                failure = None if transcript is not None else "speech recognition is not available"
            except Exception as err:  # a failed decode costs this turn, not the session
                log.warning("transcription failed in %s: %s", self.id, err)
                transcript, failure = None, f"speech recognition failed: {err}"
            if transcript is None:
                self._send({"type": "conversation.item.input_audio_transcription.failed",
                            "item_id": item["id"], "content_index": 0,
                            "error": {"type": "transcription_error", "code": "transcription_failed",
                                      "message": failure, "param": None}})
            else:
                item["content"][0]["transcript"] = transcript
                self._send({"type": "conversation.item.input_audio_transcription.completed",
                            "item_id": item["id"], "content_index": 0,
                            "transcript": transcript})
            item["status"] = "completed"
            previous = self._previous_of(item["id"])
            self._send({"type": "conversation.item.done", "previous_item_id": previous,
                        "item": item})
            self._unanswered.append(item)
            if turn["auto_respond"] and self._active is None:
                self._start_response({})

    async def _transcribe(self, audio: np.ndarray) -> str | None:
        if self._speech is None:
            return None
        return await self._speech.transcribe(audio, self.config.get("tools") or [])

    def _previous_of(self, item_id: str) -> str | None:
        index = self._order.index(item_id) if item_id in self._order else 0
        return self._order[index - 1] if index > 0 else None

    # -- responses ------------------------------------------------------------------------

    def _start_response(self, params: dict[str, Any]) -> None:
        inputs, self._unanswered = self._unanswered, []
        self._active = _Response(id=new_id("resp"), params=params, inputs=inputs)
        self._spawn(self._respond(self._active))

    def _cancel_active(self, reason: str) -> None:
        response = self._active
        if response is None or response.cancelled_for is not None:
            return
        response.cancelled_for = reason
        if self.output.clear():
            self._send({"type": "output_audio_buffer.cleared", "response_id": response.id})

    def _response_object(self, response: _Response, status: str) -> dict[str, Any]:
        details = None
        if status == "cancelled":
            details = {"type": "cancelled", "reason": response.cancelled_for}
        return {
            "object": "realtime.response", "id": response.id, "status": status,
            "status_details": details, "output": response.output,
            "conversation_id": self.config["id"], "output_modalities": self._modalities(response),
            "metadata": response.params.get("metadata"),
            "usage": {"total_tokens": 0, "input_tokens": 0, "output_tokens": 0},
        }

    def _modalities(self, response: _Response) -> list[str]:
        modalities = response.params.get("output_modalities") or self.config["output_modalities"]
        return list(modalities)

    async def _respond(self, response: _Response) -> None:
        self._send({"type": "response.created",
                     "response": self._response_object(response, "in_progress")})
        try:
            outputs = [i for i in response.inputs if i["type"] == "function_call_output"]
            if outputs:
                await self._say(response, " ".join(self._describe_output(o) for o in outputs))
            else:
                text = self._latest_user_text(response.inputs)
                call = self._match(text, response) if text else None
                if call is not None:
                    self._emit_function_call(response, call)
                elif text:
                    await self._say(response, f"{NOT_UNDERSTOOD}: {text}.")
                else:
                    await self._say(response, "I am a local command agent. Tell me what to "
                                    "change on the page.")
        finally:
            status = "cancelled" if response.cancelled_for else "completed"
            self._active = None
            self._send({"type": "response.done",
                        "response": self._response_object(response, status)})
            if response.audio_started and not response.cancelled_for:
                self._send({"type": "output_audio_buffer.stopped", "response_id": response.id})

    @staticmethod
    def _latest_user_text(inputs: list[dict[str, Any]]) -> str | None:
        for item in reversed(inputs):
            if item.get("type") != "message" or item.get("role") != "user":
                continue
            texts = [p.get("text") or p.get("transcript") for p in item.get("content", [])]
            text = " ".join(t for t in texts if isinstance(t, str) and t.strip())
            if text:
                return text
        return None

    def _match(self, text: str, response: _Response) -> ToolCall | None:
        tools = self.config.get("tools") or []
        choice = response.params.get("tool_choice", self.config.get("tool_choice", "auto"))
        if not tools:
            return None
        key = json.dumps([tools, choice], sort_keys=True)
        if self._matcher is None or self._matcher[0] != key:
            # Building a matcher checks every schema; do it once per tool set, not per turn.
            try:
                self._matcher = (key, IntentMatcher(tools, choice))
            except ValueError as err:  # e.g. tool_choice names a tool the session lacks
                self._send(error_event(str(err), code="invalid_tool_choice",
                                       param="tool_choice"))
                return None
        return self._matcher[1].match(text)

    def _describe_output(self, item: dict[str, Any]) -> str:
        call = self._calls.get(item["call_id"], {})
        try:
            arguments = json.loads(call.get("arguments") or "{}")
        except ValueError:
            arguments = {}
        return reply_for_output(call.get("name", "the tool"), arguments, item["output"])

    def _emit_function_call(self, response: _Response, call: ToolCall) -> None:
        arguments = json.dumps(call.arguments)
        item = {"id": new_id("item"), "object": "realtime.item", "type": "function_call",
                "status": "in_progress", "name": call.name, "call_id": new_id("call"),
                "arguments": ""}
        where = {"response_id": response.id, "item_id": item["id"], "output_index": 0,
                 "call_id": item["call_id"]}
        self._send({"type": "response.output_item.added", "response_id": response.id,
                    "output_index": 0, "item": dict(item)})
        self._add_item(item, done=False)
        self._send({"type": "response.function_call_arguments.delta", **where,
                    "delta": arguments})
        item["arguments"], item["status"] = arguments, "completed"
        self._calls[item["call_id"]] = item
        self._send({"type": "response.function_call_arguments.done", **where,
                    "name": call.name, "arguments": arguments})
        self._send({"type": "conversation.item.done", "previous_item_id":
                    self._previous_of(item["id"]), "item": item})
        self._send({"type": "response.output_item.done", "response_id": response.id,
                    "output_index": 0, "item": item})
        response.output.append(item)

    async def _say(self, response: _Response, text: str) -> None:
        audio = self._modalities(response) == ["audio"]
        part_type = "output_audio" if audio else "output_text"
        text_key = "transcript" if audio else "text"
        item: dict[str, Any] = {"id": new_id("item"), "object": "realtime.item",
                                "type": "message", "role": "assistant", "status": "in_progress",
                                "content": []}
        index = len(response.output)
        where = {"response_id": response.id, "item_id": item["id"], "output_index": index,
                 "content_index": 0}
        self._send({"type": "response.output_item.added", "response_id": response.id,
                    "output_index": index, "item": dict(item, content=[])})
        self._add_item(item, done=False)
        self._send({"type": "response.content_part.added", **where,
                    "part": {"type": part_type, text_key: ""}})
        delta_type = ("response.output_audio_transcript.delta" if audio
                      else "response.output_text.delta")
        for chunk in _chunks(text):
            self._send({"type": delta_type, **where, "delta": chunk})
        if audio:
            await self._play(response, text)
        if audio:
            self._send({"type": "response.output_audio.done", **where})
            self._send({"type": "response.output_audio_transcript.done", **where,
                        "transcript": text})
        else:
            self._send({"type": "response.output_text.done", **where, "text": text})
        part = {"type": part_type, text_key: text}
        self._send({"type": "response.content_part.done", **where, "part": part})
        item["content"] = [part]
        item["status"] = "incomplete" if response.cancelled_for else "completed"
        self._send({"type": "conversation.item.done",
                    "previous_item_id": self._previous_of(item["id"]), "item": item})
        self._send({"type": "response.output_item.done", "response_id": response.id,
                    "output_index": index, "item": item})
        response.output.append(item)

    async def _play(self, response: _Response, text: str) -> None:
        if self._speech is None or response.cancelled_for:
            return
        voice = str(self.config["audio"]["output"].get("voice") or "marin")
        samples = await self._speech.synthesize(text, voice)
        if samples is None or samples.size == 0 or response.cancelled_for:
            return
        clip = self.output.play(samples)
        either: list[asyncio.Future[Any]] = [clip.started, clip.finished]
        await asyncio.wait(either, timeout=2.0, return_when=asyncio.FIRST_COMPLETED)
        if not clip.started.done() or clip.started.cancelled():
            # The peer is not pulling frames (not connected yet, or gone): nothing will play.
            self.output.clear()
            return
        response.audio_started = True
        self._send({"type": "output_audio_buffer.started", "response_id": response.id})
        await asyncio.wait({clip.finished}, timeout=clip.duration_s + 5.0)


def _chunks(text: str, size: int = 4) -> list[str]:
    words = text.split(" ")
    return [" ".join(words[i : i + size]) + (" " if i + size < len(words) else "")
            for i in range(0, len(words), size)]
