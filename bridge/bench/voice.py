"""Voice to action: from the end of a spoken command to the verified DOM change.

The command is played into the page's outgoing microphone track (`bridge.utterance.speak`), so
its end is known exactly; it travels as Opus over WebRTC, the engine's turn detector waits out
the silence window, the recogniser decodes it, and the page runs the call the bridge verifies.
The floor is what the engine cannot avoid: the silence window plus the same audio's decode
time, measured alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.session import RealtimeSession
from ..engine.tts import parse_wav, resample
from ..engine.voice import EngineVoice
from ..eventlog import EventLog, Record
from ..utterance import speak, synthesize_wav
from .probe import CallTimes

# Short commands, one per style tool; each changes the DOM.
SPOKEN = (
    ("make the button red", "changeButtonStyle"),
    ("make the text yellow", "changeTextColor"),
    ("make the background blue", "changeBackgroundColor"),
    ("make the button bigger", "changeButtonStyle"),
    ("make the text white", "changeTextColor"),
    ("change the button color to green", "changeButtonStyle"),
)


@dataclass(frozen=True)
class Clip:
    text: str
    tool: str
    wav: bytes


def synthesize_clips(commands: Sequence[tuple[str, str]] = SPOKEN) -> list[Clip]:
    return [Clip(text, tool, synthesize_wav(text)) for text, tool in commands]


async def next_record(
    event_log: EventLog, predicate: Callable[[Record], bool], *, after: int, timeout_s: float
) -> Record:
    """The first record after `after` that matches, waiting without blocking the loop."""
    loop = asyncio.get_running_loop()
    found: asyncio.Future[Record] = loop.create_future()

    def offer(record: Record) -> None:
        if predicate(record) and not found.done():
            found.set_result(record)

    def listener(record: Record) -> None:
        loop.call_soon_threadsafe(offer, record)

    unsubscribe = event_log.subscribe(listener)
    try:
        for record in event_log.records(after=after):
            offer(record)
        return await asyncio.wait_for(found, timeout_s)
    finally:
        unsubscribe()


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
        try:
            record = await next_record(
                event_log, lambda r: r.type == "bridge.tool_verified" and r.session == call_id,
                after=utterance.mark, timeout_s=timeout_s)
        except TimeoutError:
            missed += 1
            continue
        if record.event.get("verified") is True and record.event.get("name") == clip.tool:
            samples.append(utterance.latency_ms(record.t))
        else:
            missed += 1
        # The reply ends the turn; the next command starts after it.
        await asyncio.wait_for(times.settled.wait(), timeout_s)
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
