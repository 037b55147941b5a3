"""A user's page whose microphone device carries only the bridge's silence
(`release_device_mic`), its mix paused while the bridge plays nothing (`pause_idle_mic`): the
device is let go of at once while the page's track still reads as it, nothing reaches the
page's peer between clips, and a clip played after a pause is heard whole, then the mix pauses
again. Measured at the receiving peer over real WebRTC.

The fake device plays a 440 Hz tone here, so a device still mixed in would be heard."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from bridge.browser.instrument.page import InstrumentConfig, PageInstrument
from tests.browser.inpage import (
    PACKETS,
    RAW,
    SPY,
    ChromiumLoop,
    RemotePeer,
    open_user_page,
    remote_peer,
    tone_wav,
)

PAUSING = InstrumentConfig(release_device_mic=True, pause_idle_mic=True)
RELEASING = InstrumentConfig(release_device_mic=True)
PLAYED = tone_wav(0.4, amplitude=0.5)

# The device's hangover (1 s) and the time a suspend takes, with room for a loaded machine.
QUIET_AFTER_S = 2.5


@pytest.fixture(scope="module")
def chromium() -> Iterator[ChromiumLoop]:
    loop = ChromiumLoop(mic_wav=tone_wav(1.0, amplitude=0.05, frequency_hz=440)).start()
    try:
        yield loop
    finally:
        loop.stop()


async def _packets_over(remote: RemotePeer, seconds: float) -> int:
    before = int(await remote.page.evaluate(PACKETS, 0))
    await asyncio.sleep(seconds)
    return int(await remote.page.evaluate(PACKETS, 0)) - before


async def _session(chromium: ChromiumLoop, config: InstrumentConfig) -> dict[str, Any]:
    remote = await remote_peer(chromium.browser)
    page = await open_user_page(chromium.browser, remote=remote, config=config, init_before=SPY)
    try:
        await page.evaluate(f"() => window.connect({{ constraints: {RAW} }})")
        tracks = await page.evaluate("""() => {
          const mic = window.connections[0].mic, device = window.realStreams[0].getAudioTracks()[0];
          return { label: mic.label, deviceLabel: device.label, mic: mic.readyState,
                   device: device.readyState, settings: mic.getSettings().deviceId };
        }""")
        await asyncio.sleep(QUIET_AFTER_S)
        idle = await _packets_over(remote, 1.0)
        heard_before = float(await remote.page.evaluate("() => window.calls[0].peak"))
        await remote.page.evaluate("() => { window.calls[0].peak = 0; }")
        timing = await PageInstrument(page).play(PLAYED)
        await asyncio.sleep(0.3)  # what is still on its way
        peak = float(await remote.page.evaluate("() => window.calls[0].peak"))
        await asyncio.sleep(QUIET_AFTER_S)
        idle_again = await _packets_over(remote, 1.0)
        return {"tracks": tracks, "idle": idle, "heard_before": heard_before, "peak": peak, "timing": timing,
                "idle_again": idle_again}
    finally:
        await page.context.close()
        await remote.page.context.close()


def test_a_mix_of_the_bridge_alone_pauses_between_clips(chromium: ChromiumLoop) -> None:
    got = chromium.call(lambda: _session(chromium, PAUSING))
    tracks = got["tracks"]
    print(f"\npackets in 1 s while idle: {got['idle']}, then {got['idle_again']}; "
          f"the clip's peak at the peer {got['peak']:.2f}")
    assert tracks["device"] == "ended", "the bridge's silent device was not let go of"
    assert tracks["mic"] == "live"
    assert tracks["label"] == tracks["deviceLabel"] != ""
    assert tracks["settings"] == "default"
    assert got["idle"] == 0 and got["idle_again"] == 0
    assert got["peak"] > 0.3, "the clip played after a pause did not reach the peer"
    assert got["timing"].duration_ms == pytest.approx(400, abs=1)


def test_without_pausing_the_released_mix_keeps_sending_silence(chromium: ChromiumLoop) -> None:
    got = chromium.call(lambda: _session(chromium, RELEASING))
    print(f"\npackets in 1 s while idle: {got['idle']}")
    assert got["tracks"]["device"] == "ended"
    assert got["heard_before"] < 0.01, "the device's tone reached the peer"
    assert got["idle"] >= 25  # 50 a second without DTX; the peer's answer does not ask for it
    assert got["peak"] > 0.3


# A suspend that takes a while to land, as on a loaded machine: the context still reads
# "running" meanwhile, so a clip started then must wait for it and resume the context.
SLOW_SUSPEND = """window.suspendsAsked = 0;
const nativeSuspend = AudioContext.prototype.suspend;
AudioContext.prototype.suspend = function suspend() {
  window.suspendsAsked += 1;
  return new Promise((resolve) => setTimeout(resolve, 150))
    .then(() => nativeSuspend.call(this));
};"""


def test_a_clip_started_while_a_pause_lands_is_played_whole(chromium: ChromiumLoop) -> None:
    async def run() -> dict[str, Any]:
        remote = await remote_peer(chromium.browser)
        page = await open_user_page(chromium.browser, remote=remote, config=PAUSING,
                                    init_before=SLOW_SUSPEND)
        try:
            await page.evaluate(f"() => window.connect({{ constraints: {RAW} }})")
            await page.wait_for_function("() => window.suspendsAsked > 0", timeout=10_000)
            await remote.page.evaluate("() => { window.calls[0].peak = 0; }")
            timing = await PageInstrument(page).play(PLAYED)
            await asyncio.sleep(0.3)
            return {"timing": timing,
                    "peak": float(await remote.page.evaluate("() => window.calls[0].peak"))}
        finally:
            await page.context.close()
            await remote.page.context.close()

    got = chromium.call(run)
    assert got["timing"].duration_ms == pytest.approx(400, abs=1)
    assert got["peak"] > 0.3, "the clip did not reach the peer"
