"""Utterances as audio: synthesised by espeak-ng, flite or festival, impaired, cached as WAVs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ...audio import resample
from ...drive.synthesis import read_wav, synthesize_utterance_wav, write_wav
from ...engine.agent.tts import Pcm
from ...errors import SpeechError
from .plan import Utterance

__all__ = ["RATE_HZ", "synthesize"]

RATE_HZ = 48000
_LEAD_S = 0.3
_TAIL_S = 0.7
_FESTIVAL_VOICE = re.compile(r"[a-z0-9_]+")


def synthesize(utterance: Utterance, cache: Path) -> Path:
    """``utterance`` as a 48 kHz 16-bit WAV in ``cache``, with silence around the speech and
    the impairment applied to all of it; made once (the file name hashes what it says)."""
    voice, impairment = utterance.voice, utterance.impairment
    ident = json.dumps([utterance.item.text, voice.synth, voice.name, repr(impairment), _LEAD_S, _TAIL_S])
    path = cache / (hashlib.sha1(ident.encode()).hexdigest()[:16] + ".wav")
    if path.exists():
        return path
    with tempfile.TemporaryDirectory() as directory:
        clean = Path(directory, "clean.wav")
        if voice.synth == "festival":
            _festival(utterance.item.text, voice.name, clean)
        else:
            synthesize_utterance_wav(utterance.item.text, clean, synth=voice.synth, voice=voice.name,
                                     sample_rate_hz=RATE_HZ, lead_silence_s=_LEAD_S,
                                     tail_silence_s=_TAIL_S)  # fmt: skip
        samples = read_wav(clean).samples
    impaired = impairment.apply(samples, RATE_HZ)
    partial = path.with_suffix(".part")
    write_wav(partial, Pcm(impaired, RATE_HZ))
    partial.rename(path)
    return path


def _festival(text: str, voice: str, path: Path) -> None:
    """``text`` said by Debian's festival (``text2wave``) with ``voice``, as 48 kHz with silence."""
    if not _FESTIVAL_VOICE.fullmatch(voice):
        raise SpeechError(f"invalid festival voice name {voice!r}")
    executable = shutil.which("text2wave")
    if executable is None:
        raise SpeechError("festival is not installed (Debian/Ubuntu: apt-get install festival)")
    with tempfile.TemporaryDirectory() as directory:
        text_path, wav_path = Path(directory, "text.txt"), Path(directory, "out.wav")
        text_path.write_text(text, encoding="utf-8")
        try:
            subprocess.run([executable, "-eval", f"(voice_{voice})", "-o", str(wav_path), str(text_path)],
                           capture_output=True, timeout=60, check=True)  # fmt: skip
        except (OSError, subprocess.SubprocessError) as err:
            raise SpeechError(f"festival could not say {text!r} with {voice}: {err}") from err
        pcm = read_wav(wav_path)
    speech = resample(pcm.samples, pcm.sample_rate_hz, RATE_HZ)
    padded = np.concatenate([np.zeros(round(_LEAD_S * RATE_HZ)), speech, np.zeros(round(_TAIL_S * RATE_HZ))])
    write_wav(path, Pcm(np.clip(np.round(padded), -32768, 32767).astype(np.int16), RATE_HZ))
