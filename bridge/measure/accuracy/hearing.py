"""The engine hearing the plan: spoken over real WebRTC calls (Opus), spoken straight to the
recogniser (for tuning), or typed.

Spoken utterances go, one after another, into the microphone track of an aiortc client that
calls an in-process engine; each is judged by the function call the engine answers with. The
session is text-only, so that no spoken reply delays the next utterance.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...drive.client import RealtimeClient
from ...drive.synthesis import read_wav
from ...engine import Engine
from ...engine.agent import EngineVoice, LocalAgent
from ...engine.agent.grammar import ModelKind
from ...engine.agent.tts import Pcm, resample
from .corpus import Item
from .plan import Utterance
from .scoring import Call, judge
from .voices import RATE_HZ, synthesize

__all__ = ["Heard", "Typed", "hear_directly", "hear_over_webrtc", "read_typed", "synthesize_all"]

Progress = Callable[["Heard"], None]
ToolSets = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class Heard:
    """What the engine made of one utterance: the transcript, the call, whether it is right,
    and the time from the end of the speech to the call at the client (None without one)."""

    utterance: Utterance
    transcript: str | None
    call: Call | None
    ok: bool
    latency_ms: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class Typed:
    """What the engine made of one item typed: the call, and whether it is right."""

    item: Item
    toolset: str
    call: Call | None
    ok: bool


async def synthesize_all(utterances: Sequence[Utterance], cache: Path, *, workers: int = 2) -> list[Path]:
    """Every utterance's WAV (made in ``workers`` threads; synthesisers are processes)."""
    loop = asyncio.get_running_loop()
    await asyncio.to_thread(cache.mkdir, parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        made = [loop.run_in_executor(pool, synthesize, u, cache) for u in utterances]
        return list(await asyncio.gather(*made))


def read_typed(items: Sequence[tuple[Item, str]], toolsets: ToolSets) -> list[Typed]:
    """Each item's words typed to the local agent (the session's path for typed text)."""
    agent = LocalAgent()
    results = []
    for item, toolset in items:
        tools = list(toolsets[toolset])
        chosen = agent.choose_call(item.text, tools, "auto")
        call = None if chosen is None else (chosen.name, chosen.arguments)
        results.append(Typed(item, toolset, call, judge(item, call, tuple(tools))))
    return results


async def hear_directly(
    utterances: Sequence[Utterance], paths: Sequence[Path], toolsets: ToolSets,
    *, progress: Progress | None = None, kind: ModelKind = "jsgf",
) -> list[Heard]:
    """The recogniser (`kind` of language model) and the agent alone, on each WAV resampled to
    16 kHz (no WebRTC, no turn detection): faster than real time, for tuning."""
    voice = EngineVoice(kind=kind)
    agent = LocalAgent(voice)
    heard = []
    try:
        await voice.warm_up()
        for utterance, path in zip(utterances, paths, strict=True):
            tools = list(toolsets[utterance.toolset])
            pcm = resample(read_wav(path), 16000).samples
            text = await agent.transcribe(pcm, tools) or ""
            chosen = agent.choose_call(text, tools, "auto") if text else None
            call = None if chosen is None else (chosen.name, chosen.arguments)
            heard.append(Heard(utterance, text, call, judge(utterance.item, call, tuple(tools))))
            if progress is not None:
                progress(heard[-1])
    finally:
        await voice.aclose()
    return heard


async def hear_over_webrtc(
    utterances: Sequence[Utterance], paths: Sequence[Path], toolsets: ToolSets,
    *, timeout_s: float = 30.0, progress: Progress | None = None, kind: ModelKind = "jsgf",
) -> list[Heard]:
    """Say every utterance into one call to an in-process engine (`kind` of language model),
    one at a time; the session's tools change with each utterance's tool set."""
    voice = EngineVoice(kind=kind)
    engine = Engine(speech=voice, max_sessions=1)
    heard = []
    try:
        await voice.warm_up()
        client = await _open_call(engine)
        try:
            current: str | None = None
            for utterance, path in zip(utterances, paths, strict=True):
                if utterance.toolset != current:
                    await _use_tools(client, list(toolsets[utterance.toolset]))
                    current = utterance.toolset
                tools = tuple(toolsets[current])
                heard.append(await _hear(client, utterance, read_wav(path), tools, timeout_s))
                if progress is not None:
                    progress(heard[-1])
        finally:
            await client.close()
    finally:
        await engine.aclose()
        await voice.aclose()
    return heard


async def _open_call(engine: Engine) -> RealtimeClient:
    client = RealtimeClient()
    call = await engine.create_call(await client.offer(), session=None)
    await client.accept(call.answer_sdp)
    await client.wait_for("session.created")
    return client


async def _use_tools(client: RealtimeClient, tools: list[Mapping[str, Any]]) -> None:
    mark = len(client.events)
    client.send({"type": "session.update",
                 "session": {"type": "realtime", "tools": tools, "output_modalities": ["text"]}})
    await client.wait_for("session.updated", after=mark)


async def _hear(
    client: RealtimeClient, utterance: Utterance, pcm: Pcm, tools: tuple[Any, ...], timeout_s: float
) -> Heard:
    if pcm.sample_rate_hz != RATE_HZ:
        pcm = resample(pcm, RATE_HZ)
    mark = len(client.events)
    playback = client.speak(pcm.samples)
    started = await playback.started
    # The clip ends with known silence; the speech ends where the last loud sample is.
    magnitude = np.abs(pcm.samples.astype(np.int32))
    loud = np.flatnonzero(magnitude > 0.05 * max(1, int(magnitude.max())))
    speech_end = started + (int(loud[-1]) if loud.size else pcm.samples.size) / RATE_HZ
    transcript: str | None = None
    try:
        said = await client.wait_for(
            lambda e: str(e.get("type", "")).startswith("conversation.item.input_audio_transcription."),
            timeout_s=timeout_s, after=mark)
        transcript = said.get("transcript")
        done = await client.wait_for("response.done", timeout_s=timeout_s, after=mark)
    except TimeoutError:
        await playback.finished
        return Heard(utterance, transcript, None, False, None, "no response within the timeout")
    await playback.finished
    call: Call | None = None
    latency_ms = None
    for item in done["response"].get("output", []):
        if item.get("type") == "function_call":
            call = (item["name"], json.loads(item["arguments"]))
            received = next(t for t, e in client.events[mark:]
                            if e.get("type") == "response.function_call_arguments.done")  # fmt: skip
            latency_ms = (received - speech_end) * 1000
            break
    return Heard(utterance, transcript, call, judge(utterance.item, call, tools), latency_ms)
