"""The engine's language models by tool set: built once off the event loop, however many
sessions with those tools ask at the same time, then served from the cache."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from bridge.engine.agent import voice as voice_module
from bridge.engine.agent.grammar import build_language_model
from bridge.engine.agent.voice import EngineVoice

Arun = Callable[..., Any]
TOOLS = [{"type": "function", "name": "changeTextColor", "description": "Change the text color",
          "parameters": {"type": "object", "properties": {"color": {"type": "string"}},
                         "required": ["color"]}}]


def test_a_tool_set_is_built_once_in_a_thread_and_then_cached(
        arun: Arun, monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[str] = []

    def counted(tools: Any, **options: Any) -> Any:
        builds.append(threading.current_thread().name)
        return build_language_model(tools, **options)

    monkeypatch.setattr(voice_module, "build_language_model", counted)

    loop_thread: list[str] = []

    async def scenario() -> bool:
        loop_thread.append(threading.current_thread().name)
        voice = EngineVoice(workers=1)
        try:
            first, second = await asyncio.gather(voice.language_model(TOOLS),
                                                 voice.language_model(TOOLS))
            third = await voice.language_model([dict(TOOLS[0])])
            return first is second is third
        finally:
            await voice.aclose()

    assert arun(scenario())
    assert len(builds) == 1 and builds != loop_thread
