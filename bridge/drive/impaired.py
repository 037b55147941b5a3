"""Impaired speech for the live microphone: encoded audio decoded (PyAV) to 48 kHz mono, the
`bridge.audio.Impairments` applied, and the result encoded again as a WAV for the page.

    impaired = impair_audio(wav_bytes, Impairments(noise="pink", snr_db=20))
    impaired.wav            # what the page plays into its outgoing track
    impaired.voiced_end_s   # where the words end in it (the noise does not move it)
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from ..audio import Impairments

__all__ = ["RATE_HZ", "ImpairedAudio", "decode_mono", "encode_wav", "impair_audio", "voiced_end_s"]

# The page's AudioContext runs at 48 kHz: a WAV at that rate is played sample for sample.
RATE_HZ = 48_000
# Voiced audio is louder than this (dBFS over 20 ms windows); the rest is lead or tail silence.
VOICED_DBFS = -45.0


@dataclass(frozen=True)
class ImpairedAudio:
    """An utterance before and after its impairments (int16, mono, at `rate_hz`)."""

    impairments: Impairments
    clean: npt.NDArray[np.int16]
    voice: npt.NDArray[np.int16]  # every impairment but the noise
    samples: npt.NDArray[np.int16]
    rate_hz: int
    voiced_end_s: float

    @property
    def wav(self) -> bytes:
        return encode_wav(self.samples, self.rate_hz)


def decode_mono(data: bytes, rate_hz: int = RATE_HZ) -> npt.NDArray[np.int16]:
    """Encoded audio (a WAV, or anything FFmpeg reads) as int16 mono at `rate_hz`; ValueError
    when it cannot be decoded."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate_hz)
    chunks: list[np.ndarray[Any, Any]] = []
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            for frame in container.decode(audio=0):
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    except (av.FFmpegError, IndexError, ValueError) as err:
        raise ValueError(f"the audio cannot be decoded: {err}") from err
    return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)


def encode_wav(samples: npt.NDArray[np.int16], rate_hz: int) -> bytes:
    """16-bit mono PCM WAV bytes."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate_hz)
        file.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return out.getvalue()


def impair_audio(data: bytes, impairments: Impairments, *, rate_hz: int = RATE_HZ) -> ImpairedAudio:
    """`data` decoded, impaired and ready to play; ValueError when it cannot be decoded (the
    page might still play it, but not impaired)."""
    clean = decode_mono(data, rate_hz)
    voice, samples = impairments.apply_parts(clean, rate_hz)
    return ImpairedAudio(impairments=impairments, clean=clean, voice=voice, samples=samples,
                         rate_hz=rate_hz, voiced_end_s=voiced_end_s(voice, rate_hz))


def voiced_end_s(samples: npt.NDArray[np.int16], rate_hz: int) -> float:
    """Where the voiced part ends (seconds from the start): the end of the last 20 ms window
    above -45 dBFS."""
    x = samples.astype(np.float64) / 32768
    window = rate_hz // 50
    usable = x[: x.size // window * window].reshape(-1, window)
    if usable.size == 0:
        return x.size / rate_hz
    level = 10 * np.log10((usable**2).mean(axis=1) + 1e-12)
    voiced = np.flatnonzero(level > VOICED_DBFS)
    return (int(voiced[-1]) + 1) * window / rate_hz if voiced.size else 0.0
