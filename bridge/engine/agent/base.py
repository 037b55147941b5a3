"""What a realtime session asks of the agent behind it, and of the ears and voice an agent may use.

The session speaks OpenAI's events; the agent decides what is said and done. It hears a turn
of audio, chooses a function call for what the user said (or none), and says something about a
tool's result or about words it could not act on. Tools and `tool_choice` are the session's,
passed on every call: an agent keeps nothing per session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["Agent", "Speech", "ToolCall", "ToolChoice", "Tools"]

Tools = Sequence[Mapping[str, Any]]
"""The session's tools as OpenAI function-tool definitions (``{"type": "function", ...}``)."""
ToolChoice = str | Mapping[str, Any]
"""``"auto"``, ``"none"``, ``"required"`` or ``{"type": "function", "name": ...}``."""


@dataclass(frozen=True)
class ToolCall:
    """A function call: the tool's name and arguments that conform to its parameters schema."""

    name: str
    arguments: dict[str, Any]


class Agent(Protocol):
    """The agent behind every session of an engine (one object, shared by the sessions)."""

    async def transcribe(self, pcm16k: npt.NDArray[np.int16], tools: Tools) -> str | None:
        """What was said in one turn of 16 kHz mono audio; None when this agent cannot hear.

        ``tools`` say what is likely to be said. Any exception fails this turn only."""
        ...

    def choose_call(self, text: str, tools: Tools, tool_choice: ToolChoice) -> ToolCall | None:
        """The function call ``text`` asks for, or None. Raises `ProtocolError` when the tools
        or the tool choice cannot be used (the session reports it and goes on)."""
        ...

    def reply_to_text(self, text: str | None) -> str:
        """What to say to ``text`` (None: nothing was said) when it asks for no function call."""
        ...

    def reply_to_output(self, call: ToolCall, output: str) -> str:
        """What to say about ``output``, the result a client sent for ``call``."""
        ...

    async def synthesize(self, text: str, voice: str) -> npt.NDArray[np.int16] | None:
        """``text`` spoken with ``voice`` (an OpenAI voice name), 48 kHz mono; None when this
        agent has no voice."""
        ...


class Speech(Protocol):
    """Ears and a voice: recognition given a session's tools, and synthesis."""

    async def transcribe(self, pcm16k: npt.NDArray[np.int16], tools: Tools) -> str | None:
        """What was said in 16 kHz mono audio; None when it cannot be heard at all."""
        ...

    async def synthesize(self, text: str, voice: str) -> npt.NDArray[np.int16] | None:
        """``text`` spoken with ``voice``, 48 kHz mono; None when it cannot be spoken."""
        ...
