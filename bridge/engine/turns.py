"""Turn detection: speech start/stop on the session's input audio, per GA `turn_detection`."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pocketsphinx import Vad

RATE_HZ = 16_000
VAD_FRAME_S = 0.03
# Speech must hold for this many of the last few VAD frames before a turn starts, so a click
# or a breath does not open one.
_ONSET_FRAMES = 3
_ONSET_WINDOW = 4
# WebRTC VAD keeps calling frames speech for 90-150 ms after the speech ended (its hangover,
# measured on espeak-ng and flite). Frames of that tail this far below the turn's loudest are
# counted as silence already, so the silence window runs from the end of the speech.
_HANGOVER_QUIET_DB = 35.0
_HANGOVER_MAX_S = 0.18


@dataclass(frozen=True)
class TurnEvent:
    """A turn boundary. ``paused`` comes first in every silence that may end the turn, long
    before ``stopped``: a listener can start transcribing there, and the silence window that
    must pass anyway hides the decode."""

    kind: Literal["started", "paused", "stopped"]
    audio_ms: int


@dataclass(frozen=True)
class TurnSettings:
    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500

    @classmethod
    def from_session(cls, turn_detection: Mapping[str, Any] | None) -> TurnSettings | None:
        """None when the session has no automatic turns (`turn_detection: null`)."""
        if turn_detection is None:
            return None
        defaults = cls()
        return cls(
            threshold=float(turn_detection.get("threshold") or defaults.threshold),
            prefix_padding_ms=int(
                turn_detection.get("prefix_padding_ms", defaults.prefix_padding_ms)
            ),
            silence_duration_ms=int(
                turn_detection.get("silence_duration_ms", defaults.silence_duration_ms)
            ),
        )

    @property
    def pause_ms(self) -> int:
        # Early enough that a decode finishes inside the rest of the window; late enough that
        # the gaps between words rarely trigger one.
        return min(200, self.silence_duration_ms // 2)

    @property
    def vad_mode(self) -> int:
        # GA's threshold (0..1, higher = needs louder/clearer speech) onto WebRTC VAD's
        # aggressiveness 0..3.
        return min(3, int(self.threshold * 4))


class InputAudioBuffer:
    """The session's input audio at 16 kHz: everything since the last commit or clear.

    Also detects turns when `settings` is set. Times are milliseconds of audio received since
    the session started, as OpenAI's `audio_start_ms` / `audio_end_ms` are.
    """

    def __init__(self, settings: TurnSettings | None) -> None:
        self._pending = np.zeros(0, dtype=np.int16)
        self._chunks: list[np.ndarray] = []
        self._buffered = 0
        self._buffer_start = 0  # samples since the session began, where the buffer starts
        self._received = 0
        self._recent: deque[bool] = deque(maxlen=_ONSET_WINDOW)
        self._in_speech = False
        self._silent_frames = 0
        self._speech_start = 0
        self._peak_db = 0.0
        self._tail_db: deque[float] = deque()  # levels of the latest run of speech frames
        self.configure(settings)

    def configure(self, settings: TurnSettings | None) -> None:
        self.settings = settings
        self._vad = Vad(settings.vad_mode if settings else 2, RATE_HZ, VAD_FRAME_S)
        self._frame_samples = self._vad.frame_bytes // 2
        self._tail_db = deque(maxlen=int(_HANGOVER_MAX_S / VAD_FRAME_S))

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def received_ms(self) -> int:
        return self._received * 1000 // RATE_HZ

    @property
    def buffered_ms(self) -> int:
        return self._buffered * 1000 // RATE_HZ

    def feed(self, pcm: np.ndarray) -> list[TurnEvent]:
        """Add audio; returns the turn events it caused (none without automatic turns)."""
        if pcm.size == 0:
            return []
        # Trim before classifying: a turn that stops in this call must still be whole when
        # the caller takes it.
        self._trim_unspoken()
        self._chunks.append(pcm)
        self._buffered += pcm.size
        self._received += pcm.size
        if self.settings is None:
            return []
        events: list[TurnEvent] = []
        pending = np.concatenate((self._pending, pcm))
        step = self._frame_samples
        usable = pending.size - pending.size % step
        frame_end = self._received - (pending.size - usable)
        for index in range(0, usable, step):
            end = frame_end - usable + index + step
            event = self._classify(pending[index : index + step], end)
            if event is not None:
                events.append(event)
        self._pending = pending[usable:]
        return events

    def _classify(self, frame: np.ndarray, end: int) -> TurnEvent | None:
        assert self.settings is not None
        speech = self._vad.is_speech(frame.tobytes())
        self._recent.append(speech)
        step = self._frame_samples
        if not self._in_speech:
            if sum(self._recent) >= _ONSET_FRAMES:
                self._in_speech = True
                self._silent_frames = 0
                self._peak_db = _level_db(frame)
                self._tail_db.clear()
                self._speech_start = end - step * len(self._recent)
                return TurnEvent("started", max(0, self._speech_start) * 1000 // RATE_HZ)
            return None
        before_ms = self._silent_frames * step * 1000 // RATE_HZ
        if speech:
            level = _level_db(frame)
            self._peak_db = max(self._peak_db, level)
            self._tail_db.append(level)
            self._silent_frames = 0
        else:
            if self._silent_frames == 0:
                self._silent_frames = self._quiet_tail_frames()
            self._silent_frames += 1
        silent_ms = self._silent_frames * step * 1000 // RATE_HZ
        if silent_ms >= self.settings.silence_duration_ms:
            self._in_speech = False
            self._recent.clear()
            return TurnEvent("stopped", end * 1000 // RATE_HZ)
        if before_ms < self.settings.pause_ms <= silent_ms:
            return TurnEvent("paused", end * 1000 // RATE_HZ)
        return None

    def _quiet_tail_frames(self) -> int:
        """How many of the last frames the VAD called speech were really the silence after it."""
        quiet = 0
        while self._tail_db and self._tail_db[-1] < self._peak_db - _HANGOVER_QUIET_DB:
            self._tail_db.pop()
            quiet += 1
        self._tail_db.clear()
        return quiet

    def _trim_unspoken(self) -> None:
        # Outside speech, keep only the prefix padding: a turn's audio starts that far back.
        if self._in_speech or self.settings is None:
            return
        keep = self.settings.prefix_padding_ms * RATE_HZ // 1000 + self._frame_samples * 4
        excess = self._buffered - keep
        while excess > 0 and self._chunks and self._chunks[0].size <= excess:
            dropped = self._chunks.pop(0)
            self._buffered -= dropped.size
            self._buffer_start += dropped.size
            excess -= dropped.size

    def take(self, *, from_ms: int | None = None) -> np.ndarray:
        """Remove and return the buffered audio (from `from_ms` minus the prefix padding)."""
        audio = self.peek(from_ms=from_ms)
        self.clear()
        return audio

    def peek(self, *, from_ms: int | None = None) -> np.ndarray:
        """The buffered audio as `take` would return it, left in the buffer."""
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        if from_ms is not None and self.settings is not None:
            start = from_ms * RATE_HZ // 1000 - self.settings.prefix_padding_ms * RATE_HZ // 1000
            audio = audio[max(0, start - self._buffer_start) :]
        return audio

    def clear(self) -> None:
        self._buffer_start = self._received
        self._chunks.clear()
        self._buffered = 0


def _level_db(frame: np.ndarray) -> float:
    """Mean power of int16 samples in dB (0 for digital silence)."""
    samples = frame.astype(np.float64)
    return float(10.0 * np.log10(np.mean(samples * samples) + 1.0))
