"""The engine's ears and mouth: pocketsphinx recognition and espeak-ng speech, shared by sessions."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import SpeechError
from .base import Tools
from .grammar import LanguageModel, ModelKind, build_language_model, default_lexicon
from .grammar.phrasings import common_words
from .recognition import Recognizer
from .tts import synthesize

log = logging.getLogger(__name__)

# OpenAI's voice names onto espeak-ng voices, so a session's chosen voice is at least kept
# apart by timbre; unknown names fall back to the default.
_VOICES = {
    "marin": "en-us+f3", "shimmer": "en-us+f2", "coral": "en-us+f4", "sage": "en-us+f1",
    "alloy": "en-us", "ash": "en-us+m3", "ballad": "en-gb", "cedar": "en-us+m1",
    "echo": "en-us+m2", "verse": "en-us+m4",
}


# The recognisers a session can hear with (`--recognition`): the command grammar built from the
# session's tools (strict: what is not a command is rarely heard as one), or an open n-gram model
# counted from the tools' phrasings, free text and everyday English (hears more wordings and free
# text, more slowly, and mishears more clean commands; see the README's accuracy figures).
RECOGNITION_KINDS: dict[str, ModelKind] = {"grammar": "jsgf", "open": "ngram"}

class EngineVoice:
    """Implements `Speech` (the local agent's ears and voice) for every session of one engine.

    Language models are built from each session's tools and cached by the tools' content, so
    sessions with the same tools share one grammar and the decoder process builds it once.
    """

    def __init__(
        self, *, workers: int | None = None, models_cached: int = 16, kind: ModelKind = "jsgf"
    ) -> None:
        self._recognizer = Recognizer(workers=workers)
        self._kind: ModelKind = kind
        self._models: OrderedDict[str, LanguageModel] = OrderedDict()
        self._building: dict[str, asyncio.Future[LanguageModel]] = {}
        self._models_cached = models_cached

    async def language_model(self, tools: Sequence[Mapping[str, Any]]) -> LanguageModel:
        """The model for `tools`: from the cache on the event loop, or built once in a thread
        (building samples thousands of sentences: seconds, once per tool set), however many
        sessions ask for it meanwhile."""
        key = json.dumps(tools, sort_keys=True)
        model = self._models.get(key)
        if model is None:
            building = self._building.get(key)
            if building is None:
                building = asyncio.ensure_future(
                    asyncio.to_thread(build_language_model, tools, kind=self._kind))
                self._building[key] = building
                building.add_done_callback(lambda _: self._building.pop(key, None))
            # Shielded: a turn cancelled meanwhile leaves the build to the others waiting.
            model = await asyncio.shield(building)
            self._models[key] = model
            while len(self._models) > self._models_cached:
                self._models.popitem(last=False)
        self._models.move_to_end(key)
        return model

    async def warm_up(self) -> None:
        """Start the decoder processes and load the pronouncing dictionary and the everyday
        words (most of a second each) before the first turn, off the event loop."""
        await asyncio.gather(self._recognizer.warm_up(), asyncio.to_thread(default_lexicon),
                             asyncio.to_thread(common_words))

    async def transcribe(self, pcm16k: npt.NDArray[np.int16], tools: Tools) -> str | None:
        if pcm16k.size == 0:
            return ""
        model = await self.language_model(tools)
        transcript = await self._recognizer.transcribe(pcm16k, model)
        return transcript.text

    async def synthesize(self, text: str, voice: str) -> npt.NDArray[np.int16] | None:
        try:
            pcm = await synthesize(text, voice=_VOICES.get(voice, "en-us"))
        except SpeechError as err:
            # A missing synthesiser costs the voice, not the session: transcripts still flow.
            log.warning("no spoken reply: %s", err)
            return None
        return pcm.samples

    async def aclose(self) -> None:
        await self._recognizer.aclose()
