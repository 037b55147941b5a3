"""Speech recognition with pocketsphinx, in this process: one decoder, a search per language
model, and the clean-up an utterance gets before it is decoded.

    host = DecoderHost()
    transcript = host.decode(pcm16k, build_language_model(tools))
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import RecognitionError
from .grammar import LanguageModel

__all__ = ["SAMPLE_RATE_HZ", "DecoderHost", "DecoderSettings", "Transcript", "decode"]

SAMPLE_RATE_HZ = 16000


@dataclass(frozen=True)
class Transcript:
    """What was heard: the best hypothesis, alternatives (best first), the decode time, the
    best path's score (pocketsphinx's, higher is better; 0 when nothing was decoded) and the
    frequency warp it was heard with (1.0 = none)."""

    text: str
    nbest: tuple[str, ...]
    decode_ms: float
    score: float = 0.0
    warp: float = 1.0

    @staticmethod
    def best_of(heard: Sequence[Transcript]) -> Transcript:
        """The best-scoring of one utterance's decodes (the first of equals: warp 1.0 leads)."""
        return max(heard, key=lambda transcript: transcript.score)


@dataclass(frozen=True)
class DecoderSettings:
    """pocketsphinx search settings, the same for every worker.

    ``keep_silence_ms`` trims leading and trailing silence down to that much: the search
    costs most where nothing is said yet, with every opening word of the grammar alive.
    ``noise_floor_db`` is how far below the speech level a faint noise floor is added before
    decoding: synthetic and gated audio holds runs of exact digital zeros, which drive the
    log-spectral features to their floor and throw the recogniser off completely.
    """

    beam: float = 1e-48
    wbeam: float = 7e-29
    pbeam: float = 1e-48
    lw: float = 6.5
    wip: float = 0.65
    # A phone insertion penalty (pip < 1) favours fewer, longer words over strings of short
    # ones: on the accuracy corpus 0.5 heard 4 more of 280 commands than 1.0 (tuning and
    # held-out wordings both gained); 0.3 and 0.2 were no better.
    pip: float = 0.5
    # pocketsphinx's lattice pass (bestpath, and the lattice N-best needs) doubled the decode
    # time of a grammar search (tripled its p90) and was no more accurate: the grammar's own best
    # path is the answer. N-best alternatives cost that lattice, so they are opt-in.
    bestpath: bool = False
    nbest: int = 0
    noise_floor_db: float | None = 50.0
    keep_silence_ms: int | None = 200
    # Vocal tract length normalisation: each utterance is decoded with the front end's
    # frequency axis warped by each factor (inverse-linear; 1.0 is none), and the best-scoring
    # path wins. The en-US acoustic model fits adult voices of average pitch; 1.3 suits high
    # voices and 0.9 deep ones. On the accuracy corpus (280 utterances, decoded directly) the
    # three heard 263 commands, 1.0 alone 256, and both tuning and held-out wordings gained.
    # Since the grammar carries non-rhotic pronunciations the gain is within noise: 266 against
    # 265 decoded directly, 263 against 264 on the audio as it arrived over WebRTC.
    # Each factor is one more decode of the utterance.
    warps: tuple[float, ...] = (1.0, 0.9, 1.3)

    def __post_init__(self) -> None:
        if not 0 <= self.nbest <= 50:
            raise ValueError(f"nbest must be 0..50, not {self.nbest}")
        if not self.warps or not all(0.5 <= warp <= 2.0 for warp in self.warps):
            raise ValueError(f"warps must be one or more factors in 0.5..2.0, not {self.warps}")

    def decoder_config(self) -> dict[str, Any]:
        """Keyword arguments for ``pocketsphinx.Decoder``."""
        return {
            "beam": self.beam,
            "wbeam": self.wbeam,
            "pbeam": self.pbeam,
            "lw": self.lw,
            "wip": self.wip,
            "pip": self.pip,
            "bestpath": self.bestpath,
            "warp_params": "1",  # see DecoderHost._decode_warped
        }


