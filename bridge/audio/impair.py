"""A voice's impairments as one value: what happens to it before it reaches a microphone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .room import NoiseKind, add_noise, add_reverb, as_int16, change_gain
from .stretch import change_tempo, shift_pitch

__all__ = ["Impairments", "NoiseKind"]


@dataclass(frozen=True)
class Impairments:
    """Tempo (``speed``, pitch kept), pitch (``pitch_cents``, duration kept), a room
    (``reverb_rt60_s``), a gain (``gain_db``) and noise (``noise`` at ``snr_db`` below the
    speech level), applied in that order; the defaults change nothing. ``seed`` fixes the
    noise and the room."""

    speed: float = 1.0
    pitch_cents: float = 0.0
    reverb_rt60_s: float | None = None
    gain_db: float = 0.0
    noise: NoiseKind | None = None
    snr_db: float = 20.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.5 <= self.speed <= 2.0:
            raise ValueError(f"speed must be in 0.5..2, not {self.speed}")
        if not -1200 <= self.pitch_cents <= 1200:
            raise ValueError(f"pitch_cents must be within an octave, not {self.pitch_cents}")
        if self.reverb_rt60_s is not None and not 0.05 <= self.reverb_rt60_s <= 5.0:
            raise ValueError(f"reverb_rt60_s must be in 0.05..5, not {self.reverb_rt60_s}")
        if not -60 <= self.gain_db <= 40:
            raise ValueError(f"gain_db must be in -60..40, not {self.gain_db}")
        if self.noise not in (None, "white", "pink"):
            raise ValueError(f"noise must be white, pink or None, not {self.noise!r}")
        if not -20 <= self.snr_db <= 80:
            raise ValueError(f"snr_db must be in -20..80, not {self.snr_db}")

    @property
    def label(self) -> str:
        """A short description: "clean", "pitch +250 c", "tempo 1.15", "pink noise 20 dB"…"""
        parts = []
        if self.speed != 1.0:
            parts.append(f"tempo {self.speed:g}")
        if self.pitch_cents:
            parts.append(f"pitch {self.pitch_cents:+g} c")
        if self.reverb_rt60_s is not None:
            parts.append(f"reverb {self.reverb_rt60_s:g} s")
        if self.gain_db:
            parts.append(f"gain {self.gain_db:+g} dB")
        if self.noise is not None:
            parts.append(f"{self.noise} noise {self.snr_db:g} dB")
        return ", ".join(parts) or "clean"

    def apply(self, samples: npt.ArrayLike, rate_hz: int) -> npt.NDArray[np.int16]:
        """``samples`` (mono, int16 scale) impaired, as int16 (clipped at full scale, as a
        microphone's converter would)."""
        x = np.asarray(samples, dtype=np.float64).reshape(-1)
        if self.speed != 1.0:
            x = change_tempo(x, rate_hz, self.speed)
        if self.pitch_cents:
            x = shift_pitch(x, rate_hz, self.pitch_cents)
        if self.reverb_rt60_s is not None:
            x = add_reverb(x, rate_hz, rt60_s=self.reverb_rt60_s, seed=self.seed)
        if self.gain_db:
            x = change_gain(x, self.gain_db)
        if self.noise is not None:
            x = add_noise(x, rate_hz, kind=self.noise, snr_db=self.snr_db, seed=self.seed)
        return as_int16(x)
