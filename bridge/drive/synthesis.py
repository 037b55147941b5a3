"""Spoken utterances as WAV files: for tests, demos and Chromium's fake microphone.

Chromium plays ``--use-file-for-fake-audio-capture`` files only as 8/16/32-bit PCM or float;
24-bit PCM plays as silence without an error. Everything written here is 16-bit PCM mono.

    path = synthesize_utterance_wav("make the background blue", tmp / "cmd.wav", synth="flite")
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..engine.agent.tts import Pcm, parse_wav, resample
from ..errors import SpeechError

__all__ = ["Synth", "read_wav", "synthesize_utterance_wav", "voices", "write_wav"]

Synth = Literal["espeak-ng", "flite"]
NoiseKind = Literal["white", "pink"]

# espeak-ng's default rate; flite takes a duration stretch instead of words per minute.
_ESPEAK_DEFAULT_WPM = 175
_FLITE_DEFAULT_WPM = 170
_TIMEOUT_S = 60


def write_wav(path: str | os.PathLike[str], pcm: Pcm) -> Path:
    """Write ``pcm`` as a 16-bit PCM mono WAV."""
    target = Path(path)
    with wave.open(str(target), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(pcm.sample_rate_hz)
        file.writeframes(pcm.samples.astype("<i2").tobytes())
    return target


def read_wav(path: str | os.PathLike[str]) -> Pcm:
    """Read a 16-bit PCM WAV (the first channel if it has several)."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise SpeechError(f"cannot read WAV {path}: {err}") from err
    return parse_wav(data)


def voices(synth: Synth = "espeak-ng") -> list[str]:
    """Voices of ``synth`` installed here, as names its voice option accepts."""
    if synth == "flite":
        listing = _run([_executable("flite"), "-lv"]).decode()
        return listing.split(":", 1)[-1].split()
    listing = _run([_executable("espeak-ng"), "--voices"]).decode()
    names: list[str] = []
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5:
            continue
        language, file = fields[1], fields[4]
        if file.startswith("mb/"):
            # espeak-ng lists MBROLA voices whether or not their data is installed.
            voice = file[3:]
            if _mbrola_installed(voice.removeprefix("mb-").split("-")[0]):
                names.append(voice)
        elif language not in names:
            names.append(language)
    return names


def synthesize_utterance_wav(
    text: str,
    path: str | os.PathLike[str],
    *,
    synth: Synth = "espeak-ng",
    voice: str | None = None,
    rate_wpm: int | None = None,
    sample_rate_hz: int = 48000,
    lead_silence_s: float = 0.5,
    tail_silence_s: float = 1.0,
    noise_snr_db: float | None = None,
    noise: NoiseKind = "white",
    seed: int = 0,
) -> Path:
    """Say ``text`` into a 16-bit mono WAV at ``sample_rate_hz``, with silence around it.

    ``noise_snr_db`` mixes ``noise`` (white or pink) over the whole file at that ratio to the
    speech's level; ``seed`` makes the noise reproducible.
    """
    if sample_rate_hz < 8000:
        raise SpeechError(f"sample_rate_hz must be at least 8000, not {sample_rate_hz}")
    if lead_silence_s < 0 or tail_silence_s < 0:
        raise SpeechError("silence durations cannot be negative")
    speech = resample(_speak(text, synth, voice, rate_wpm), sample_rate_hz).samples
    lead = np.zeros(round(lead_silence_s * sample_rate_hz), np.float64)
    tail = np.zeros(round(tail_silence_s * sample_rate_hz), np.float64)
    mixed = np.concatenate([lead, speech.astype(np.float64), tail])
    if noise_snr_db is not None:
        mixed += _noise(mixed.size, noise, seed) * _rms(speech) * 10 ** (-noise_snr_db / 20)
    peak = float(np.abs(mixed).max()) if mixed.size else 0.0
    if peak > 32767:
        mixed *= 32767 / peak
    samples = np.round(mixed).astype(np.int16)
    return write_wav(path, Pcm(samples, sample_rate_hz))


def _speak(text: str, synth: Synth, voice: str | None, rate_wpm: int | None) -> Pcm:
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text).strip()
    if not text:
        raise SpeechError("nothing to say: the text is empty")
    if rate_wpm is not None and not 80 <= rate_wpm <= 500:
        raise SpeechError(f"rate_wpm must be between 80 and 500, not {rate_wpm}")
    if synth == "espeak-ng":
        command = [_executable("espeak-ng"), "--stdout", "-v", voice or "en-us"]
        if rate_wpm is not None:
            command += ["-s", str(rate_wpm)]
        return parse_wav(_run([*command, "--", text]))
    if synth == "flite":
        # Text goes through a file: flite has no "--" and reads options anywhere in argv.
        with tempfile.TemporaryDirectory() as directory:
            text_path, wav_path = Path(directory, "text.txt"), Path(directory, "out.wav")
            text_path.write_text(text, encoding="utf-8")
            command = [_executable("flite"), "-voice", voice or "slt", "-f", str(text_path)]
            if rate_wpm is not None:
                command += ["--setf", f"duration_stretch={_FLITE_DEFAULT_WPM / rate_wpm:.3f}"]
            _run([*command, "-o", str(wav_path)])
            return read_wav(wav_path)
    raise SpeechError(f"unknown synthesiser {synth!r}: use 'espeak-ng' or 'flite'")


def _executable(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SpeechError(f"{name} is not installed (Debian/Ubuntu: apt-get install {name})")
    return found


def _run(command: list[str]) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SpeechError(f"{Path(command[0]).name} could not run: {err}") from err
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
        raise SpeechError(f"{Path(command[0]).name} failed: {message}")
    return done.stdout


def _mbrola_installed(voice: str) -> bool:
    return any(Path(root, voice).exists() for root in ("/usr/share/mbrola", "/usr/lib/mbrola"))


def _rms(samples: npt.NDArray[np.int16]) -> float:
    """Level of the voiced part: the loudest half of 20 ms frames, so pauses do not count."""
    frame = 320
    usable = samples[: samples.size // frame * frame].astype(np.float64).reshape(-1, frame)
    if usable.size == 0:
        return float(np.sqrt((samples.astype(np.float64) ** 2).mean())) if samples.size else 0.0
    energy = np.sort((usable**2).mean(axis=1))
    return float(np.sqrt(energy[len(energy) // 2 :].mean()))


def _noise(size: int, kind: NoiseKind, seed: int) -> npt.NDArray[np.float64]:
    """Unit-RMS noise; pink by shaping white noise's spectrum by 1/sqrt(f)."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(size)
    if kind == "white" or size < 2:
        return white
    spectrum = np.fft.rfft(white)
    scale = np.ones(spectrum.size)
    scale[1:] = 1 / np.sqrt(np.arange(1, spectrum.size))
    scale[0] = 0.0
    pink = np.fft.irfft(spectrum * scale, n=size)
    return pink / max(1e-12, float(np.sqrt((pink**2).mean())))
