"""How well the embedded engine hears spoken commands, measured through real WebRTC calls.

A corpus of command wordings for the seed's tools (and a few things that are not commands),
said by several voices of two synthesisers at two speaking rates, some with noise mixed in.
Each utterance is played into the microphone track of an aiortc client, travels as Opus to the
engine, and is judged by the tool call the engine answers with: right tool, right arguments
(any spelling of the same colour or size counts), or no call where none was asked for.

    samples = plan(CASES, VOICES)
    outcomes = await hear_over_webrtc(samples, cache_dir, tools, sessions=4)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..css.colors import same_color
from ..css.lengths import same_size
from ..drive.client import RealtimeClient
from ..drive.synthesis import Synth, read_wav, synthesize_utterance_wav
from ..engine import Engine
from ..engine.agent.voice import EngineVoice
from ..engine.audio import SAMPLE_RATE_HZ

__all__ = ["CASES", "VOICES", "Case", "Outcome", "Sample", "Voice", "hear_over_webrtc", "judge",
           "plan", "synthesize"]  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One wording: what is said, and the call it should give (tool None: not a command)."""

    text: str
    tool: str | None
    arguments: dict[str, str] = field(default_factory=dict)
    held_out: bool = False


def _c(text: str, tool: str | None = None, held_out: bool = False, **arguments: str) -> Case:
    return Case(text, tool, arguments, held_out)


BG, TXT, BTN, HTML = "changeBackgroundColor", "changeTextColor", "changeButtonStyle", "getPageHTML"

# The held-out wordings were written with the others but never used while tuning the grammar,
# pronunciations or decoder settings; they are reported apart.
CASES: tuple[Case, ...] = (
    _c("make the background blue", BG, color="blue"),
    _c("change the background color to dark green", BG, color="darkgreen"),
    _c("set the background to light blue", BG, color="lightblue"),
    _c("turn the background red", BG, color="red"),
    _c("please change the background color to orange", BG, color="orange"),
    _c("change the text color to white", TXT, color="white"),
    _c("make the text yellow", TXT, color="yellow"),
    _c("set the text color to purple", TXT, color="purple"),
    _c("turn the text black", TXT, color="black"),
    _c("make the button bigger", BTN, size="bigger"),
    _c("make the button smaller", BTN, size="smaller"),
    _c("change the button color to green", BTN, color="green"),
    _c("make the button red", BTN, color="red"),
    _c("set the button size to twenty four pixels", BTN, size="24px"),
    _c("what is on the page", HTML),
    _c("read the page", HTML),
    _c("get the page html", HTML),
    _c("hello there"),
    _c("thank you"),
    _c("could you paint the background pink", BG, True, color="pink"),
    _c("change the color of the background to navy", BG, True, color="navy"),
    _c("switch the background to gray", BG, True, color="gray"),
    _c("make the background dark slate gray", BG, True, color="darkslategray"),
    _c("make the text color dark red", TXT, True, color="darkred"),
    _c("color the text orange", TXT, True, color="orange"),
    _c("change the text to light green", TXT, True, color="lightgreen"),
    _c("make the button larger", BTN, True, size="larger"),
    _c("change the button to blue", BTN, True, color="blue"),
    _c("make the button color pink", BTN, True, color="pink"),
    _c("make the button thirty two pixels", BTN, True, size="32px"),
    _c("what does the page say", HTML, True),
    _c("describe the page", HTML, True),
    _c("tell me what is on the page", HTML, True),
    _c("what is your name", None, True),
    _c("let us go to lunch", None, True),
)


@dataclass(frozen=True)
class Voice:
    synth: Synth
    name: str
    rates_wpm: tuple[int, int]  # normal, and a second rate (slower for espeak-ng, faster for flite)

    @property
    def label(self) -> str:
        return f"{self.synth}:{self.name}"


VOICES: tuple[Voice, ...] = (
    Voice("espeak-ng", "en-us", (175, 140)),
    Voice("espeak-ng", "en+f3", (175, 140)),
    Voice("espeak-ng", "en-gb", (175, 140)),
    Voice("espeak-ng", "en-us+m3", (175, 140)),
    Voice("flite", "kal", (170, 200)),
    Voice("flite", "slt", (170, 200)),
    Voice("flite", "awb", (170, 200)),
    Voice("flite", "rms", (170, 200)),
)


@dataclass(frozen=True)
class Sample:
    """One utterance: a wording said by a voice at a rate, clean or with noise mixed in."""

    case: Case
    voice: Voice
    rate_wpm: int
    snr_db: float | None
    noise: str

    @property
    def condition(self) -> str:
        noise = f"{self.noise} {self.snr_db:g} dB" if self.snr_db is not None else "clean"
        return f"{self.rate_wpm} wpm, {noise}"


def plan(cases: Sequence[Case], voices: Sequence[Voice], *, noise_snr_db: float = 20.0) -> list[Sample]:
    """Every case with every voice; rate and noise rotate so each voice gets every condition:
    half at each rate, a quarter with noise (white, or pink every other time)."""
    samples = []
    for i, case in enumerate(cases):
        for j, voice in enumerate(voices):
            k = i + j
            snr = noise_snr_db if k % 4 == 3 else None
            samples.append(Sample(case, voice, voice.rates_wpm[k % 2], snr,
                                  "pink" if k % 8 == 7 else "white"))  # fmt: skip
    return samples


