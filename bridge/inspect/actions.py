"""What a watcher may do to the controlled page, by the paths the handle takes: a message typed
(`ControlledBrowser.type_text`) or said into its microphone (`drive.speaking`: espeak-ng, played
into the page's outgoing track), a reload, a reconnect. Bad input is refused saying why.

    message = Message.from_json(await request.get_json())
    await actions.send(message)
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from playwright.async_api import Error as PlaywrightError

from ..browser.controlled import ControlledBrowser
from ..drive.speaking import speak, synthesize_wav
from ..errors import BrowserError, InvalidRequest, PageNotReady, PayloadTooLarge
from ..events.log import EventLog

__all__ = ["MAX_MESSAGE_CHARS", "Actions", "Message", "Mode"]

Mode = Literal["type", "say"]
MODES: tuple[Mode, ...] = ("type", "say")
# A sentence or a few: said aloud, 500 characters already take half a minute.
MAX_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class Message:
    """A message to send through the page: typed into it, or said into its microphone."""

    text: str
    mode: Mode = "type"

    @classmethod
    def from_json(cls, body: Any) -> Message:
        """`{"text": "...", "mode": "type" | "say"}`; InvalidRequest or PayloadTooLarge saying
        what is wrong."""
        if not isinstance(body, Mapping):
            raise InvalidRequest('send a JSON object: {"text": "...", "mode": "type" or "say"}')
        text, mode = body.get("text"), body.get("mode", "type")
        if not isinstance(text, str) or not text.strip():
            raise InvalidRequest("the message is empty: give its text", param="text")
        if len(text) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f"a message is at most {MAX_MESSAGE_CHARS} characters, this one "
                                  f"has {len(text)}", param="text")
        for known in MODES:
            if mode == known:
                return cls(text.strip(), known)
        raise InvalidRequest(f"mode is 'type' or 'say', not {mode!r}", param="mode")


class Actions:
    """Acts on the controlled page of one bridge (None: it has none)."""

    def __init__(self, browser: ControlledBrowser | None, event_log: EventLog) -> None:
        self._browser = browser
        self._log = event_log
        # One utterance at a time: two played together would be heard as noise.
        self._speaking = asyncio.Lock()

    async def send(self, message: Message) -> dict[str, Any]:
        """Type or say `message`; returns once it was sent (typed) or played (said)."""
        browser = self._connected()
        try:
            if message.mode == "type":
                await browser.type_text(message.text)
                return {"sent": "type", "text": message.text}
            wav = await asyncio.to_thread(synthesize_wav, message.text)
            async with self._speaking:
                said = await speak(browser.page, self._log, wav, kind="say", text=message.text)
        except PlaywrightError as err:  # e.g. the page closed under it
            raise BrowserError(f"the page could not take the message: {err.message}") from err
        return {"sent": "say", "text": message.text,
                "spoken_s": round(said.ended_t - said.started_t, 3)}

    async def reload(self) -> dict[str, Any]:
        """Load the page afresh: a fresh DOM and a new call."""
        await self._present().reload()
        return {"done": "reload"}

    async def reconnect(self) -> dict[str, Any]:
        """End the page's call and make a new one (a user's page is loaded afresh)."""
        browser = self._present()
        await browser.reconnect()
        return {"done": "reconnect" if browser.own_page else "reload"}

    def _present(self) -> ControlledBrowser:
        if self._browser is None:
            raise PageNotReady("this bridge has no controlled browser (--no-browser): there is "
                               "no page to act on")
        return self._browser

    def _connected(self) -> ControlledBrowser:
        browser = self._present()
        if not browser.connected:
            raise PageNotReady("the controlled page is not connected yet: wait for the status "
                               "to say connected (or reload it)")
        return browser
