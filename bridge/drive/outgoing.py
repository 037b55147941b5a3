"""The page's outgoing mix captured while a block runs, from synchronous code.

    with voice_page.tap_outgoing() as tap:
        said = voice_page.say("make the background blue", impair=Impairments(gain_db=-6))
    tap.samples   # int16 mono at tap.rate_hz: what the microphone track carried
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from ..browser.mix_tap import MixTap
from .thread import BridgeThread

__all__ = ["OutgoingTap"]


class OutgoingTap:
    """A `MixTap` of the controlled page, started on entering and stopped on leaving."""

    def __init__(self, thread: BridgeThread, page: Any, *, timeout_s: float = 10.0) -> None:
        self._thread = thread
        self._tap = MixTap(page)
        self._timeout_s = timeout_s
        self.samples: npt.NDArray[np.int16] = np.zeros(0, np.int16)

    @property
    def rate_hz(self) -> int:
        return self._tap.rate_hz

    def __enter__(self) -> OutgoingTap:
        self._thread.call(self._tap.start, timeout_s=self._timeout_s)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.samples = self._thread.call(self._tap.stop, timeout_s=self._timeout_s)
