"""The microphone a page captures, mixed with the bridge's speech: what the bridge plays really
reaches the page's peer over WebRTC (measured at the receiving side), the microphone still
flows, every getUserMedia gets its own mix, stopping a track stops the real microphone, the
page's streams and tracks stay what they were, and the recording tap hears both voices.

The fake microphone plays a quiet 440 Hz tone, so that its flow can be told from the loud
1 kHz tone the bridge plays."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from bridge.browser.instrument.page import PageInstrument
from bridge.demo.recording import PageRecorder, audio_track
from bridge.drive.speaking import speak
from bridge.errors import BrowserError
from bridge.events.log import EventLog
from bridge.events.records import UserAudio, all_of
from tests.browser.inpage import (
    ORIGIN,
    PACKETS,
    RAW,
    SPY,
    USER_PAGE,
    ChromiumLoop,
    RemotePeer,
    evaluate_in_user_page,
    open_user_page,
    remote_peer,
    tone_wav,
    user_context,
)

MIC_AMPLITUDE = 0.05
PLAYED = tone_wav(0.4, amplitude=0.5)


@pytest.fixture(scope="module")
def chromium() -> Iterator[ChromiumLoop]:
    loop = ChromiumLoop(mic_wav=tone_wav(1.0, amplitude=MIC_AMPLITUDE, frequency_hz=440)).start()
    try:
        yield loop
    finally:
        loop.stop()


async def _peak_during(remote: RemotePeer, call: int, seconds: float) -> float:
    await remote.page.evaluate("i => { window.calls[i].peak = 0; }", call)
    await remote.page.wait_for_timeout(seconds * 1000)
    return float(await remote.page.evaluate("i => window.calls[i].peak", call))


async def _peaks_while_playing(instrument: PageInstrument, remote: RemotePeer) -> list[float]:
    """The loudest sample each of the remote's calls heard while the bridge played."""
    await remote.page.evaluate("() => window.calls.forEach((c) => { c.peak = 0; })")
    await instrument.play(PLAYED)
    await remote.page.wait_for_timeout(200)  # what is still on its way
    peaks: list[float] = await remote.page.evaluate("() => window.calls.map((c) => c.peak)")
    return peaks


def test_what_the_bridge_plays_reaches_the_peer_and_the_microphone_still_flows(
    chromium: ChromiumLoop,
) -> None:
    async def run() -> dict[str, Any]:
        remote = await remote_peer(chromium.browser)
        page = await open_user_page(chromium.browser, remote=remote)
        try:
            await page.evaluate(f"() => window.connect({{ constraints: {RAW} }})")
            instrument = PageInstrument(page)
            assert await instrument.microphone_open()
            mic_peak = await _peak_during(remote, 0, 0.4)
            energy_before = await remote.energy()
            called = time.time() * 1000
            timing = await instrument.play(PLAYED)
            return {"mic_peak": mic_peak, "timing": timing, "called": called,
                    "onset": await remote.onset_ms(), "played_peak": await remote.page.evaluate(
                        "() => window.calls[0].peak"),
                    "energy": await remote.energy() - energy_before}
        finally:
            await page.context.close()
            await remote.page.context.close()

    got = chromium.call(run)
    timing = got["timing"]
    assert timing.duration_ms == pytest.approx(400, abs=1)
    assert timing.ended_at_ms - timing.started_at_ms == pytest.approx(400, abs=1)
    assert 0.02 < got["mic_peak"] < 0.1, "the page's own microphone no longer reaches its peer"
    assert got["played_peak"] > 0.3, "what the bridge played did not reach the peer"
    assert got["energy"] > 0.01
    assert got["onset"] is not None
    start_ms = timing.started_at_ms - got["called"]
    heard_ms = got["onset"] - timing.started_at_ms
    print(f"\nplay: started {start_ms:.0f} ms after the call; heard at the peer "
          f"{heard_ms:.0f} ms after it started")
    assert -20 < heard_ms < 500


