"""Audio signal processing shared by measurement and the test kit: the impairments a voice
meets on its way to a microphone, and the levels they are set by.

    from bridge.audio import Impairments
    impaired = Impairments(pitch_cents=250, noise="pink", snr_db=20).apply(samples, 48000)

`stretch` changes tempo (pitch kept, WSOLA) and pitch (duration kept); `room` adds reverb
and noise and measures levels; `impair` applies a chosen set of them in a fixed order (and
reads them from a scenario's mapping form, `Impairments.from_mapping`); `measure` estimates
them back from a signal alone (SNR against a reference, voiced duration, pitch by YIN, RT60).
Arrays are mono, in the int16 scale (any dtype in, float64 out: `as_int16` rounds and
clips). numpy and PyAV (libswresample) only.

This package imports nothing else of the bridge.
"""

from .impair import ImpairmentError, Impairments, NoiseKind
from .room import add_noise, add_reverb, as_int16, change_gain, rms_db, room_response, speech_level_db
from .stretch import change_tempo, resample, shift_pitch, stretch

__all__ = [
    "ImpairmentError",
    "Impairments",
    "NoiseKind",
    "add_noise",
    "add_reverb",
    "as_int16",
    "change_gain",
    "change_tempo",
    "resample",
    "rms_db",
    "room_response",
    "shift_pitch",
    "speech_level_db",
    "stretch",
]
