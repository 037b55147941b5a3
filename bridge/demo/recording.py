"""Recording the controlled page with sound, from what every machine has.

The picture: CDP screencast frames (JPEG, stamped with the compositor's wall clock). The
sound: the page's audio tap (the outgoing microphone mix plus the agent's voice: `pages/audio.js`
on the bridge's own page, the instrument on any other, see `browser.page_audio`), sent to
Python in 16-bit chunks through a binding. Both are put on the event log's
clock while recording; `write_webm` then muxes them with PyAV into WebM (VP8 + Opus), which
every Chromium plays. Encoding happens after the session, so it costs the session nothing.

    recorder = PageRecorder(page, event_log)
    await recorder.start()
    ...
    capture = await recorder.stop()
    info = await asyncio.to_thread(write_webm, capture, out / "session.webm")
"""

from __future__ import annotations

import base64
import bisect
import logging
import secrets
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from av.video.frame import PictureType

from ..browser.page_audio import PageAudio, page_audio
from ..drive.speaking import log_time_of
from ..errors import RecordingError
from ..events.log import EventLog

__all__ = ["AUDIO_BINDING", "Capture", "PageRecorder", "RecordingError", "RecordingInfo",
           "write_webm"]

from ..tasks import TaskGroup

log = logging.getLogger(__name__)
AUDIO_BINDING = "bridgeRecordAudio"
SAMPLE_RATE_HZ = 48_000
# Chunks stamped within this of where the previous one ended are laid end to end (the stamps
# jitter by a few ms); a larger gap is kept as silence, a larger overlap is cut.
_CONTIGUOUS_S = 0.04
_MS = Fraction(1, 1000)
_NOMINAL_FPS = 25
_KEY_FRAME_EVERY_MS = 5_000


@dataclass
class Capture:
    """What a recording collected, on the event log's clock (seconds)."""

    started_t: float
    stopped_t: float = 0.0
    frames: list[tuple[float, bytes]] = field(default_factory=list)
    audio: list[tuple[float, npt.NDArray[np.int16]]] = field(default_factory=list)
    sample_rate_hz: int = SAMPLE_RATE_HZ

    @property
    def duration_s(self) -> float:
        return max(0.0, self.stopped_t - self.started_t)

    def frame_at(self, t: float) -> bytes | None:
        """The JPEG on screen at log time `t` (the first one before any was shown)."""
        if not self.frames:
            return None
        index = bisect.bisect_right([f[0] for f in self.frames], t) - 1
        return self.frames[max(0, index)][1]


@dataclass(frozen=True)
class RecordingInfo:
    path: Path
    duration_s: float
    size_bytes: int
    width: int
    height: int
    video_frames: int
    screencast_frames: int


class PageRecorder:
    """Collects screencast frames and the page's audio while a session runs."""

    def __init__(
        self,
        page: Any,
        event_log: EventLog,
        *,
        max_width: int = 1280,
        max_height: int = 720,
        jpeg_quality: int = 80,
    ) -> None:
        self._page = page
        self._log = event_log
        self._options = {"format": "jpeg", "quality": jpeg_quality, "maxWidth": max_width,
                         "maxHeight": max_height, "everyNthFrame": 1}
        self._cdp: Any = None
        self._tasks = TaskGroup(name="recorder")
        self._capture: Capture | None = None
        self._audio: PageAudio | None = None
        self._binding = f"{AUDIO_BINDING}_{secrets.token_hex(4)}"

    @property
    def capture(self) -> Capture | None:
        return self._capture

    async def start(self) -> None:
        """Start collecting frames and audio; t = 0 of the recording is now."""
        page = self._page
        self._capture = Capture(started_t=self._log.now())
        try:
            # A binding of its own: a page keeps its bindings, and may be recorded again later.
            await page.expose_binding(self._binding, self._on_audio)
            self._cdp = await page.context.new_cdp_session(page)
            self._cdp.on("Page.screencastFrame", self._on_frame)
            await self._cdp.send("Page.startScreencast", self._options)
            self._audio = await page_audio(page)
            await self._audio.start_recording(self._binding)
        except Exception as err:
            raise RecordingError(f"could not start recording the page: {err}") from err

    async def stop(self) -> Capture:
        """Stop collecting; every audio chunk the page captured has arrived when this returns."""
        capture = self._capture
        if capture is None:
            raise RecordingError("the recorder was not started")
        audio, self._audio = self._audio, None
        try:
            if audio is not None:
                await audio.stop_recording()
        except Exception as err:  # the page may be gone; what was collected is still written
            log.warning("stopping the page's audio tap failed: %s", err)
        capture.stopped_t = self._log.now()
        if self._cdp is not None:
            try:
                await self._cdp.send("Page.stopScreencast")
                await self._cdp.detach()
            except Exception:  # the page or browser closed first
                log.debug("screencast already stopped", exc_info=True)
            self._cdp = None
        await self._tasks.join()
        capture.frames.sort(key=lambda f: f[0])
        return capture

    def _on_frame(self, params: dict[str, Any]) -> None:
        capture = self._capture
        stamp = (params.get("metadata") or {}).get("timestamp")
        if capture is not None and isinstance(stamp, (int, float)):
            capture.frames.append((log_time_of(self._log, stamp), base64.b64decode(params["data"])))
        # Chromium sends the next frame only once this one is acknowledged.
        self._tasks.spawn(self._ack(params.get("sessionId")))

    async def _ack(self, session_id: Any) -> None:
        if self._cdp is None:
            return
        try:
            await self._cdp.send("Page.screencastFrameAck", {"sessionId": session_id})
        except Exception:  # the screencast stopped meanwhile
            log.debug("screencast ack failed", exc_info=True)

    def _on_audio(self, source: Any, chunk: Any) -> None:
        capture = self._capture
        if capture is None or not isinstance(chunk, dict):
            return
        try:
            pcm = np.frombuffer(base64.b64decode(chunk["pcm"]), dtype="<i2").astype(np.int16)
            rate = int(chunk["sampleRate"])
            at = log_time_of(self._log, float(chunk["epochMs"]) / 1000)
        except (KeyError, TypeError, ValueError) as err:
            log.warning("an audio chunk from the page was unreadable: %s", err)
            return
        if rate != capture.sample_rate_hz:
            log.warning("audio chunk at %d Hz ignored (recording at %d Hz)", rate,
                        capture.sample_rate_hz)
            return
        capture.audio.append((at, pcm))


