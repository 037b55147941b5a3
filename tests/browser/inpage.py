"""Instrumented pages in a real Chromium, and a remote peer that answers them.

One Chromium per test module runs on an event loop of its own in a background thread
(`ChromiumLoop`); tests hand it coroutines. A user page is served by routing from
`http://127.0.0.1:9/` (the request never reaches the network: Playwright answers it), in a
context with the instrument installed and the report binding collecting what it says. Its
`POST /api/rtc-connect` is answered by `RemotePeer`, a page in another, uninstrumented context
that plays the realtime server's part over real WebRTC in the same browser: it answers offers,
sends server events, hears the page's audio (onset and energy) and can send a tone back.
"""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
import threading
import wave
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from playwright.async_api import Browser, BrowserContext, Page, Playwright, Route, async_playwright

from bridge.browser.chromium import choose_chromium, launch_args, write_silence
from bridge.browser.instrument.page import InstrumentConfig, install
from tests.network_safety import CHROMIUM_SAFETY_ARGS

T = TypeVar("T")
ORIGIN = "http://127.0.0.1:9"

# The server's side: answers offers with every candidate in the answer, keeps what arrives on
# each call's channel, attaches received audio to an <audio> element (Chromium computes levels
# of a remote track only then) and notes when it first heard sound and how much.
REMOTE_PAGE = """<!doctype html><html><body><script>
window.calls = [];
window.answer = async (sdp) => {
  const pc = new RTCPeerConnection();
  const call = { pc, channel: null, received: [], onsetAtMs: null, peak: 0 };
  window.calls.push(call);
  pc.ondatachannel = (e) => {
    call.channel = e.channel;
    e.channel.onmessage = (m) => call.received.push(m.data);
  };
  const ctx = new AudioContext();
  call.ctx = ctx;
  const tone = new OscillatorNode(ctx, { frequency: 440 });
  call.toneGain = new GainNode(ctx, { gain: 0 });
  const out = new MediaStreamAudioDestinationNode(ctx);
  tone.connect(call.toneGain).connect(out);
  tone.start();
  pc.ontrack = (e) => {
    const element = new Audio();
    element.srcObject = new MediaStream([e.track]);
    element.play().catch(() => {});
    call.element = element;
    const analyser = new AnalyserNode(ctx, { fftSize: 512 });
    ctx.createMediaStreamSource(new MediaStream([e.track])).connect(analyser);
    const data = new Float32Array(analyser.fftSize);
    setInterval(() => {
      analyser.getFloatTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v));
      call.peak = Math.max(call.peak, peak);
      if (peak > 0.1 && call.onsetAtMs === null) call.onsetAtMs = performance.timeOrigin + performance.now();
    }, 5);
  };
  await pc.setRemoteDescription({ type: "offer", sdp });
  for (const t of pc.getTransceivers()) {
    if (t.receiver.track.kind === "audio") {
      t.direction = "sendrecv";
      await t.sender.replaceTrack(out.stream.getAudioTracks()[0]);
    }
  }
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") resolve();
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve());
  });
  return pc.localDescription.sdp;
};
window.energy = async (index) => {
  const stats = await window.calls[index].pc.getStats();
  for (const s of stats.values()) {
    if (s.type === "inbound-rtp" && s.kind === "audio") return s.totalAudioEnergy ?? 0;
  }
  return 0;
};
</script></body></html>"""

# A page as users write them: its microphone, a peer, a channel, the offer posted to its own
# backend. `connect({label, transceiver, constraints})` returns when the channel is open.
# `joinPeers(a, b)`: two peers in one frame joined by their own offer and answer, their
# candidates trickled. A candidate that arrives before the other side has its remote description
# is held until it has: adding it then would be refused, and under load that can be all of them.
# (Waiting for gathering to complete instead can wait for good in a headless Chromium.)
JOIN_PEERS = """
const joinPeers = async (a, b) => {
  const relay = (from, to) => {
    const early = [];
    from.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      if (to.remoteDescription) to.addIceCandidate(candidate);
      else early.push(candidate);
    };
    return async () => { for (const candidate of early.splice(0)) await to.addIceCandidate(candidate); };
  };
  const toB = relay(a, b), toA = relay(b, a);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await toB();
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  await toA();
};
"""