def synthesize(sample: Sample, cache: Path) -> Path:
    """The sample as a 48 kHz WAV in `cache` (made once; the file name is the sample's hash)."""
    ident = json.dumps([sample.case.text, sample.voice.synth, sample.voice.name, sample.rate_wpm,
                        sample.snr_db, sample.noise])  # fmt: skip
    path = cache / (hashlib.sha1(ident.encode()).hexdigest()[:16] + ".wav")
    if not path.exists():
        synthesize_utterance_wav(
            sample.case.text, path, synth=sample.voice.synth, voice=sample.voice.name,
            rate_wpm=sample.rate_wpm, sample_rate_hz=SAMPLE_RATE_HZ, lead_silence_s=0.3,
            tail_silence_s=0.5, noise_snr_db=sample.snr_db, noise=sample.noise,  # type: ignore[arg-type]
        )  # fmt: skip
    return path


def judge(case: Case, call: tuple[str, Mapping[str, Any]] | None) -> bool:
    """The call is the one the case asks for, arguments compared by meaning."""
    if call is None or case.tool is None:
        return call is None and case.tool is None
    name, arguments = call
    if name != case.tool or set(arguments) != set(case.arguments):
        return False
    return all(same_color(str(arguments[key]), want) or same_size(str(arguments[key]), want)
               for key, want in case.arguments.items())


@dataclass(frozen=True)
class Outcome:
    """What the engine made of one sample."""

    sample: Sample
    transcript: str | None
    call: tuple[str, dict[str, Any]] | None
    ok: bool
    # End of the utterance (the last speech sample leaving the microphone track) to the
    # function call arriving at the client; None without a call.
    latency_ms: float | None
    error: str | None = None


async def hear_over_webrtc(
    samples: Sequence[Sample],
    cache: Path,
    tools: Sequence[Mapping[str, Any]],
    *,
    sessions: int = 4,
    timeout_s: float = 30.0,
    progress: Any = None,
) -> list[Outcome]:
    """Say every sample into one of `sessions` concurrent calls to an in-process engine.

    `cache` (an existing directory) keeps the synthesised WAVs between runs."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = await asyncio.gather(*(loop.run_in_executor(pool, synthesize, s, cache) for s in samples))
    voice = EngineVoice()
    engine = Engine(speech=voice, max_sessions=sessions)
    outcomes: list[Outcome | None] = [None] * len(samples)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(samples)):
        queue.put_nowait(index)
    try:
        await voice.warm_up()

        async def caller() -> None:
            client = await _open_call(engine, tools)
            try:
                while not queue.empty():
                    index = queue.get_nowait()
                    outcomes[index] = await _hear(client, samples[index], paths[index], timeout_s)
                    if progress is not None:
                        progress(outcomes[index])
            finally:
                await client.close()

        await asyncio.gather(*(caller() for _ in range(min(sessions, len(samples)))))
    finally:
        await engine.aclose()
        await voice.aclose()
    return [outcome for outcome in outcomes if outcome is not None]


async def _open_call(engine: Engine, tools: Sequence[Mapping[str, Any]]) -> RealtimeClient:
    client = RealtimeClient()
    call = await engine.create_call(await client.offer(), session=None)
    await client.accept(call.answer_sdp)
    await client.wait_for("session.created")
    mark = len(client.events)
    client.send({"type": "session.update", "session": {"type": "realtime", "tools": list(tools)}})
    await client.wait_for("session.updated", after=mark)
    return client


async def _hear(client: RealtimeClient, sample: Sample, path: Path, timeout_s: float) -> Outcome:
    pcm = read_wav(path).samples
    mark = len(client.events)
    playback = client.speak(pcm)
    started = await playback.started
    # The clip ends with known silence; the speech ends where the last loud sample is.
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 0.05 * max(1, int(np.abs(pcm).max())))
    speech_end = started + (int(loud[-1]) if loud.size else pcm.size) / SAMPLE_RATE_HZ
    transcript: str | None = None
    try:
        heard = await client.wait_for(
            lambda e: e.get("type", "").startswith("conversation.item.input_audio_transcription."),
            timeout_s=timeout_s, after=mark)
        transcript = heard.get("transcript")
        done = await client.wait_for("response.done", timeout_s=timeout_s, after=mark)
    except TimeoutError:
        return Outcome(sample, transcript, None, False, None, "no response within the timeout")
    await playback.finished
    call, latency_ms = None, None
    for item in done["response"].get("output", []):
        if item.get("type") == "function_call":
            call = (item["name"], json.loads(item["arguments"]))
            received = next(t for t, e in client.events[mark:]
                            if e.get("type") == "response.function_call_arguments.done")  # fmt: skip
            latency_ms = (received - speech_end) * 1000
            break
    return Outcome(sample, transcript, call, judge(sample.case, call), latency_ms)
