"""The bridge's audio in a controlled page, whichever kind of page it is: its own voice page
(`window.rtcBridge.playAudio / startRecording / stopRecording`, pages/audio.js) or any page
with the instrument (`PageInstrument`). Speaking (`drive.speaking`) and recording
(`demo.recording`) go through this one interface.

    audio = await page_audio(page)
    timing = await audio.play(wav_bytes)
"""

from __future__ import annotations

import base64
from typing import Any, Protocol

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from ..errors import BrowserError
from .instrument.page import DEFAULT_API, PageInstrument
from .instrument.records import PlayTiming

__all__ = ["PageAudio", "VoicePageAudio", "page_audio"]


class PageAudio(Protocol):
    """Plays into a page's outgoing audio and taps it (with the remote voice) for a recording."""

    async def play(self, audio: bytes) -> PlayTiming: ...

    async def start_recording(self, binding: str) -> None: ...

    async def stop_recording(self) -> None: ...


class VoicePageAudio:
    """The bridge's own voice page, through its `window.rtcBridge`."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def play(self, audio: bytes) -> PlayTiming:
        played = await self._call("b64 => window.rtcBridge.playAudio(b64)",
                                  base64.b64encode(audio).decode("ascii"), doing="playing audio")
        return PlayTiming.from_json(played)

    async def start_recording(self, binding: str) -> None:
        await self._call("name => window.rtcBridge.startRecording(name)", binding,
                         doing="starting the recording tap")

    async def stop_recording(self) -> None:
        await self._call("() => window.rtcBridge.stopRecording()", None,
                         doing="stopping the recording tap")

    async def start_mix_tap(self, binding: str) -> None:
        """Send the outgoing mix alone (no agent voice) to `binding`, beside any recording."""
        await self._call("name => window.rtcBridge.startMixTap(name)", binding,
                         doing="starting the mix tap")

    async def stop_mix_tap(self) -> None:
        await self._call("() => window.rtcBridge.stopMixTap()", None,
                         doing="stopping the mix tap")

    async def _call(self, expression: str, arg: Any, *, doing: str) -> Any:
        try:
            return await self.page.evaluate(expression, arg)
        except PlaywrightError as err:
            raise BrowserError(f"{doing} in the voice page failed: {err.message}") from err


async def page_audio(page: Page, *, api: str = DEFAULT_API) -> PageAudio:
    """The page's audio: the bridge's own voice page if it is that page, else the instrument
    (named `api` on the page's window)."""
    try:
        own = await page.evaluate("() => typeof window.rtcBridge?.playAudio === 'function'")
    except PlaywrightError as err:
        raise BrowserError(f"the controlled page cannot be reached: {err.message}") from err
    return VoicePageAudio(page) if own is True else PageInstrument(page, api=api)
