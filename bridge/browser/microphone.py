"""The controlled browser's microphone: what its device carries, and whether the page's outgoing
audio pauses while the bridge has nothing to say.

A scripted session (headless, or a headed one without the room's microphone, and no microphone
file) gives Chromium a device that plays silence, only so that the page's `getUserMedia` finds
a microphone. The device carries nothing, so the page lets go of it at once; what the page
sends is then what the bridge plays, and nothing else can be heard.

Keeping that mix running while the bridge plays nothing costs Chromium an audio graph pulled
every few milliseconds and an Opus encoder fed silence: about two thirds of an idle session's
CPU. With `pause_idle` the page suspends its graph when nothing plays into it (after a second
of real silence, so a turn ends on audio), and resumes it for the next clip: the microphone
track stays live and sends nothing, as a sender with DTX does. The embedded engine counts that
pause as silence; OpenAI's turn detection might wait for audio that never comes, so `auto`
pauses with the embedded engine only. A mix that carries a device (the room's microphone, a
microphone file) never pauses.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings

__all__ = ["PAUSE_IDLE_PARAM", "RELEASE_PARAM", "MicrophonePlan"]

# The bridge's own page's query parameters for the plan (pages/app.js reads them).
RELEASE_PARAM = "release_mic"
PAUSE_IDLE_PARAM = "pause_idle_mic"


@dataclass(frozen=True)
class MicrophonePlan:
    """`silent_device`: Chromium is launched with the bridge's silence as its microphone, which
    the page lets go of. `pause_idle`: a mix that carries no device pauses between clips."""

    silent_device: bool
    pause_idle: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> MicrophonePlan:
        mode = settings.idle_microphone
        pause = mode == "pause" or (mode == "auto" and settings.upstream == "local")
        # A remote browser's devices are its own: a real one there is never let go of.
        silent = (not settings.remote_browser and settings.mic_file is None
                  and (settings.headless or not settings.room_mic))
        return cls(silent_device=silent, pause_idle=pause)

    def own_page_query(self) -> str:
        """The bridge's own page's query parameters for this plan ("" for its defaults)."""
        return "".join(f"&{name}=1" for name, on in ((RELEASE_PARAM, self.silent_device),
                                                     (PAUSE_IDLE_PARAM, self.pause_idle)) if on)