def audio_track(capture: Capture) -> npt.NDArray[np.int16]:
    """The captured audio laid on the recording's timeline, silence where nothing was captured."""
    rate = capture.sample_rate_hz
    track = np.zeros(round(capture.duration_s * rate), np.int16)
    expected: int | None = None
    for at, pcm in sorted(capture.audio, key=lambda c: c[0]):
        position = round((at - capture.started_t) * rate)
        if expected is not None and abs(position - expected) <= _CONTIGUOUS_S * rate:
            position = expected
        start = max(0, position)
        end = min(track.size, position + pcm.size)
        if end > start:
            track[start:end] = pcm[start - position : end - position]
        expected = position + pcm.size
    return track


def write_webm(
    capture: Capture,
    path: Path,
    *,
    max_video_bitrate: int = 3_000_000,
    audio_bitrate: int = 64_000,
) -> RecordingInfo:
    """Mux a capture into WebM: VP8 with each screencast frame at the time it was shown
    (variable frame rate: a still page costs nothing), Opus mono for the sound."""
    if not capture.frames:
        raise RecordingError("no screencast frame was captured: nothing to record")
    first = _decode_jpeg(capture.frames[0][1])
    width, height = first.width // 2 * 2, first.height // 2 * 2
    try:
        with av.open(str(path), "w", format="webm") as container:
            video = container.add_stream("libvpx", rate=_NOMINAL_FPS)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            video.codec_context.time_base = _MS
            video.bit_rate = max_video_bitrate
            # Constant quality, capped: page text stays sharp and a still page costs little.
            video.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0",
                             "crf": "4", "qmin": "0", "qmax": "40"}
            audio = container.add_stream("libopus", rate=capture.sample_rate_hz, layout="mono")
            audio.bit_rate = audio_bitrate
            frames_written = _write_video(container, video, capture, width, height)
            _write_audio(container, audio, audio_track(capture), capture.sample_rate_hz)
    except (av.FFmpegError, ValueError) as err:
        raise RecordingError(f"could not write {path}: {err}") from err
    return RecordingInfo(path=path, duration_s=capture.duration_s,
                         size_bytes=path.stat().st_size, width=width, height=height,
                         video_frames=frames_written, screencast_frames=len(capture.frames))


def _decode_jpeg(data: bytes) -> av.VideoFrame:
    codec = av.CodecContext.create("mjpeg", "r")
    frames = codec.decode(av.Packet(data))
    if not frames:
        raise RecordingError("a screencast frame could not be decoded")
    frame: av.VideoFrame = frames[0]
    return frame


def _write_video(container: Any, stream: Any, capture: Capture, width: int, height: int) -> int:
    """Each frame at its own time (ms); the last one repeated at the end so that the picture
    lasts as long as the sound; a key frame at least every few seconds for seeking."""
    end_ms = round(capture.duration_s * 1000)
    timeline: list[tuple[int, bytes]] = []
    for t, jpeg in capture.frames:
        ms = min(end_ms, max(0, round((t - capture.started_t) * 1000)))
        if timeline and timeline[-1][0] >= ms:
            timeline[-1] = (timeline[-1][0], jpeg)  # two frames in one ms: the later wins
        else:
            timeline.append((ms, jpeg))
    if timeline[-1][0] < end_ms:
        timeline.append((end_ms, timeline[-1][1]))
    last_key_ms: int | None = None
    for index, (ms, jpeg) in enumerate(timeline):
        frame = _decode_jpeg(jpeg).reformat(width=width, height=height, format="yuv420p")
        next_ms = timeline[index + 1][0] if index + 1 < len(timeline) else ms + 50
        frame.pts, frame.time_base, frame.duration = ms, _MS, max(1, next_ms - ms)
        # Decoded JPEGs are marked as key frames, which libvpx obeys: choose here instead.
        key = last_key_ms is None or ms - last_key_ms >= _KEY_FRAME_EVERY_MS
        frame.pict_type = PictureType.I if key else PictureType.NONE
        if key:
            last_key_ms = ms
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    return len(timeline)


def _write_audio(container: Any, stream: Any, track: npt.NDArray[np.int16], rate: int) -> None:
    step = 960
    for start in range(0, track.size, step):
        chunk = track[start : start + step]
        if chunk.size < step:
            chunk = np.concatenate([chunk, np.zeros(step - chunk.size, np.int16)])
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
