"""What the voice page's outgoing track carried: its WebAudio mix (the microphone and all that
was played into it, never the agent's voice), tapped in the page by the recorder worklet and
sent here through a binding of its own, as int16 chunks numbered by the AudioContext's frame.

    tap = MixTap(page)
    await tap.start()
    ...                       # say or play something
    samples = await tap.stop()  # mono int16 at tap.rate_hz, gap-free from the first chunk

The tap is taken where the page's graph meets the track (MediaStreamAudioDestinationNode):
after everything the page does to the audio, before the browser's WebRTC encodes it (Opus).
"""

from __future__ import annotations

import base64
import logging
import secrets
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import BrowserError
from .page_audio import VoicePageAudio, page_audio

__all__ = ["MixTap"]

log = logging.getLogger(__name__)
_BINDING = "bridgeMixTap"


class MixTap:
    """One tap of the bridge's own voice page's outgoing mix (instrumented pages have none)."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self._binding = f"{_BINDING}_{secrets.token_hex(4)}"
        self._chunks: list[tuple[int, npt.NDArray[np.int16]]] = []
        self._audio: VoicePageAudio | None = None
        self.rate_hz = 0

    async def start(self) -> None:
        audio = await page_audio(self._page)
        if not isinstance(audio, VoicePageAudio):
            raise BrowserError("the mix tap needs the bridge's own voice page; this page is "
                               "instrumented (its recording tap mixes in the agent's voice)")
        # A binding of its own: a page keeps its bindings, and may be tapped again later.
        await self._page.expose_binding(self._binding, self._on_chunk)
        await audio.start_mix_tap(self._binding)
        self._audio = audio

    async def stop(self) -> npt.NDArray[np.int16]:
        """Stop tapping; every chunk the page captured has arrived when this returns."""
        audio, self._audio = self._audio, None
        if audio is not None:
            await audio.stop_mix_tap()
        return self.samples

    @property
    def samples(self) -> npt.NDArray[np.int16]:
        """The chunks so far laid out by frame (zeros for any frame missed)."""
        if not self._chunks:
            return np.zeros(0, np.int16)
        first = min(frame for frame, _ in self._chunks)
        end = max(frame + pcm.size for frame, pcm in self._chunks)
        out = np.zeros(end - first, np.int16)
        for frame, pcm in self._chunks:
            out[frame - first : frame - first + pcm.size] = pcm
        return out

    def _on_chunk(self, source: Any, chunk: Any) -> None:
        try:
            pcm = np.frombuffer(base64.b64decode(chunk["pcm"]), dtype="<i2").astype(np.int16)
            frame, rate = int(chunk["frame"]), int(chunk["sampleRate"])
        except (KeyError, TypeError, ValueError) as err:
            log.warning("a mix tap chunk from the page was unreadable: %s", err)
            return
        self.rate_hz = rate
        self._chunks.append((frame, pcm))