def test_every_getusermedia_gets_a_mix_and_stopping_one_stops_its_microphone(
    chromium: ChromiumLoop,
) -> None:
    async def run() -> dict[str, Any]:
        remote = await remote_peer(chromium.browser)
        page = await open_user_page(chromium.browser, remote=remote, init_before=SPY)
        try:
            await page.evaluate(f"() => window.connect({{ constraints: {RAW} }})")
            await page.evaluate(f"() => window.connect({{ constraints: {RAW}, transceiver: true }})")
            instrument = PageInstrument(page)
            facts = await page.evaluate("""() => {
              const [a, b] = window.connections, [ra, rb] = window.realStreams;
              const real = ra.getAudioTracks()[0];
              const senders = (c) => c.pc.getSenders().map((s) => s.track);
              return { mixed: a.mic !== real && b.mic !== rb.getAudioTracks()[0] && a.mic !== b.mic,
                sent: senders(a).includes(a.mic) && senders(b).includes(b.mic),
                types: [a.stream instanceof MediaStream, a.mic instanceof MediaStreamTrack,
                  a.mic.constructor === MediaStreamTrack, a.mic.kind, a.mic.readyState],
                label: a.mic.label === real.label && a.mic.label !== "",
                device: a.mic.getSettings().deviceId === real.getSettings().deviceId,
                constraints: a.mic.getConstraints() };
            }""")
            heard_both = await _peaks_while_playing(instrument, remote)
            copy_stops = await page.evaluate("""() => {
              const [a] = window.connections, real = window.realStreams[0].getAudioTracks()[0];
              const copy = a.mic.clone();
              a.mic.stop();
              const afterOne = real.readyState;
              copy.stop();
              return [afterOne, real.readyState, window.__rtcBridge.channels().microphones];
            }""")
            before = await remote.page.evaluate(PACKETS, 0)
            still = await _peaks_while_playing(instrument, remote)
            # A few packets may still have been on their way when the track stopped.
            stopped_packets = await remote.page.evaluate(PACKETS, 0) - before
            await page.evaluate("() => window.connections[1].mic.stop()")
            closed = await instrument.microphone_open()
            with pytest.raises(BrowserError, match="has not opened its microphone"):
                await instrument.play(PLAYED)
            return {"facts": facts, "heard_both": heard_both, "copy_stops": copy_stops,
                    "still": still, "stopped_packets": stopped_packets, "closed": closed}
        finally:
            await page.context.close()
            await remote.page.context.close()

    got = chromium.call(run)
    assert got["facts"] == {"mixed": True, "sent": True,
                            "types": [True, True, True, "audio", "live"], "label": True,
                            "device": True, "constraints": {"autoGainControl": False,
                                                            "echoCancellation": False,
                                                            "noiseSuppression": False}}
    assert min(got["heard_both"]) > 0.3, "a mix did not hear the bridge"
    assert got["copy_stops"] == ["live", "ended", 1]  # the clone kept the microphone alive
    # The stopped mix sends nothing more, so the bridge's speech cannot reach its peer (which
    # may still conceal the last packets it had, loudly if they were the bridge's last clip:
    # its level says nothing); the other mix carries the speech.
    assert got["stopped_packets"] <= 5 and got["still"][1] > 0.3
    assert got["closed"] is False


def test_asked_while_the_page_loads_with_video_and_without_webaudio(chromium: ChromiumLoop) -> None:
    early = ("<!doctype html><html><body><script>window.early = navigator.mediaDevices"
             ".getUserMedia({ audio: true, video: true }).then((s) => { window.earlyStream = s; });"
             "</script></body></html>")
    check = """async () => {
      await window.early;
      const s = window.earlyStream, real = window.realStreams[0];
      return { audioMixed: s.getAudioTracks()[0] !== real.getAudioTracks()[0],
        videoKept: s.getVideoTracks()[0] === real.getVideoTracks()[0],
        order: s.getTracks().map((t) => t.kind), same: s === real,
        open: window.__rtcBridge.microphoneOpen() };
    }"""

    def run(init: str) -> Any:
        return chromium.call(lambda: evaluate_in_user_page(chromium.browser, check, html=early,
                                                           init_before=init))

    mixed = run(SPY)
    assert mixed == {"audioMixed": True, "videoKept": True, "order": ["audio", "video"],
                     "same": False, "open": True}
    untouched = run("delete window.AudioContext;\n" + SPY)
    assert untouched == {"audioMixed": False, "videoKept": True, "order": ["audio", "video"],
                         "same": True, "open": False}


