"""Voice to action: from the end of a spoken command to the verified DOM change.

The command is played into the page's outgoing microphone track (`drive.speaking.speak`), so
its end is known exactly; it travels as Opus over WebRTC, the engine's turn detector waits out
the silence window, the recogniser decodes it, and the page runs the call the bridge verifies.
The floor is what the engine cannot avoid: the silence window plus the same audio's decode
time, measured alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...drive.handle import VerifiedCall
from ...drive.speaking import speak, synthesize_wav
from ...engine.agent.tts import parse_wav, resample
from ...engine.agent.voice import EngineVoice
from ...engine.session import RealtimeSession
from ...events.log import EventLog
from ...events.records import all_of
from .probe import CallTimes

# Short commands for each style tool; each changes the DOM.
SPOKEN = (
    ("make the button red", "changeButtonStyle"),
    ("make the text yellow", "changeTextColor"),
    ("make the background blue", "changeBackgroundColor"),
    ("make the text white", "changeTextColor"),
    ("change the button color to green", "changeButtonStyle"),
    ("make the background green", "changeBackgroundColor"),
)


@dataclass(frozen=True)
class Clip:
    text: str
    tool: str
    wav: bytes


def synthesize_clips(commands: Sequence[tuple[str, str]] = SPOKEN) -> list[Clip]:
    return [Clip(text, tool, synthesize_wav(text)) for text, tool in commands]


async def voice_to_action(
    page: Any,
    event_log: EventLog,
    call_id: str,
    times: CallTimes,
    clips: Sequence[Clip],
    *,
    timeout_s: float = 20.0,
) -> tuple[list[float], int]:
    """Speak each clip in turn; milliseconds from the end of its words to the verified change
    of the expected tool, and how many clips got no such change."""
    samples, missed = [], 0
    for clip in clips:
        times.settled.clear()
        utterance = await speak(page, event_log, clip.wav, kind="say", text=clip.text)
        # The turn ends with a reply: about the verified call, or that nothing was understood.
        try:
            await asyncio.wait_for(times.settled.wait(), timeout_s)
        except TimeoutError:
            missed += 1
            continue
        calls = all_of(VerifiedCall, (r for r in event_log.records(after=utterance.mark)
                                      if r.session == call_id))
        if calls and calls[0].verdict == "verified" and calls[0].name == clip.tool:
            samples.append(utterance.latency_ms(calls[0].t))
        else:
            missed += 1
    return samples, missed


def silence_window_ms(session: RealtimeSession) -> int:
    turn = session.config["audio"]["input"].get("turn_detection") or {}
    return int(turn.get("silence_duration_ms", 500))


async def decode_times(
    voice: EngineVoice, clips: Sequence[Clip], tools: list[dict[str, Any]], *, repeats: int = 3
) -> list[float]:
    """Milliseconds to recognise each clip on its own (the engine's recogniser, its workers)."""
    samples = []
    for clip in clips:
        pcm = resample(parse_wav(clip.wav), 16_000).samples
        for _ in range(repeats):
            started = time.perf_counter()
            await voice.transcribe(pcm, tools)
            samples.append((time.perf_counter() - started) * 1000)
    return samples
