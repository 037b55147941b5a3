"""A response's voice on the outbound track, one piece at a time: a cancel that lands in the
moment the first frame goes out leaves `output_audio_buffer.cleared` as the last word on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np

from bridge.engine.audio import SAMPLE_RATE_HZ, OutboundAudioTrack, Playback
from bridge.engine.conversation import Conversation
from bridge.engine.responses import Response, Responses
from bridge.tasks import TaskGroup

Arun = Callable[..., Any]


class SpeakingAgent:
    """Says anything as a second of a tone."""

    async def synthesize(self, text: str, voice: str) -> np.ndarray:
        return np.full(SAMPLE_RATE_HZ, 1000, dtype=np.int16)


class WatchedTrack(OutboundAudioTrack):
    """The outbound track, telling when a clip is queued."""

    def __init__(self) -> None:
        super().__init__()
        self.queued = asyncio.Event()

    def play(self, samples: np.ndarray) -> Playback:
        clip = super().play(samples)
        self.queued.set()
        return clip


def test_a_cancel_as_the_first_frame_goes_out_never_leaves_the_buffer_started(arun: Arun) -> None:
    async def scenario() -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        track, tasks = WatchedTrack(), TaskGroup()
        responses = Responses(
            send=sent.append, conversation=Conversation(sent.append, {}), output=track,
            agent=SpeakingAgent(), tasks=tasks,  # type: ignore[arg-type]
            config=lambda: {"id": "conv_1", "output_modalities": ["audio"],
                            "audio": {"output": {"voice": "marin"}}})

        async def answer(response: Response) -> None:
            await responses.say(response, "done")

        responses.start({}, answer)
        await asyncio.wait_for(track.queued.wait(), timeout=5)
        await track.recv()  # the first frame goes out: the clip has started...
        responses.cancel_active("client_cancelled")  # ...and is cut before its speaker hears
        await asyncio.wait_for(responses.wait_idle(), timeout=5)
        await tasks.aclose()
        track.stop()
        return sent

    buffer = [e for e in arun(scenario()) if e["type"].startswith("output_audio_buffer.")]
    assert [e["type"] for e in buffer] == ["output_audio_buffer.cleared"]
