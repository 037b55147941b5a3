"""Speaking into the controlled page on demand: synthesised text or a WAV, played into the
page's outgoing audio track (WebAudio → WebRTC → Opus → the upstream), at any moment.

    utterance = await speak(page, event_log, wav_bytes, kind="play", source="cmd.wav")
    utterance.ended_t   # when the voiced part ended, on the event log's clock

Voices: None or an espeak-ng voice name (`en-us`, `en-gb`, …); `flite` or `flite:NAME`
(`flite:slt`, `flite:kal`, …) uses flite when it is installed.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..audio import Impairments
from ..browser.instrument.page import PageInstrument
from ..browser.page_audio import VoicePageAudio, page_audio
from ..events.log import EventLog
from ..events.records import UserAudio
from .impaired import ImpairedAudio, decode_mono, impair_audio, voiced_end_s
from .synthesis import synthesize_utterance_wav

__all__ = ["Utterance", "log_time_of", "speak", "speech_end_s", "synthesize_wav"]

Kind = Literal["say", "play"]


@dataclass(frozen=True)
class Utterance:
    """One utterance played into the page. Times are on the event log's clock (seconds)."""

    kind: Kind
    text: str | None
    source: str | None
    mark: int
    started_t: float
    ended_t: float
    clip_ended_t: float
    impaired: ImpairedAudio | None = None

    def latency_ms(self, call_t: float) -> float:
        """Milliseconds from the end of the spoken words to `call_t` (e.g. a verified call)."""
        return (call_t - self.ended_t) * 1000.0


def synthesize_wav(text: str, voice: str | None = None) -> bytes:
    """`text` spoken by espeak-ng (or flite, for `flite` / `flite:NAME`) as 16-bit WAV bytes."""
    synth: Literal["espeak-ng", "flite"] = "espeak-ng"
    name = voice
    if voice is not None and (voice == "flite" or voice.startswith("flite:")):
        synth, name = "flite", voice.partition(":")[2] or None
    with tempfile.TemporaryDirectory(prefix="rtc-bridge-say-") as directory:
        path = Path(directory, "say.wav")
        synthesize_utterance_wav(text, path, synth=synth, voice=name,
                                 lead_silence_s=0.1, tail_silence_s=0.0)
        return path.read_bytes()


def speech_end_s(data: bytes) -> float | None:
    """Where the voiced part of encoded audio ends (seconds from its start); None if the
    audio cannot be decoded here (the page may still play it)."""
    rate = 16000
    try:
        samples = decode_mono(data, rate)
    except ValueError:
        return None
    return voiced_end_s(samples, rate) if samples.size else 0.0


def log_time_of(event_log: EventLog, epoch_s: float) -> float:
    """A wall-clock time (the browser's Date.now() / 1000) on the event log's clock."""
    return event_log.now() - (time.time() - epoch_s)


async def speak(
    page: Any,
    event_log: EventLog,
    data: bytes,
    *,
    kind: Kind,
    text: str | None = None,
    source: str | os.PathLike[str] | None = None,
    impair: Impairments | None = None,
) -> Utterance:
    """Play encoded audio into the page's outgoing track and return once it has played.

    `page` is the bridge's own voice page or any instrumented page (see `page_audio`), or
    their `PageAudio` itself. `impair` changes the audio first (decoded to 48 kHz mono, see
    `impaired`): the utterance keeps what was played as `impaired`, and its `ended_t` is where
    the impaired words end. The event log gets a `bridge.user_audio` record with the same
    times (and the impairments, in their mapping form).
    """
    mark = event_log.last_seq
    impaired: ImpairedAudio | None = None
    voiced_s: float | None
    if impair is not None and not impair.is_clean:
        impaired = await asyncio.to_thread(impair_audio, data, impair)
        data, voiced_s = impaired.wav, impaired.voiced_end_s
    else:
        voiced_s = await asyncio.to_thread(speech_end_s, data)
    audio = page if isinstance(page, VoicePageAudio | PageInstrument) else await page_audio(page)
    played = await audio.play(data)
    started_t = log_time_of(event_log, played.started_at_ms / 1000)
    clip_ended_t = log_time_of(event_log, played.ended_at_ms / 1000)
    ended_t = clip_ended_t if voiced_s is None else min(clip_ended_t, started_t + voiced_s)
    utterance = Utterance(kind=kind, text=text, source=None if source is None else str(source),
                          mark=mark, started_t=started_t, ended_t=ended_t,
                          clip_ended_t=clip_ended_t, impaired=impaired)
    applied = None if impaired is None else impaired.impairments.to_mapping()
    event_log.append_bridge(UserAudio(
        kind=kind, text=text, source=utterance.source, started_t=started_t, ended_t=ended_t,
        clip_ended_t=clip_ended_t, impairments=applied))
    return utterance
