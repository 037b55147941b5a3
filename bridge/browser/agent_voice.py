"""The agent's voice as the page plays it: a level tap on the page's media elements.

Every 10 ms the tap reads the audio of each `<audio>` / `<video>` element whose `srcObject` is a
stream with audio (how a voice page plays the remote track: the bridge's own does, as OpenAI's
examples do) through an AnalyserNode, and keeps the spans in which it was louder than
`FLOOR_DBFS` (RMS over the analyser's last 512 samples), a span ending once the voice has been
quiet for `QUIET_MS`. Times come back on the event log's clock, so that they compare with the
records: the first agent audio of a turn is where a span starts, and a voice cut off by an
interruption is where one stops. A page that plays its voice from an element outside the
document is not heard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..events.log import EventLog

__all__ = ["FLOOR_DBFS", "QUIET_MS", "VoiceSpan", "install_agent_voice", "read_agent_voice"]

FLOOR_DBFS = -50.0
QUIET_MS = 120

_INSTALL = """([floorDbfs, quietMs]) => {
  if (window.__bridgeAgentVoice) return true;
  if (typeof AudioContext !== "function") return false;
  const ctx = new AudioContext();
  const samples = new Float32Array(512);
  const floor = 10 ** (floorDbfs / 20);
  const now = () => performance.timeOrigin + performance.now();
  const tap = { spans: [], analysers: new Map(), lastLoud: null };
  tap.timer = setInterval(() => {
    for (const element of document.querySelectorAll("audio, video")) {
      const stream = element.srcObject;
      if (!(stream instanceof MediaStream) || tap.analysers.has(stream)) continue;
      if (stream.getAudioTracks().length === 0) continue;
      const analyser = new AnalyserNode(ctx, { fftSize: samples.length });
      ctx.createMediaStreamSource(stream).connect(analyser);
      tap.analysers.set(stream, analyser);
    }
    let loud = false;
    for (const analyser of tap.analysers.values()) {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const value of samples) sum += value * value;
      if (Math.sqrt(sum / samples.length) > floor) { loud = true; break; }
    }
    const t = now();
    const open = tap.spans.length > 0 && tap.spans[tap.spans.length - 1][1] === null;
    if (loud) {
      if (!open) tap.spans.push([t, null]);
      tap.lastLoud = t;
    } else if (open && t - tap.lastLoud >= quietMs) {
      tap.spans[tap.spans.length - 1][1] = tap.lastLoud;
    }
  }, 10);
  window.__bridgeAgentVoice = tap;
  return ctx.resume().then(() => true, () => true);
}"""

_READ = """() => ({ spans: window.__bridgeAgentVoice ? window.__bridgeAgentVoice.spans : null,
  now: performance.timeOrigin + performance.now() })"""


@dataclass(frozen=True)
class VoiceSpan:
    """The agent's voice loud at the page from `started_t` to `stopped_t` (None: still on),
    on the event log's clock."""

    started_t: float
    stopped_t: float | None


async def install_agent_voice(page: Any) -> bool:
    """Start the tap in `page` (once per document; again after a reload); False if the page
    cannot run WebAudio."""
    return bool(await page.evaluate(_INSTALL, [FLOOR_DBFS, QUIET_MS]))


async def read_agent_voice(page: Any, event_log: EventLog) -> list[VoiceSpan] | None:
    """The spans heard so far, oldest first; None when the tap is not installed."""
    read = await page.evaluate(_READ)
    if read.get("spans") is None:
        return None
    # The page's clock and the log's both run from now: one offset, no wall-clock skew.
    offset_s = event_log.now() - float(read["now"]) / 1000.0
    return [VoiceSpan(float(start) / 1000.0 + offset_s,
                      None if stop is None else float(stop) / 1000.0 + offset_s)
            for start, stop in read["spans"]]
