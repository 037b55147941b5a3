"""Instrumenting any voice page: the bridge's side of the instrument script (`core.js`).

An init script, installed in a browser context before any page loads, runs in every frame
before the page's own scripts: it reports every data-channel message both ways through the
`bridgeReport` binding (the `channel` kind, see `binding`), mixes the bridge's speech into the
microphone the page captures, and notes what the DOM did between a function call and its
output. `PageInstrument` is what the bridge then calls in the page.

    await context.expose_binding(BINDING, reports)      # the bridge's binding, as for its page
    await install(context, InstrumentConfig())
    page = await context.new_page()
    await page.goto(url)
    instrument = PageInstrument(page)
    timing = await instrument.play(wav_bytes)            # heard by the page's peer
    summary = await instrument.take_mutations(call_id)   # what the call changed in the DOM
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from playwright.async_api import BrowserContext, Frame, Page
from playwright.async_api import Error as PlaywrightError

from ...errors import BrowserError
from ..binding import BINDING
from .records import MutationSummary, PageChannels, PeerState, PlayTiming

__all__ = ["DEFAULT_API", "InstrumentConfig", "MutationSummary", "PageChannels",
           "PageInstrument", "PeerState", "PlayTiming", "init_script", "install"]

DEFAULT_API = "__rtcBridge"
_JS_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_CORE = "core.js"
_PARTS = ("peers.js", "tools.js", "audio.js")
# Written once for the bridge's page, an ES module: joined before audio.js, `export` dropped.
_SHARED_PARTS = ("idle-pause.js",)


@dataclass(frozen=True)
class InstrumentConfig:
    """What the init script does in every frame.

    `drop_ice_servers`: STUN/TURN servers beyond loopback are left out of every peer
    connection's configuration (nothing dials out; malformed ones stay, so the page gets the
    browser's own error). `watch_tools`: a MutationObserver summary per function call.
    `binding`: the name of the report binding; `api`: the window property (non-enumerable,
    frozen) that `PageInstrument` calls. `max_watches`: tool calls watched at once (the oldest
    is let go). `max_pending_reports`: reports kept while no binding takes them.
    `release_device_mic`: the microphone device carries only the bridge's silence, so a mix
    lets go of it at once; `pause_idle_mic`: a mix that carries no device pauses while the
    bridge plays nothing into it (see `browser.microphone`).
    """

    drop_ice_servers: bool = True
    watch_tools: bool = True
    binding: str = BINDING
    api: str = DEFAULT_API
    max_watches: int = 32
    max_pending_reports: int = 20_000
    # Per tool, the CSS selectors whose matches are counted the moment a call of it arrives,
    # before the page runs it: what declared `count_delta` checks compare against.
    count_selectors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    release_device_mic: bool = False
    pause_idle_mic: bool = False

    def __post_init__(self) -> None:
        for name in ("binding", "api"):
            if not _JS_NAME.fullmatch(getattr(self, name)):
                raise ValueError(f"InstrumentConfig.{name} must be a JavaScript identifier, "
                                 f"not {getattr(self, name)!r}")
        if self.max_watches < 1 or self.max_pending_reports < 1:
            raise ValueError("InstrumentConfig.max_watches and max_pending_reports must be >= 1")

    def to_js(self) -> dict[str, Any]:
        """The CONFIG object the script receives (camelCase, as the page's side names it)."""
        return {"binding": self.binding, "api": self.api,
                "dropIceServers": self.drop_ice_servers, "watchTools": self.watch_tools,
                "maxWatches": self.max_watches, "maxPendingReports": self.max_pending_reports,
                "releaseDeviceMic": self.release_device_mic, "pauseIdleMic": self.pause_idle_mic,
                "countSelectors": {name: list(selectors)
                                   for name, selectors in self.count_selectors.items()}}


@functools.cache
def _source() -> str:
    folder, pages = resources.files("bridge.browser.instrument"), resources.files("bridge.pages")
    shared = [re.sub(r"^export ", "", (pages / name).read_text(encoding="utf-8"), flags=re.M)
              for name in _SHARED_PARTS]
    parts = "\n".join([*shared, *((folder / name).read_text(encoding="utf-8")
                                   for name in _PARTS)])
    core = (folder / _CORE).read_text(encoding="utf-8")
    if core.count("/* @parts */") != 1 or core.count("__CONFIG__") != 1:
        raise BrowserError(f"{_CORE} has lost its /* @parts */ or __CONFIG__ placeholder")
    return core.replace("/* @parts */", parts)


def init_script(config: InstrumentConfig | None = None) -> str:
    """The instrument as one script, with `config` filled in."""
    config = config or InstrumentConfig()
    return _source().replace("__CONFIG__", json.dumps(config.to_js()))


async def install(context: BrowserContext, config: InstrumentConfig | None = None) -> None:
    """Add the instrument to every frame of every page `context` opens from now on.

    Reports reach the bridge only where the context exposes `config.binding`; until it does,
    each frame keeps at most `config.max_pending_reports` of them.
    """
    await context.add_init_script(script=init_script(config))


class PageInstrument:
    """The instrument in one page, whichever of its frames holds the call.

    Each method asks the frames in turn, the main frame first: the one with a live microphone
    plays and records, the one with an open realtime channel sends, the one that watched a call
    gives its summary. Failures in the page raise `BrowserError` with the page's message.
    """

    def __init__(self, page: Page, *, api: str = DEFAULT_API) -> None:
        self.page = page
        self._api = api
        self._recording: Frame | None = None

    async def play(self, audio: bytes) -> PlayTiming:
        """Play encoded audio (WAV, or anything Chromium decodes) into the page's microphone
        mix and return once it has played; its peer hears it as if spoken."""
        frame = await self._first("() => api.microphoneOpen()")
        if frame is None:
            raise BrowserError("the page has not opened its microphone (getUserMedia), or has "
                               "stopped it: nothing to speak into")
        played = await self._call(frame, "b64 => api.play(b64)",
                                  base64.b64encode(audio).decode("ascii"), doing="playing audio")
        return PlayTiming.from_json(played)

    async def send_event(self, event: Mapping[str, Any]) -> bool:
        """Send a client event on the page's realtime channel, as if the page had sent it (it
        is reported like the page's own); False if no realtime channel is open."""
        text = json.dumps(event, separators=(",", ":"))
        return await self._first("text => api.send(text)", text) is not None

    async def microphone_open(self) -> bool:
        """Whether the page holds a live microphone track the bridge can speak into."""
        return await self._first("() => api.microphoneOpen()") is not None

    async def take_mutations(self, call_id: str) -> MutationSummary | None:
        """What the DOM did since the function call `call_id` arrived; stops watching it.
        None if no frame watched that call (unknown, already taken, or let go)."""
        for frame in self._frames():
            summary = await self._try(frame, "callId => api.takeMutations(callId)", call_id)
            if isinstance(summary, dict):
                return MutationSummary.from_json(summary)
        return None

    async def set_count_selectors(self, selectors: Mapping[str, tuple[str, ...]]) -> None:
        """Per tool, the CSS selectors every frame counts when a call of it arrives, from now on
        (`InstrumentConfig.count_selectors` gives the first ones)."""
        data = {name: list(found) for name, found in selectors.items()}
        for frame in self._frames():
            await self._try(frame, "selectors => api.setCountSelectors(selectors)", data)

    async def start_recording(self, binding: str) -> None:
        """Start sending 16-bit chunks of the outgoing mix plus every remote audio track to
        `binding` (a function the bridge exposed on the page) as `{epochMs, sampleRate, pcm}`."""
        frame = await self._first("() => api.microphoneOpen()")
        if frame is None:
            frame = await self._first("() => api.channels().peers.length > 0")
        frame = frame or self.page.main_frame
        await self._call(frame, "name => api.startRecording(name)", binding,
                         doing="starting the recording tap")
        self._recording = frame

    async def stop_recording(self) -> None:
        """Stop the tap once every captured chunk has reached the binding."""
        frame, self._recording = self._recording, None
        if frame is not None and not frame.is_detached():
            await self._call(frame, "() => api.stopRecording()", None,
                             doing="stopping the recording tap")

    async def channels(self) -> PageChannels:
        """Every frame's peers and channels, which one carries realtime events, the ICE
        servers left out and the live microphones: what the page did, for diagnostics."""
        states = []
        for frame in self._frames():
            state = await self._try(frame, "() => api.channels()")
            if isinstance(state, dict):
                states.append((frame.url, state))
        return PageChannels.from_frames(states)

    def _frames(self) -> list[Frame]:
        main = self.page.main_frame
        return [main, *(f for f in self.page.frames if f is not main)]

    def _script(self, body: str) -> str:
        # `api` is the instrument in that frame; a frame without one answers null.
        return (f"([name, arg]) => {{ const api = window[name]; if (!api) return null; "
                f"return ({body})(arg); }}")

    async def _try(self, frame: Frame, body: str, arg: Any = None) -> Any:
        try:
            return await frame.evaluate(self._script(body), [self._api, arg])
        except PlaywrightError:  # a frame detached or navigating meanwhile has nothing to say
            return None

    async def _first(self, body: str, arg: Any = None) -> Frame | None:
        """The first frame whose answer is true."""
        for frame in self._frames():
            if await self._try(frame, body, arg) is True:
                return frame
        return None

    async def _call(self, frame: Frame, body: str, arg: Any, *, doing: str) -> Any:
        try:
            return await frame.evaluate(self._script(body), [self._api, arg])
        except PlaywrightError as err:
            raise BrowserError(f"{doing} in the page failed: {err.message}") from err