def test_the_legacy_callback_form_gets_the_mix(chromium: ChromiumLoop) -> None:
    script = """() => new Promise((resolve, reject) => navigator.webkitGetUserMedia({ audio: true },
      (s) => resolve([s instanceof MediaStream, window.__rtcBridge.microphoneOpen()]), reject))"""
    answer = chromium.call(lambda: evaluate_in_user_page(chromium.browser, script,
                                                         html="<html><body></body></html>"))
    assert answer == [True, True]


def test_speaking_and_recording_work_on_an_instrumented_page(chromium: ChromiumLoop) -> None:
    # A strict policy, as some pages have: no blob: or module URL could load a worklet here.
    csp = "default-src 'none'; script-src 'unsafe-inline'; connect-src 'self'; media-src *"

    async def run() -> tuple[EventLog, Any, Any]:
        remote = await remote_peer(chromium.browser)
        page = await open_user_page(chromium.browser, remote=remote, csp=csp)
        log = EventLog()
        try:
            await page.evaluate(f"() => window.connect({{ constraints: {RAW} }})")
            refused = await page.evaluate("""() => new AudioContext().audioWorklet.addModule(
              URL.createObjectURL(new Blob([""], { type: "text/javascript" })))
              .then(() => false, () => true)""")
            assert refused, "the page's policy should refuse a worklet from a blob"
            recorder = PageRecorder(page, log)
            await recorder.start()
            utterance = await speak(page, log, PLAYED, kind="play", source="tone.wav")
            await remote.tone(0.5)  # the agent's voice, coming back
            await page.wait_for_timeout(400)
            await remote.tone(0.0)
            voice_t = log.now()
            await page.wait_for_timeout(300)
            capture = await recorder.stop()
            return log, (utterance, voice_t), capture
        finally:
            await page.context.close()
            await remote.page.context.close()

    log, (utterance, voice_t), capture = chromium.call(run)
    [record] = all_of(UserAudio, log.records())
    assert record.kind == "play" and record.source == "tone.wav"
    assert utterance.clip_ended_t - utterance.started_t == pytest.approx(0.4, abs=0.01)
    assert capture.frames, "no screencast frame"
    track = audio_track(capture).astype(np.float64) / 32767
    rate = capture.sample_rate_hz
    loud = np.flatnonzero(np.abs(track) > 0.25) / rate + capture.started_t
    assert loud.size, "the recording heard nothing"
    onset_error_ms = (loud[0] - utterance.started_t) * 1000
    print(f"\nrecording: the played clip starts {onset_error_ms:+.0f} ms from where it was played")
    # Placed by the audio clock's timestamps: off by a few render quanta at most, more only
    # when the machine is loaded (the timestamps are read when the chunk is handled).
    assert abs(onset_error_ms) < 120
    # The remote voice (after the clip, until it stopped plus its way over WebRTC) is in the
    # recording too.
    assert loud[-1] > utterance.clip_ended_t + 0.3 and loud[-1] < voice_t + 0.5


def test_a_call_inside_a_frame_is_found(chromium: ChromiumLoop) -> None:
    top = (f"<!doctype html><html><body><h1>app</h1><iframe src='{ORIGIN}/voice.html'>"
           "</iframe></body></html>")

    async def run() -> tuple[bool, list[float], bool, list[str]]:
        remote = await remote_peer(chromium.browser)
        context = await user_context(chromium.browser, {"/": top, "/voice.html": USER_PAGE},
                                     remote=remote)
        try:
            page = await context.new_page()
            await page.goto(f"{ORIGIN}/")
            voice = page.frames[1]
            await voice.wait_for_function("() => typeof window.connect === 'function'")
            instrument = PageInstrument(page)
            before = await instrument.microphone_open()
            await voice.evaluate(f"() => window.connect({{ constraints: {RAW} }})")
            await remote.send({"type": "session.created", "session": {}})
            await voice.wait_for_function("() => window.connections[0].received.length === 1")
            peaks = await _peaks_while_playing(instrument, remote)
            sent = await instrument.send_event({"type": "response.create"})
            await remote.page.wait_for_function("() => window.calls[0].received.length === 1")
            return before, peaks, sent, await remote.received()
        finally:
            await context.close()
            await remote.page.context.close()

    before, peaks, sent, received = chromium.call(run)
    assert before is False
    assert peaks[0] > 0.3, "what the bridge played did not reach the frame's peer"
    assert sent is True and received == ['{"type":"response.create"}']
