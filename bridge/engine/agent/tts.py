"""The agent's voice: espeak-ng, run as a subprocess, resampled to the 48 kHz WebRTC uses.

pcm = await synthesize("The background is now blue.")
pcm.sample_rate_hz  # 48000
"""

from __future__ import annotations

import asyncio
import re
import shutil
import struct
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

from ...errors import SpeechError

__all__ = ["OUTPUT_RATE_HZ", "Pcm", "SpeechError", "parse_wav", "resample", "synthesize"]

OUTPUT_RATE_HZ = 48000
_VOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+\-/.]*")
# Control characters cannot travel in argv (NUL) or make espeak-ng misbehave; speech has none.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Pcm:
    """Mono 16-bit audio: ``samples`` (int16, one dimension) at ``sample_rate_hz``."""

    samples: npt.NDArray[np.int16]
    sample_rate_hz: int

    def __post_init__(self) -> None:
        if self.sample_rate_hz <= 0:
            raise ValueError(f"sample_rate_hz must be positive, not {self.sample_rate_hz}")
        if self.samples.dtype != np.int16 or self.samples.ndim != 1:
            raise ValueError("samples must be a one-dimensional int16 array")

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate_hz


def resample(pcm: Pcm, rate_hz: int) -> Pcm:
    """``pcm`` at ``rate_hz`` (libswresample through PyAV; the resampler is flushed)."""
    if rate_hz <= 0:
        raise ValueError(f"rate_hz must be positive, not {rate_hz}")
    if rate_hz == pcm.sample_rate_hz or pcm.samples.size == 0:
        return Pcm(pcm.samples, rate_hz) if pcm.samples.size == 0 else pcm
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(pcm.samples).reshape(1, -1), format="s16", layout="mono"
    )
    frame.sample_rate = pcm.sample_rate_hz
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate_hz)
    # The resampler holds back its filter's tail until it is flushed with None.
    chunks = [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
    chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    return Pcm(samples.astype(np.int16, copy=False), rate_hz)


def parse_wav(data: bytes) -> Pcm:
    """Read a 16-bit PCM WAV held in memory, mono or the first channel of several.

    Streamed WAVs (espeak-ng's ``--stdout``) declare a bogus length; the data chunk is taken
    to be whatever follows its header.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechError("not a WAV file (no RIFF/WAVE header)")
    offset, channels, rate, bits = 12, 0, 0, 0
    while offset + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, offset)
        body = offset + 8
        if chunk == b"fmt ":
            audio_format, channels, rate = struct.unpack_from("<HHI", data, body)
            bits = struct.unpack_from("<H", data, body + 14)[0]
            if audio_format not in (1, 0xFFFE) or bits != 16:
                raise SpeechError(f"WAV is not 16-bit PCM (format {audio_format}, {bits} bits)")
        elif chunk == b"data":
            if not rate:
                raise SpeechError("WAV data chunk comes before its fmt chunk")
            end = min(len(data), body + size)
            end -= (end - body) % (2 * channels)
            samples = np.frombuffer(data[body:end], dtype="<i2").reshape(-1, channels)[:, 0]
            return Pcm(samples.astype(np.int16), rate)
        offset = body + size + (size & 1)
    raise SpeechError("WAV has no data chunk")


async def synthesize(text: str, *, voice: str = "en-us", rate_wpm: int | None = None) -> Pcm:
    """Speak ``text`` with espeak-ng; 48 kHz mono. Empty text gives empty audio.

    The text goes to espeak-ng as one argument after ``--``, never through a shell, so
    quotes, leading dashes and any Unicode are spoken (or skipped) rather than interpreted.
    """
    text = _CONTROL.sub(" ", text).strip()
    if not _VOICE.fullmatch(voice):
        raise SpeechError(f"invalid espeak-ng voice name {voice!r}")
    if rate_wpm is not None and not 80 <= rate_wpm <= 500:
        raise SpeechError(f"rate_wpm must be between 80 and 500, not {rate_wpm}")
    if not text:
        return Pcm(np.zeros(0, np.int16), OUTPUT_RATE_HZ)
    executable = shutil.which("espeak-ng")
    if executable is None:
        raise SpeechError("espeak-ng is not installed (Debian/Ubuntu: apt-get install espeak-ng)")
    command = [executable, "--stdout", "-v", voice]
    if rate_wpm is not None:
        command += ["-s", str(rate_wpm)]
    command += ["--", text]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await process.communicate()
    except asyncio.CancelledError:
        if process.returncode is None:
            process.kill()
        # Drain the pipes too, not only wait for the exit: the transport closes once both are
        # done, and one left open fails in its finaliser after the loop has closed.
        await process.communicate()
        raise
    if process.returncode != 0:
        message = err.decode(errors="replace").strip() or f"exit status {process.returncode}"
        raise SpeechError(f"espeak-ng failed for voice {voice!r}: {message}")
    pcm = parse_wav(out)
    return resample(pcm, OUTPUT_RATE_HZ)
