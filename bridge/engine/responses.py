"""A session's responses: at most one active, from `response.created` to `response.done`, with
the function calls and spoken or written messages they output.

What a response says or calls is decided by its `Answer`; this module gives it the means
(`emit_function_call`, `say`) and keeps the protocol around them: the events in order,
cancellation by the client or by a new turn, and the agent's voice on the outbound track.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ProtocolError
from ..tasks import TaskGroup
from .agent.base import Agent, ToolCall
from .audio import OutboundAudioTrack
from .conversation import Conversation, Item, Send
from .protocol import new_id
from .session_config import check_response

__all__ = ["Answer", "Response", "Responses"]

# A spoken clip that has not started playing by then never will: the peer pulls no frames.
_START_TIMEOUT_S = 2.0


@dataclass
class Response:
    """One response: the parameters it was created with, the items it answers, what it has
    output so far, and why it was cancelled (None while it was not)."""

    id: str
    params: dict[str, Any]
    inputs: list[Item]
    output: list[Item] = field(default_factory=list)
    cancelled_for: str | None = None
    audio_started: bool = False


Answer = Callable[[Response], Awaitable[None]]
"""Produces a response's output (`Responses.emit_function_call`, `Responses.say`)."""


class Responses:
    """The responses of one session. ``config`` gives the session's current configuration
    (output modalities, voice, conversation id); ``tasks`` runs each response."""

    def __init__(
        self,
        *,
        send: Send,
        conversation: Conversation,
        output: OutboundAudioTrack,
        agent: Agent,
        tasks: TaskGroup,
        config: Callable[[], Mapping[str, Any]],
    ) -> None:
        self._send = send
        self._conversation = conversation
        self._output = output
        self._agent = agent
        self._tasks = tasks
        self._config = config
        self.active: Response | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    def check_create(self, params: Any) -> dict[str, Any]:
        """The parameters of a client's `response.create`; ProtocolError if it cannot start."""
        if self.active is not None:
            raise ProtocolError(
                f"Conversation already has an active response in progress: {self.active.id}. "
                "Wait until the response is finished before creating a new one.",
                code="conversation_already_has_active_response",
            )
        params = params or {}
        if not isinstance(params, dict):
            raise ProtocolError("response must be an object", param="response")
        check_response(params)
        return params

    def start(self, params: dict[str, Any], answer: Answer) -> None:
        """Start a response to the unanswered items; ``answer`` produces its output."""
        self.active = Response(id=new_id("resp"), params=params,
                               inputs=self._conversation.take_unanswered())
        self._idle.clear()
        self._tasks.spawn(self._run(self.active, answer))

    async def wait_idle(self) -> None:
        """Return once no response is active (at once if none is)."""
        while self.active is not None:
            await self._idle.wait()

    def cancel(self) -> None:
        """`response.cancel`: ProtocolError when no response is active."""
        if self.active is None:
            raise ProtocolError("Cancellation failed: no active response found.",
                                code="response_cancel_not_active")
        self.cancel_active("client_cancelled")

    def cancel_active(self, reason: str) -> None:
        """Cancel the active response, if any, and cut its audio off."""
        response = self.active
        if response is None or response.cancelled_for is not None:
            return
        response.cancelled_for = reason
        if self._output.clear():
            self._send({"type": "output_audio_buffer.cleared", "response_id": response.id})

    def clear_output(self) -> None:
        """`output_audio_buffer.clear`: cancels the active response, or drops queued audio."""
        if self.active is not None:
            self.cancel_active("client_cancelled")
        elif self._output.clear():
            self._send({"type": "output_audio_buffer.cleared"})

    async def _run(self, response: Response, answer: Answer) -> None:
        self._send({"type": "response.created",
                    "response": self._response_object(response, "in_progress")})
        try:
            await answer(response)
        finally:
            status = "cancelled" if response.cancelled_for else "completed"
            self.active = None
            self._idle.set()
            self._send({"type": "response.done",
                        "response": self._response_object(response, status)})
            if response.audio_started and not response.cancelled_for:
                self._send({"type": "output_audio_buffer.stopped", "response_id": response.id})

    def _response_object(self, response: Response, status: str) -> dict[str, Any]:
        details = None
        if status == "cancelled":
            details = {"type": "cancelled", "reason": response.cancelled_for}
        return {
            "object": "realtime.response", "id": response.id, "status": status,
            "status_details": details, "output": response.output,
            "conversation_id": self._config()["id"],
            "output_modalities": self._modalities(response),
            "metadata": response.params.get("metadata"),
            "usage": {"total_tokens": 0, "input_tokens": 0, "output_tokens": 0},
        }

    def _modalities(self, response: Response) -> list[str]:
        modalities = response.params.get("output_modalities") or self._config()["output_modalities"]
        return list(modalities)

    def emit_function_call(self, response: Response, call: ToolCall) -> None:
        """Output ``call`` as a completed function call, its arguments in one delta."""
        arguments = json.dumps(call.arguments)
        item = {"id": new_id("item"), "object": "realtime.item", "type": "function_call",
                "status": "in_progress", "name": call.name, "call_id": new_id("call"),
                "arguments": ""}
        where = {"response_id": response.id, "item_id": item["id"], "output_index": 0,
                 "call_id": item["call_id"]}
        self._send({"type": "response.output_item.added", "response_id": response.id,
                    "output_index": 0, "item": dict(item)})
        self._conversation.add(item, done=False)
        self._send({"type": "response.function_call_arguments.delta", **where,
                    "delta": arguments})
        item["arguments"], item["status"] = arguments, "completed"
        self._conversation.calls[item["call_id"]] = item
        self._send({"type": "response.function_call_arguments.done", **where,
                    "name": call.name, "arguments": arguments})
        self._conversation.finish(item)
        self._send({"type": "response.output_item.done", "response_id": response.id,
                    "output_index": 0, "item": item})
        response.output.append(item)

    async def say(self, response: Response, text: str) -> None:
        """Output ``text`` as an assistant message: spoken (with its transcript) when the
        response's modality is audio, else written."""
        audio = self._modalities(response) == ["audio"]
        part_type = "output_audio" if audio else "output_text"
        text_key = "transcript" if audio else "text"
        item: Item = {"id": new_id("item"), "object": "realtime.item", "type": "message",
                      "role": "assistant", "status": "in_progress", "content": []}
        index = len(response.output)
        where = {"response_id": response.id, "item_id": item["id"], "output_index": index,
                 "content_index": 0}
        self._send({"type": "response.output_item.added", "response_id": response.id,
                    "output_index": index, "item": dict(item, content=[])})
        self._conversation.add(item, done=False)
        self._send({"type": "response.content_part.added", **where,
                    "part": {"type": part_type, text_key: ""}})
        delta_type = ("response.output_audio_transcript.delta" if audio
                      else "response.output_text.delta")
        for chunk in _chunks(text):
            self._send({"type": delta_type, **where, "delta": chunk})
        if audio:
            await self._play(response, text)
            self._send({"type": "response.output_audio.done", **where})
            self._send({"type": "response.output_audio_transcript.done", **where,
                        "transcript": text})
        else:
            self._send({"type": "response.output_text.done", **where, "text": text})
        part = {"type": part_type, text_key: text}
        self._send({"type": "response.content_part.done", **where, "part": part})
        item["content"] = [part]
        item["status"] = "incomplete" if response.cancelled_for else "completed"
        self._conversation.finish(item)
        self._send({"type": "response.output_item.done", "response_id": response.id,
                    "output_index": index, "item": item})
        response.output.append(item)

    async def _play(self, response: Response, text: str) -> None:
        if response.cancelled_for:
            return
        voice = str(self._config()["audio"]["output"].get("voice") or "marin")
        samples = await self._agent.synthesize(text, voice)
        if samples is None or samples.size == 0 or response.cancelled_for:
            return
        clip = self._output.play(samples)
        either: list[asyncio.Future[Any]] = [clip.started, clip.finished]
        await asyncio.wait(either, timeout=_START_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
        if not clip.started.done() or clip.started.cancelled():
            # The peer is not pulling frames (not connected yet, or gone): nothing will play.
            self._output.clear()
            return
        if response.cancelled_for:
            # Cut off in the moment its first frame went out: `cleared` has been sent, and a
            # `started` after it would leave the buffer playing for good to whoever listens.
            return
        response.audio_started = True
        self._send({"type": "output_audio_buffer.started", "response_id": response.id})
        await asyncio.wait({clip.finished}, timeout=clip.duration_s + 5.0)


def _chunks(text: str, size: int = 4) -> list[str]:
    words = text.split(" ")
    return [" ".join(words[i : i + size]) + (" " if i + size < len(words) else "")
            for i in range(0, len(words), size)]