USER_PAGE_SCRIPT = """
window.connections = [];
window.connect = async ({ label = "oai-events", transceiver = false, constraints = { audio: true },
                          iceServers = [] } = {}) => {
  const pc = new RTCPeerConnection({ iceServers });
  const stream = await navigator.mediaDevices.getUserMedia(constraints);
  const [mic] = stream.getAudioTracks();
  if (transceiver) pc.addTransceiver(mic, { direction: "sendrecv", streams: [stream] });
  else pc.addTrack(mic, stream);
  const channel = pc.createDataChannel(label);
  const received = [];
  channel.addEventListener("message", (e) => received.push(e.data));
  pc.ontrack = (e) => {
    const element = document.createElement("audio");
    element.srcObject = new MediaStream([e.track]);
    element.muted = true;
    element.play().catch(() => {});
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") resolve();
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve());
  });
  const response = await fetch("/api/rtc-connect", { method: "POST", body: pc.localDescription.sdp,
    headers: { "Content-Type": "application/sdp" } });
  await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
  if (channel.readyState !== "open") {
    await new Promise((resolve) => channel.addEventListener("open", resolve));
  }
  const connection = { pc, channel, stream, mic, received };
  window.connections.push(connection);
  return window.connections.length - 1;
};
"""

# The audio packets the remote peer received on its call `i` so far.
PACKETS = """async (i) => {
  for (const s of (await window.calls[i].pc.getStats()).values()) {
    if (s.type === "inbound-rtp" && s.kind === "audio") return s.packetsReceived;
  }
  return 0;
}"""
# For `init_before`, runs before the instrument: keeps the streams the browser's own getUserMedia gave.
SPY = """window.realStreams = [];
const nativeGetUserMedia = MediaDevices.prototype.getUserMedia;
MediaDevices.prototype.getUserMedia = function getUserMedia(...args) {
  return nativeGetUserMedia.apply(this, args).then((s) => { window.realStreams.push(s); return s; });
};"""
RAW = "{ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } }"
USER_PAGE = f"<!doctype html><html><body><h1>user page</h1><script>{USER_PAGE_SCRIPT}</script></body></html>"


def tone_wav(seconds: float, *, amplitude: float, frequency_hz: float = 1000.0,
             rate_hz: int = 48_000) -> bytes:
    """A sine tone as 16-bit mono WAV bytes."""
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    samples = (np.sin(2 * np.pi * frequency_hz * t) * amplitude * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate_hz)
        file.writeframes(samples.tobytes())
    return out.getvalue()


class ChromiumLoop:
    """Async Playwright and one Chromium on a background loop; its fake microphone plays
    `mic_wav` (WAV bytes, looping), silence by default."""

    def __init__(self, mic_wav: bytes | None = None) -> None:
        self._mic_wav = mic_wav
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chromium-loop",
                                        daemon=True)
        self._tmp = tempfile.TemporaryDirectory(prefix="instrument-test-")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    @property
    def browser(self) -> Browser:
        if self._browser is None:
            raise RuntimeError("Chromium is not running")
        return self._browser

    def start(self) -> ChromiumLoop:
        self._thread.start()
        self.call(self._launch, timeout_s=60)
        return self

    async def _launch(self) -> None:
        self._playwright = await async_playwright().start()
        chromium = self._playwright.chromium
        choice = choose_chromium(None, chromium.executable_path)
        mic = Path(self._tmp.name) / "mic.wav"
        if self._mic_wav is None:
            write_silence(mic)
        else:
            mic.write_bytes(self._mic_wav)
        self._browser = await chromium.launch(**choice.launch_options(),
                                              args=launch_args(fake_mic=mic,
                                                               extra=CHROMIUM_SAFETY_ARGS))

    def call(self, fn: Callable[[], Coroutine[Any, Any, T]], *, timeout_s: float = 30.0) -> T:
        """Run `fn()` on the loop; past `timeout_s` it is cancelled and TimeoutError names the
        line each coroutine in its chain was waiting on (a hang under load says where)."""
        coro = fn()
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout_s)
        except TimeoutError:
            where = " <- ".join(reversed(_awaiting(coro)))
            future.cancel()
            raise TimeoutError(f"{timeout_s} s passed; waiting at {where}") from None

    def stop(self) -> None:
        async def close() -> None:
            if self._browser is not None:
                await self._browser.close()
            if self._playwright is not None:
                await self._playwright.stop()

        try:
            self.call(close)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()
            self._tmp.cleanup()


def _awaiting(coro: Any) -> list[str]:
    """file:line of each coroutine `coro` awaits, outermost first."""
    lines = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            lines.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return lines


