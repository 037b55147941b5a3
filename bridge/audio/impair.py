"""A voice's impairments as one value: what happens to it before it reaches a microphone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from .room import NoiseKind, add_noise, add_reverb, as_int16, change_gain
from .stretch import change_tempo, shift_pitch

__all__ = ["ImpairmentError", "Impairments", "NoiseKind"]

# `reverb: true` in the mapping form: a living room.
DEFAULT_RT60_S = 0.4
_KEYS = ("noise", "speed", "pitch_cents", "reverb", "volume_db", "seed")
# The keys of the mapping form, as scenario steps write them.
MAPPING_KEYS = _KEYS


class ImpairmentError(ValueError):
    """An impairment written in the mapping form that cannot be used; says which key."""


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

    @property
    def is_clean(self) -> bool:
        """True when applying these changes nothing (the defaults, whatever the seed)."""
        return all(getattr(self, f.name) == f.default for f in fields(self)
                   if f.name not in ("seed", "snr_db"))

    def apply(self, samples: npt.ArrayLike, rate_hz: int) -> npt.NDArray[np.int16]:
        """``samples`` (mono, int16 scale) impaired, as int16 (clipped at full scale, as a
        microphone's converter would)."""
        return self.apply_parts(samples, rate_hz)[1]

    def apply_parts(
        self, samples: npt.ArrayLike, rate_hz: int
    ) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
        """The voice with every impairment but the noise, and with the noise too (as `apply`):
        the first tells where the words are, which noise hides from a level threshold."""
        x = self._voice(samples, rate_hz)
        if self.noise is None:
            out = as_int16(x)
            return out, out
        noisy = add_noise(x, rate_hz, kind=self.noise, snr_db=self.snr_db, seed=self.seed)
        return as_int16(x), as_int16(noisy)

    def _voice(self, samples: npt.ArrayLike, rate_hz: int) -> npt.NDArray[np.float64]:
        x = np.asarray(samples, dtype=np.float64).reshape(-1)
        if self.speed != 1.0:
            x = change_tempo(x, rate_hz, self.speed)
        if self.pitch_cents:
            x = shift_pitch(x, rate_hz, self.pitch_cents)
        if self.reverb_rt60_s is not None:
            x = add_reverb(x, rate_hz, rt60_s=self.reverb_rt60_s, seed=self.seed)
        if self.gain_db:
            x = change_gain(x, self.gain_db)
        return x

    def to_mapping(self) -> dict[str, Any]:
        """The mapping form (see `from_mapping`) of what is not a default; {} when clean."""
        out: dict[str, Any] = {}
        if self.noise is not None:
            out["noise"] = {"kind": self.noise, "snr_db": self.snr_db}
        if self.speed != 1.0:
            out["speed"] = self.speed
        if self.pitch_cents:
            out["pitch_cents"] = self.pitch_cents
        if self.reverb_rt60_s is not None:
            out["reverb"] = True if self.reverb_rt60_s == DEFAULT_RT60_S else self.reverb_rt60_s
        if self.gain_db:
            out["volume_db"] = self.gain_db
        if out and self.seed:
            out["seed"] = self.seed
        return out

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None, *, where: str = "impair") -> Self:
        """Impairments written as in a scenario file: ``noise: {kind: white|pink, snr_db: N}``,
        ``speed: 1.15`` (tempo, pitch kept), ``pitch_cents: ±N``, ``reverb: true`` (RT60
        0.4 s; or the RT60 in seconds; false: none), ``volume_db: N``, ``seed: N``.

        ImpairmentError names the key (``where.key``) of anything unknown or out of range."""
        if mapping is None:
            return cls()
        if not isinstance(mapping, Mapping):
            raise ImpairmentError(f"{where}: expected a mapping of impairments "
                                  f"({', '.join(_KEYS)}), not {_shown(mapping)}")
        unknown = sorted(str(key) for key in mapping if key not in _KEYS)
        if unknown:
            raise ImpairmentError(f"{where}: unknown key {', '.join(map(repr, unknown))} "
                                  f"(known: {', '.join(_KEYS)})")
        values: dict[str, Any] = {}
        for key, value in mapping.items():
            values.update(_field_values(str(key), value, f"{where}.{key}"))
        for name, value in values.items():
            try:
                cls(**{name: value})
            except ValueError as err:
                raise ImpairmentError(f"{where}.{_KEY_OF.get(name, name)}: "
                                      f"{str(err).removeprefix(name + ' ')}") from None
        return cls(**values)


_KEY_OF = {"reverb_rt60_s": "reverb", "gain_db": "volume_db", "snr_db": "noise.snr_db",
           "noise": "noise.kind"}


def _field_values(key: str, value: Any, where: str) -> dict[str, Any]:
    """The `Impairments` fields that one key of the mapping form sets."""
    if key == "noise":
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ImpairmentError(f"{where}: expected {{kind: white|pink, snr_db: N}}, "
                                  f"not {_shown(value)}")
        extra = sorted(str(k) for k in value if k not in ("kind", "snr_db"))
        if extra:
            raise ImpairmentError(f"{where}: unknown key {', '.join(map(repr, extra))} "
                                  "(known: kind, snr_db)")
        kind = value.get("kind")
        if kind not in ("white", "pink"):
            raise ImpairmentError(f"{where}.kind: expected white or pink, not {_shown(kind)}")
        return {"noise": kind, "snr_db": _number(value.get("snr_db", 20.0), f"{where}.snr_db")}
    if key == "reverb":
        if isinstance(value, bool) or value is None:
            return {"reverb_rt60_s": DEFAULT_RT60_S if value else None}
        return {"reverb_rt60_s": _number(value, where, what="true, false or an RT60 in seconds")}
    if key == "seed":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ImpairmentError(f"{where}: expected a whole number, not {_shown(value)}")
        return {"seed": value}
    return {{"volume_db": "gain_db"}.get(key, key): _number(value, where)}


def _number(value: Any, where: str, *, what: str = "a number") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ImpairmentError(f"{where}: expected {what}, not {_shown(value)}")
    return float(value)


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r}" if value is not None else "nothing"
