"""Which Chromium to drive, and the flags that give it a microphone without a person."""

from __future__ import annotations

import os
import shutil
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from ..errors import ChromiumNotFound

SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
QUIET_FLAGS = (
    # Without these Chromium keeps dialling out (updates, sync, metrics) on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
)
MEDIA_FLAGS = (
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # Host candidates as plain addresses: the local peer cannot resolve mDNS names.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
)


class LaunchOptions(TypedDict):
    """Where `chromium.launch` finds the browser."""

    executable_path: str | None
    channel: str | None


@dataclass(frozen=True)
class ChromiumChoice:
    """`executable` None means Playwright's own full Chromium (channel "chromium")."""

    executable: str | None
    source: str

    def launch_options(self) -> LaunchOptions:
        """`executable_path` and `channel` for Playwright's `chromium.launch`."""
        return {"executable_path": self.executable,
                "channel": None if self.executable else "chromium"}


def choose_chromium(configured: str | None, playwright_executable: str | None) -> ChromiumChoice:
    """BRIDGE_CHROMIUM, else Playwright's full Chromium, else the system's; else an error.

    Playwright's headless shell is never chosen: it rejects getUserMedia.
    """
    if configured:
        if not os.access(configured, os.X_OK):
            raise ChromiumNotFound(f"BRIDGE_CHROMIUM={configured} is not an executable file")
        return ChromiumChoice(configured, "BRIDGE_CHROMIUM")
    if playwright_executable and os.access(playwright_executable, os.X_OK):
        return ChromiumChoice(None, "playwright")
    for candidate in (*SYSTEM_CANDIDATES, shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return ChromiumChoice(candidate, "system")
    raise ChromiumNotFound(
        "no Chromium found: run `python -m playwright install chromium`, or install your "
        "system's chromium package (Debian: apt-get install chromium), or set BRIDGE_CHROMIUM"
    )


def launch_args(*, fake_mic: Path | None, extra: Sequence[str] = ()) -> list[str]:
    """Flags for the controlled browser; `fake_mic` makes the microphone play that WAV; `extra`
    (BRIDGE_CHROMIUM_ARGS) comes last, so that it wins over a flag given twice."""
    args = [*QUIET_FLAGS, *MEDIA_FLAGS]
    if fake_mic is not None:
        args += ["--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={fake_mic.resolve()}"]
    return [*args, *extra]


def write_silence(path: Path, *, seconds: float = 1.0, rate_hz: int = 48_000) -> Path:
    """A silent 16-bit WAV: the fake microphone's default beeps, which would trigger turns."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(b"\x00\x00" * int(seconds * rate_hz))
    return path
