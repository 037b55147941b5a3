"""One engine voice (recogniser workers and speech) per module: starting the decoder processes
costs over a second of CPU, so the engine's tests share them rather than start their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.engine.agent.voice import EngineVoice
from tests.conftest import run_async


@pytest.fixture(scope="module")
def engine_voice() -> Iterator[EngineVoice]:
    voice = EngineVoice()
    try:
        yield voice
    finally:
        run_async(voice.aclose())
