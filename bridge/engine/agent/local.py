"""The embedded engine's agent: a local command-level agent, not a language model.

It finds the function call a user's words ask for among the session's tools (`IntentMatcher`),
says one honest sentence about each result (`reply_for_output`), and with `speech` it hears
(pocketsphinx, a grammar built from the same tools) and speaks (espeak-ng).
"""

from __future__ import annotations

import json
from collections import OrderedDict

import numpy as np
import numpy.typing as npt

from ...errors import ProtocolError
from .base import Speech, ToolCall, ToolChoice, Tools
from .intent import IntentMatcher
from .replies import reply_for_output

__all__ = ["INTRODUCTION", "NOT_UNDERSTOOD", "LocalAgent"]

NOT_UNDERSTOOD = "I did not catch that"
INTRODUCTION = "I am a local command agent. Tell me what to change on the page."


class LocalAgent:
    """Implements `Agent` for every session of one engine.

    Without ``speech`` it reads typed text only: nothing is heard and replies are not spoken.
    Matchers are built once per tool set and tool choice (the ``matchers_cached`` most recent
    are kept), so sessions with the same tools share one.
    """

    def __init__(self, speech: Speech | None = None, *, matchers_cached: int = 16) -> None:
        self.speech = speech
        self._matchers: OrderedDict[str, IntentMatcher] = OrderedDict()
        self._matchers_cached = matchers_cached

    async def transcribe(self, pcm16k: npt.NDArray[np.int16], tools: Tools) -> str | None:
        if self.speech is None:
            return None
        return await self.speech.transcribe(pcm16k, tools)

    def choose_call(self, text: str, tools: Tools, tool_choice: ToolChoice) -> ToolCall | None:
        if not tools:
            return None
        return self._matcher(tools, tool_choice).match(text)

    def reply_to_text(self, text: str | None) -> str:
        return f"{NOT_UNDERSTOOD}: {text}." if text else INTRODUCTION

    def reply_to_output(self, call: ToolCall, output: str) -> str:
        return reply_for_output(call.name, call.arguments, output)

    async def synthesize(self, text: str, voice: str) -> npt.NDArray[np.int16] | None:
        if self.speech is None:
            return None
        return await self.speech.synthesize(text, voice)

    def _matcher(self, tools: Tools, tool_choice: ToolChoice) -> IntentMatcher:
        key = json.dumps([tools, tool_choice], sort_keys=True)
        matcher = self._matchers.get(key)
        if matcher is None:
            # Building a matcher checks every schema; do it once per tool set, not per turn.
            try:
                matcher = IntentMatcher(tools, tool_choice)
            except ValueError as err:  # e.g. tool_choice names a tool the session lacks
                raise ProtocolError(str(err), code="invalid_tool_choice",
                                    param="tool_choice") from err
            self._matchers[key] = matcher
            while len(self._matchers) > self._matchers_cached:
                self._matchers.popitem(last=False)
        self._matchers.move_to_end(key)
        return matcher