class DecoderHost:
    """A pocketsphinx decoder with one search per language model, for use in one process.

    Building the decoder loads the acoustic model (a few hundred ms); switching to a model
    already seen is free, and a new model costs only its grammar or n-gram load.
    """

    def __init__(self, settings: DecoderSettings | None = None, *, max_models: int = 8) -> None:
        try:
            import pocketsphinx
        except ImportError as err:  # pragma: no cover - a dependency of the package
            raise RecognitionError("pocketsphinx is not installed (pip install pocketsphinx)") from err
        self.settings = settings or DecoderSettings()
        self._max_models = max_models
        self._searches: OrderedDict[str, None] = OrderedDict()
        self._decoder = pocketsphinx.Decoder(lm=None, loglevel="FATAL", **self.settings.decoder_config())

    def decode(
        self,
        pcm16k: npt.NDArray[np.int16],
        model: LanguageModel,
        warps: Sequence[float] | None = None,
    ) -> Transcript:
        """Recognise one whole utterance of 16 kHz mono audio against ``model``, with each of
        ``warps`` (default: the settings') and keeping the best-scoring path."""
        started = time.perf_counter()
        self.activate(model)
        samples = np.asarray(pcm16k, dtype=np.int16).reshape(-1)
        if samples.size < SAMPLE_RATE_HZ // 10:
            return Transcript("", (), (time.perf_counter() - started) * 1000)
        if self.settings.keep_silence_ms is not None:
            samples = _trim_silence(samples, self.settings.keep_silence_ms)
        if self.settings.noise_floor_db is not None:
            samples = _with_noise_floor(samples, self.settings.noise_floor_db)
        audio = samples.tobytes()
        best = Transcript.best_of([self._decode_warped(audio, warp) for warp in warps or self.settings.warps])
        return replace(best, decode_ms=(time.perf_counter() - started) * 1000)

    def _decode_warped(self, audio: bytes, warp: float) -> Transcript:
        decoder = self._decoder
        # Always a factor, never None: the front end keeps the last factor it parsed in
        # process-wide state and skips parsing a factor equal to it, so after None (no warp)
        # the same factor as before was silently left unapplied. "1" is the identity.
        decoder.config["warp_params"] = f"{warp:g}"
        # Reinitialising the front end applies the warp, and also drops its noise estimate,
        # which otherwise carries over from one utterance to the next: what was decoded before
        # (another session's turn, a dropped speculative decode) changed how this one was
        # heard ("make the button bigger" came out empty after one command, right after another).
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(audio, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        text = _clean(hyp.hypstr) if hyp is not None else ""
        alternatives = [text] if text else []
        if self.settings.nbest and text:
            try:
                for index, other in enumerate(decoder.nbest()):
                    if index >= 4 * self.settings.nbest or len(alternatives) >= self.settings.nbest:
                        break
                    cleaned = _clean(other.hypstr)
                    if cleaned and cleaned not in alternatives:
                        alternatives.append(cleaned)
            except RuntimeError:
                pass  # no lattice for this utterance (e.g. nothing survived the beams)
        score = float(hyp.score) if hyp is not None and text else 0.0
        return Transcript(text, tuple(alternatives), 0.0, score, warp)

    def activate(self, model: LanguageModel) -> None:
        """Make ``model`` the active search, building it on first use."""
        decoder = self._decoder
        if model.key in self._searches:
            self._searches.move_to_end(model.key)
            decoder.activate_search(model.key)
            return
        missing = [(w, p) for w, p in model.pronunciations if decoder.lookup_word(w) is None]
        for index, (word, phones) in enumerate(missing):
            decoder.add_word(word, phones, update=index == len(missing) - 1)
        try:
            if model.kind == "jsgf":
                decoder.add_jsgf_string(model.key, model.text)
            else:
                with tempfile.TemporaryDirectory() as directory:
                    path = os.path.join(directory, "model.arpa")
                    with open(path, "w", encoding="utf-8") as file:
                        file.write(model.text)
                    decoder.add_lm_file(model.key, path)
        except (RuntimeError, ValueError) as err:
            raise RecognitionError(f"pocketsphinx rejected the {model.kind} model: {err}") from err
        decoder.activate_search(model.key)
        self._searches[model.key] = None
        while len(self._searches) > self._max_models:
            old, _ = self._searches.popitem(last=False)
            decoder.remove_search(old)


def decode(
    pcm16k: npt.NDArray[np.int16], model: LanguageModel, settings: DecoderSettings | None = None
) -> Transcript:
    """Recognise in this process with a fresh decoder (for scripts; the engine uses Recognizer)."""
    return DecoderHost(settings).decode(pcm16k, model)


def _clean(hypstr: str) -> str:
    words = [w for w in hypstr.split() if not (w.startswith(("<", "[", "+")))]
    return " ".join(words)


def _trim_silence(samples: npt.NDArray[np.int16], keep_ms: int) -> npt.NDArray[np.int16]:
    """Cut silence before the first and after the last speech-loud 10 ms frame, keeping ``keep_ms``.

    A frame counts as speech when it is within 30 dB of the loud frames and clearly (6 dB)
    above the quietest ones, so a steady noise bed is not taken for speech.
    """
    usable = samples[: samples.size // 160 * 160].astype(np.float64).reshape(-1, 160)
    if usable.shape[0] < 10:
        return samples
    level = 10 * np.log10((usable**2).mean(axis=1) + 1.0)
    ordered = np.sort(level)
    loud = float(ordered[int(len(ordered) * 0.9) :].mean())
    quiet = float(ordered[: max(1, len(ordered) // 10)].mean())
    threshold = max(loud - 30.0, quiet + 6.0)
    speech = np.flatnonzero(level > threshold)
    if speech.size == 0:
        return samples
    keep = keep_ms // 10
    first = max(0, int(speech[0]) - keep) * 160
    last = min(samples.size, (int(speech[-1]) + 1 + keep) * 160)
    return samples[first:last]


def _with_noise_floor(samples: npt.NDArray[np.int16], below_db: float) -> npt.NDArray[np.int16]:
    """Add white noise ``below_db`` under the level of the loudest tenth of 10 ms frames.

    The noise is seeded by nothing but the input, so a decode is reproducible.
    """
    frames = samples[: samples.size // 160 * 160].astype(np.float64).reshape(-1, 160)
    if frames.size == 0:
        return samples
    energy = np.sort(np.sqrt((frames**2).mean(axis=1)))
    loud = float(energy[int(len(energy) * 0.9) :].mean())
    sigma = max(1.0, loud * 10 ** (-below_db / 20))
    noise = np.random.default_rng(0).normal(0.0, sigma, samples.size)
    return np.clip(samples + noise, -32768, 32767).astype(np.int16)
