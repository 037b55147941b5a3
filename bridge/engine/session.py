"""One realtime session: OpenAI's GA events over a data channel, for one call.

The session reads each client event and hands it to the part that owns it: the conversation
(items), the responses, or the input audio (turns). What a response says or calls is the
agent's choice; the session asks it with the session's own tools.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import ProtocolError
from ..tasks import TaskGroup
from .agent.base import Agent, ToolCall
from .audio import OutboundAudioTrack
from .conversation import Conversation, Item, latest_user_text
from .input_audio import InputAudio
from .protocol import CHANNEL_MAX_MESSAGE_BYTES, encode_event, error_event, new_id
from .responses import Response, Responses
from .session_config import initial_session, merge_session

__all__ = ["Channel", "RealtimeSession", "SessionStats"]

log = logging.getLogger(__name__)


class Channel(Protocol):
    """The part of an aiortc RTCDataChannel the session uses."""

    readyState: str

    def send(self, data: str) -> None: ...


@dataclass
class SessionStats:
    """Counts of one session's traffic: audio frames and events in and out."""

    frames_received: int = 0
    events_in: int = 0
    events_out: int = 0
    errors_sent: int = 0
    turns: int = 0


class RealtimeSession:
    """Speaks OpenAI's Realtime GA events for one call.

    Client events arrive with `handle_message`; server events go out on the attached channel.
    A user turn (spoken or typed) becomes a function call when the agent finds one for it among
    the session's tools; a tool's output becomes a short spoken answer. A fault ends this
    session only: `on_fail` is called once, after the `error` event that says why, and the
    owner then closes the session (and its call).
    """

    def __init__(
        self,
        call_id: str,
        *,
        session: Mapping[str, Any] | None,
        output: OutboundAudioTrack,
        agent: Agent,
        on_fail: Callable[[], None],
    ) -> None:
        self.id = call_id
        self.config = initial_session(new_id("sess"), session)
        self.output = output
        self.stats = SessionStats()
        self.closed = False
        self._agent = agent
        self._on_fail = on_fail
        self._failed = False
        self._channel: Channel | None = None
        self._tasks = TaskGroup(name=f"session {call_id}", on_error=self._task_failed)
        # The function calls by call id, made by a response or created by the client.
        self._calls: dict[str, Item] = {}
        self.conversation = Conversation(self._send, self._calls)
        self.responses = Responses(send=self._send, conversation=self.conversation,
                                   output=output, agent=agent, tasks=self._tasks,
                                   config=lambda: self.config)
        self.input_audio = InputAudio(send=self._send, conversation=self.conversation,
                                      responses=self.responses, agent=agent, tasks=self._tasks,
                                      config=lambda: self.config, stats=self.stats,
                                      start_response=self._start_response)

    @property
    def items(self) -> list[Item]:
        """The conversation, oldest first."""
        return self.conversation.items

    # -- wiring -------------------------------------------------------------------------

    def attach_channel(self, channel: Channel) -> None:
        """Send server events on ``channel``, starting with `session.created`."""
        self._channel = channel
        self._send({"type": "session.created", "session": self.config})

    def attach_input(self, track: Any) -> None:
        """Listen to the caller's microphone ``track``."""
        self.input_audio.attach(track)

    async def close(self) -> None:
        """Stop everything the session runs; harmless to call twice."""
        if self.closed:
            return
        self.closed = True
        self.output.clear()
        await self._tasks.aclose()

    def fail(self, message: str, *, code: str = "session_failed",
             error_type: str = "server_error") -> None:
        """End this session only: an `error` event saying why, then `on_fail` (once)."""
        if self.closed or self._failed:
            return
        self._failed = True
        self._send(error_event(message, code=code, error_type=error_type))
        self._on_fail()

    def report_error(self, message: str, *, code: str) -> None:
        """Send an `error` event about something the client did; the session stays open."""
        self._send(error_event(message, code=code))

    def _task_failed(self, error: BaseException) -> None:
        if self.closed:
            return
        # A failure inside one session ends that session only, with a reason the client sees.
        log.error("session %s failed", self.id, exc_info=error)
        self.fail(f"the session failed: {error}")

    def _send(self, event: dict[str, Any]) -> None:
        event = {"event_id": new_id("event"), **event}
        if event["type"] == "error":
            self.stats.errors_sent += 1
        channel = self._channel
        if channel is None or channel.readyState != "open":
            return
        self.stats.events_out += 1
        channel.send(encode_event(event))

    # -- client events --------------------------------------------------------------------

    def handle_message(self, raw: str | bytes) -> None:
        """Handle one data-channel message; anything wrong becomes an `error` event. A closed
        session (its call is ending) handles no more."""
        self.stats.events_in += 1
        if self.closed:
            return
        event_id = None
        try:
            event = _parse(raw)
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
        self.config = merge_session(self.config, event.get("session"))
        self.input_audio.configure()
        self._send({"type": "session.updated", "session": self.config})

    def _item_create(self, event: dict[str, Any]) -> None:
        self.conversation.create(event.get("item"))

    def _item_delete(self, event: dict[str, Any]) -> None:
        self.conversation.delete(event.get("item_id"))

    def _item_retrieve(self, event: dict[str, Any]) -> None:
        item = self.conversation.get(event.get("item_id"))
        self._send({"type": "conversation.item.retrieved", "item": item})

    def _item_truncate(self, event: dict[str, Any]) -> None:
        self.conversation.truncate(event.get("item_id"),
                                   content_index=event.get("content_index", 0),
                                   audio_end_ms=event.get("audio_end_ms", 0))

    def _response_create(self, event: dict[str, Any]) -> None:
        self._start_response(self.responses.check_create(event.get("response")))

    def _response_cancel(self, event: dict[str, Any]) -> None:
        self.responses.cancel()

    def _buffer_commit(self, event: dict[str, Any]) -> None:
        self.input_audio.commit()

    def _buffer_clear(self, event: dict[str, Any]) -> None:
        self.input_audio.clear()

    def _buffer_append(self, event: dict[str, Any]) -> None:
        raise ProtocolError("input_audio_buffer.append is not used over WebRTC: the audio "
                            "travels on the media track", code="unsupported_event")

    def _output_clear(self, event: dict[str, Any]) -> None:
        self.responses.clear_output()

    # -- the agent's answers ------------------------------------------------------------

    def _start_response(self, params: dict[str, Any]) -> None:
        self.responses.start(params, self._answer)

    async def _answer(self, response: Response) -> None:
        """A response's output: a word on each tool output it answers; else the call the
        user's words ask for, or a reply to them. A user message that came after the outputs
        (a page that never asked for an answer to its output, then the user spoke again) is
        what the response answers, as a model would take up the newest turn."""
        outputs = [i for i in response.inputs if i["type"] == "function_call_output"]
        if outputs and not _user_spoke_after(response.inputs, outputs[-1]):
            await self.responses.say(response, " ".join(self._reply_to(o) for o in outputs))
            return
        text = latest_user_text(response.inputs)
        call = self._match(text, response) if text else None
        if call is not None:
            self.responses.emit_function_call(response, call)
        else:
            await self.responses.say(response, self._agent.reply_to_text(text))

    def _match(self, text: str, response: Response) -> ToolCall | None:
        tools = self.config.get("tools") or []
        choice = response.params.get("tool_choice", self.config.get("tool_choice", "auto"))
        try:
            return self._agent.choose_call(text, tools, choice)
        except ProtocolError as err:  # e.g. tool_choice names a tool the session lacks
            self._send(error_event(err.message, code=err.code, param=err.param))
            return None

    def _reply_to(self, output: Item) -> str:
        call = self._calls.get(output["call_id"], {})
        try:
            arguments = json.loads(call.get("arguments") or "{}")
        except ValueError:
            arguments = {}
        # A client may have created the call itself, with arguments that are JSON but no object.
        return self._agent.reply_to_output(
            ToolCall(call.get("name", "the tool"), arguments if isinstance(arguments, dict) else {}),
            output["output"])


def _user_spoke_after(inputs: list[Item], output: Item) -> bool:
    later = inputs[inputs.index(output) + 1:]
    return any(i["type"] == "message" and i.get("role") == "user" for i in later)


def _parse(raw: str | bytes) -> dict[str, Any]:
    """One client event from a data-channel message; ProtocolError if it is not one."""
    if isinstance(raw, bytes):
        raise ProtocolError("events are JSON text, not binary", code="invalid_json")
    if len(raw) > CHANNEL_MAX_MESSAGE_BYTES:
        raise ProtocolError(f"event is {len(raw)} bytes; the limit is {CHANNEL_MAX_MESSAGE_BYTES}",
                            code="event_too_large")
    try:
        event = json.loads(raw)
    except ValueError as err:
        raise ProtocolError(f"invalid JSON: {err}", code="invalid_json") from err
    if not isinstance(event, dict):
        raise ProtocolError("an event must be a JSON object", code="invalid_event")
    return event
