"""What the controlled voice page plays of the agent's voice, sampled in the page itself: when
it was loud (every 5 ms, through an AnalyserNode on the `<audio>` element's stream), when a
message was typed (the form's submit), and when each answer's `output_audio_buffer.started`
reached the page. All times are the page's wall clock in milliseconds.

Installed into a page once it is connected (`install`); read with `read`. `interruption_ms`
says how long the agent's voice went on after a message was typed: the last moment it was loud
before the next answer's voice. The page plays one stream, in which the engine's next answer
can follow a cut within 50 ms while the page still plays the tail of the old one (its jitter
buffer holds 20-250 ms); `hold_tool_calls` runs the page's tools later, so that an answer about
a tool starts well after the cut and its voice cannot be taken for the old answer's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bridge.drive.handle import BridgeHandle

# An RMS above this is the agent speaking; the engine's silence decodes to far less.
LOUD_RMS = 0.01

INSTALL_JS = """(loudRms) => {
  const audio = document.querySelector("[data-testid=agent-audio]");
  const ctx = new AudioContext();
  const analyser = new AnalyserNode(ctx, { fftSize: 256 });
  const samples = new Float32Array(analyser.fftSize);
  const now = () => performance.timeOrigin + performance.now();
  const probe = { loud: [], typed: [], started: {} };
  let stream = null;
  let source = null;
  probe.timer = setInterval(() => {
    if (audio.srcObject !== stream) {
      source?.disconnect();
      stream = audio.srcObject;
      source = stream ? ctx.createMediaStreamSource(stream) : null;
      source?.connect(analyser);
    }
    if (!source) return;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const value of samples) sum += value * value;
    if (Math.sqrt(sum / samples.length) > loudRms) probe.loud.push(now());
  }, 5);
  document.querySelector("[data-testid=message-form]").addEventListener(
    "submit", () => probe.typed.push(now()), { capture: true });
  window.rtcBridge.dc.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "output_audio_buffer.started") probe.started[event.response_id] = now();
  });
  window.agentAudioProbe = probe;
  return ctx.resume();
}"""

HOLD_TOOLS_JS = """(delayMs) => {
  const report = window.bridgeReport;
  window.bridgeReport = async (kind, payload) => {
    if (kind === "tool_call") await new Promise((resolve) => setTimeout(resolve, delayMs));
    return report(kind, payload);
  };
}"""

READ_JS = """() => {
  const { loud, typed, started } = window.agentAudioProbe;
  return { loud, typed, started, now: performance.timeOrigin + performance.now() };
}"""


@dataclass(frozen=True)
class AgentAudio:
    loud: list[float]
    typed: list[float]
    started: dict[str, float]
    now: float

    def loud_ms_since(self, since: float) -> float:
        """How long the agent's voice has been loud since `since`, counted in 5 ms samples."""
        return 5.0 * sum(1 for t in self.loud if t >= since)

    def interruption_ms(self, typed: float, next_started: float) -> float:
        """From a message typed at `typed` to the last moment the voice was loud before the
        next answer's audio started (`next_started`): how long the old answer went on."""
        return max((t for t in self.loud if typed <= t < next_started), default=typed) - typed


def install(handle: BridgeHandle) -> None:
    handle.evaluate(INSTALL_JS, LOUD_RMS)


def hold_tool_calls(handle: BridgeHandle, delay_ms: float) -> None:
    """Run each of the page's tool calls `delay_ms` later (until the page is reloaded)."""
    handle.evaluate(HOLD_TOOLS_JS, delay_ms)


def read(handle: BridgeHandle) -> AgentAudio:
    raw: dict[str, Any] = handle.evaluate(READ_JS)
    return AgentAudio(loud=raw["loud"], typed=raw["typed"], started=raw["started"],
                      now=raw["now"])


def wait_speaking(handle: BridgeHandle, response_id: str, *, loud_ms: float = 300,
                  timeout_s: float = 10) -> AgentAudio:
    """Wait until the page has played `loud_ms` of the answer `response_id` out loud."""
    deadline = time.monotonic() + timeout_s
    while True:
        audio = read(handle)
        started = audio.started.get(response_id)
        if started is not None and audio.loud_ms_since(started) >= loud_ms:
            return audio
        if time.monotonic() > deadline:
            raise AssertionError(f"the page did not play {loud_ms:g} ms of {response_id} "
                                 f"within {timeout_s:g} s (started at the page: {started})")
        time.sleep(0.05)
