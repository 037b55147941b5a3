"""Recognition of synthesised commands against a grammar built from the seed's tools: the
decoder in this process, and the recogniser's worker processes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from bridge.drive.synthesis import Synth, read_wav, synthesize_utterance_wav
from bridge.engine.agent.decoder import (
    DecoderHost,
    DecoderSettings,
    Transcript,
    _trim_silence,
    _with_noise_floor,
)
from bridge.engine.agent.grammar import LanguageModel, build_language_model
from bridge.engine.agent.recognition import (
    MAX_DEFAULT_WORKERS,
    RecognitionError,
    Recognizer,
    default_workers,
)
from bridge.engine.agent.tts import resample

Arun = Callable[[Coroutine[Any, Any, Any]], Any]

TOOLS = json.loads((Path(__file__).resolve().parents[3] / "pages" / "tools.json").read_text())["tools"]


@pytest.fixture(scope="module")
def model() -> LanguageModel:
    return build_language_model(TOOLS)


@pytest.fixture(scope="module")
def host() -> DecoderHost:
    return DecoderHost()


def utterance(tmp_path: Path, text: str, synth: Synth = "flite", voice: str = "awb") -> npt.NDArray[np.int16]:
    """``text`` as the engine gets it: a 48 kHz file resampled to 16 kHz."""
    wav = synthesize_utterance_wav(text, tmp_path / "u.wav", synth=synth, voice=voice,
                                   lead_silence_s=0.4, tail_silence_s=0.6)  # fmt: skip
    return resample(read_wav(wav), 16000).samples


@pytest.mark.parametrize(
    ("text", "synth", "voice"),
    [
        ("make the background blue", "flite", "awb"),
        ("set the button size to twenty four pixels", "flite", "awb"),
        ("what is on the page", "flite", "slt"),
        # espeak-ng's output holds runs of digital zeros: heard only thanks to the noise floor
        ("change the background color to blue", "espeak-ng", "en-us"),
        # a British voice, heard through the non-rhotic pronunciations ("purple" P AH P AH L)
        ("set the text color to purple", "espeak-ng", "en-gb"),
        # a rare CSS colour name, still heard under the prior for everyday colours
        ("make the background papaya whip", "flite", "slt"),
    ],
)
def test_commands_are_transcribed(
    tmp_path: Path, host: DecoderHost, model: LanguageModel, text: str, synth: Synth, voice: str
) -> None:
    transcript = host.decode(utterance(tmp_path, text, synth, voice), model)
    assert transcript.text == text
    assert transcript.nbest[0] == text
    assert transcript.decode_ms > 0


def test_a_decode_does_not_depend_on_what_was_decoded_before(
    tmp_path: Path, model: LanguageModel
) -> None:
    # Workers are shared by sessions: one turn must not colour how the next one is heard.
    first = utterance(tmp_path, "change the background color to blue", "espeak-ng", "en-us")
    second = utterance(tmp_path, "make the button bigger", "espeak-ng", "en-us")
    alone = DecoderHost().decode(second, model)
    warmed = DecoderHost()
    warmed.decode(first, model)
    after_another = warmed.decode(second, model)
    assert (after_another.text, after_another.score) == (alone.text, alone.score)
    assert alone.text == "make the button bigger" and alone.score != 0


def test_silence_and_tiny_input_give_empty_text(host: DecoderHost, model: LanguageModel) -> None:
    assert host.decode(np.zeros(800, np.int16), model).text == ""
    empty = host.decode(np.zeros(0, np.int16), model)
    assert (empty.text, empty.nbest) == ("", ())


def test_trim_keeps_the_speech_and_a_margin(tmp_path: Path) -> None:
    pcm = utterance(tmp_path, "make the button bigger")
    trimmed = _trim_silence(pcm, 200)
    assert pcm.size - trimmed.size > 0.6 * 16000  # most of 0.4 s + 0.6 s of silence went
    speech = np.flatnonzero(np.abs(pcm) > 300)
    assert trimmed.size >= speech[-1] - speech[0]


def test_noise_floor_is_faint_and_reproducible(tmp_path: Path) -> None:
    pcm = utterance(tmp_path, "make the button bigger")
    floored = _with_noise_floor(pcm, 50)
    added = floored.astype(np.float64) - pcm
    assert np.array_equal(floored, _with_noise_floor(pcm, 50))
    assert 0 < np.sqrt((added**2).mean()) < 0.01 * np.abs(pcm).max()


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        DecoderSettings(nbest=-1)
    with pytest.raises(ValueError, match="warps"):
        DecoderSettings(warps=())
    with pytest.raises(ValueError, match="warps"):
        DecoderSettings(warps=(1.0, 3.0))
    with pytest.raises(ValueError):
        Recognizer(workers=0)


def test_the_pool_is_sized_by_usable_cores_and_never_below_the_warps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cores, warps, workers in ((2, 3, 3), (8, 3, 8), (1, 1, 1), (64, 3, MAX_DEFAULT_WORKERS)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        assert default_workers(warps) == workers


def test_recognizer_decodes_in_a_worker_process(tmp_path: Path, model: LanguageModel, arun: Arun) -> None:
    pcm = utterance(tmp_path, "make the button bigger")

    async def scenario() -> tuple[Transcript, Transcript]:
        recognizer = Recognizer(workers=1)
        async with recognizer:
            await recognizer.warm_up()
            first = await recognizer.transcribe(pcm, model)
            again = await recognizer.transcribe(pcm, model)  # the grammar is cached by then
        await recognizer.aclose()  # closing twice is harmless
        with pytest.raises(RecognitionError, match="closed"):
            await recognizer.transcribe(pcm, model)
        return first, again

    first, again = arun(scenario())
    assert first.text == again.text == "make the button bigger"


def test_the_best_scoring_warp_wins_in_one_process_or_shared_out(
    tmp_path: Path, host: DecoderHost, model: LanguageModel, arun: Arun
) -> None:
    pcm = utterance(tmp_path, "turn the text red", "espeak-ng", "en+f3")
    warps = (1.0, 1.3, 0.9)
    each = [host.decode(pcm, model, (warp,)) for warp in warps]
    # Each warp is applied whatever was decoded before (the front end caches the last one).
    again = [host.decode(pcm, model, (warp,)) for warp in (0.9, 1.3, 1.3, 1.0)]
    assert [heard.score for heard in again] == [each[2].score, each[1].score, each[1].score,
                                                each[0].score]  # fmt: skip
    best = max(each, key=lambda heard: heard.score)
    assert best.warp == 1.3  # a high voice fits best with a stretched frequency axis
    together = host.decode(pcm, model, warps)
    assert (together.text, together.score, together.warp) == (best.text, best.score, best.warp)

    async def shared_out() -> Transcript:
        # Two workers for three warps: one decodes 1.0 and 0.9, the other 1.3.
        async with Recognizer(workers=2, settings=DecoderSettings(warps=warps)) as recognizer:
            return await recognizer.transcribe(pcm, model)

    heard = arun(shared_out())
    assert (heard.text, heard.score, heard.warp) == (best.text, best.score, best.warp)