@dataclass
class Reports:
    """What the instrument reported through the binding: each entry with its frame's URL."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    handler: Callable[[str, Any], Awaitable[Any]] | None = None

    async def on_report(self, source: Mapping[str, Any], kind: str, payload: Any) -> Any:
        self.calls += 1
        if kind == "channel":
            for entry in json.loads(payload):
                self.entries.append({**entry, "frame": source["frame"].url})
        if self.handler is not None:
            return await self.handler(kind, payload)
        return None

    def texts(self, direction: str) -> list[str]:
        return [e["text"] for e in self.entries if e.get("dir") == direction]


class RemotePeer:
    """The realtime server's part, in a page of its own (not instrumented)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def answer(self, offer: str) -> str:
        answer: str = await self.page.evaluate("sdp => window.answer(sdp)", offer)
        return answer

    async def send(self, event: Mapping[str, Any], call: int = 0) -> None:
        await self.page.evaluate("([i, text]) => window.calls[i].channel.send(text)",
                                 [call, json.dumps(event)])

    async def received(self, call: int = 0) -> list[str]:
        texts: list[str] = await self.page.evaluate("i => window.calls[i].received", call)
        return texts

    async def energy(self, call: int = 0) -> float:
        return float(await self.page.evaluate("i => window.energy(i)", call))

    async def onset_ms(self, call: int = 0) -> float | None:
        onset = await self.page.evaluate("i => window.calls[i].onsetAtMs", call)
        return None if onset is None else float(onset)

    async def tone(self, gain: float, call: int = 0) -> None:
        await self.page.evaluate("([i, g]) => { window.calls[i].toneGain.gain.value = g; }",
                                 [call, gain])


async def remote_peer(browser: Browser) -> RemotePeer:
    context = await browser.new_context()
    page = await context.new_page()
    await page.route(f"{ORIGIN}/**", lambda route: route.fulfill(body=REMOTE_PAGE,
                                                                  content_type="text/html"))
    await page.goto(f"{ORIGIN}/remote.html")
    return RemotePeer(page)


async def user_context(
    browser: Browser,
    files: Mapping[str, str],
    *,
    config: InstrumentConfig | None = None,
    remote: RemotePeer | None = None,
    reports: Reports | None = None,
    init_before: str | None = None,
    csp: str | None = None,
) -> BrowserContext:
    """A context whose pages get the instrument; `files` maps paths under ORIGIN (and
    `http://127.0.0.2:9`, another origin) to HTML, served with `csp` as their
    Content-Security-Policy if given; the binding feeds `reports` (none: no binding).
    `init_before` is an init script that runs before the instrument."""
    context = await browser.new_context(permissions=["microphone"])
    if reports is not None:
        await context.expose_binding((config or InstrumentConfig()).binding, reports.on_report)
    if init_before is not None:
        await context.add_init_script(script=init_before)
    await install(context, config)

    async def serve(route: Route) -> None:
        request = route.request
        path = "/" + request.url.split("/", 3)[3]
        if path == "/api/rtc-connect" and remote is not None:
            answer = await remote.answer(request.post_data or "")
            await route.fulfill(status=201, body=answer, content_type="application/sdp")
        elif path in files:
            headers = {} if csp is None else {"Content-Security-Policy": csp}
            await route.fulfill(body=files[path], content_type="text/html", headers=headers)
        else:
            await route.fulfill(status=404, body="not here")

    for origin in (ORIGIN, "http://127.0.0.2:9"):
        await context.route(f"{origin}/**", serve)
    return context


async def open_user_page(browser: Browser, *, remote: RemotePeer | None = None,
                         reports: Reports | None = None, config: InstrumentConfig | None = None,
                         html: str = USER_PAGE, init_before: str | None = None,
                         csp: str | None = None) -> Page:
    context = await user_context(browser, {"/": html}, config=config, remote=remote,
                                 reports=reports, init_before=init_before, csp=csp)
    page = await context.new_page()
    await page.goto(f"{ORIGIN}/")
    return page


async def evaluate_in_user_page(browser: Browser, script: str, *, html: str,
                                config: InstrumentConfig | None = None,
                                init_before: str | None = None) -> Any:
    """`script`'s answer in a fresh instrumented page showing `html`."""
    page = await open_user_page(browser, html=html, config=config, init_before=init_before)
    try:
        return await page.evaluate(script)
    finally:
        await page.context.close()


def ufrag_of(sdp: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in sdp.splitlines()
                if line.startswith("a=ice-ufrag:"))

