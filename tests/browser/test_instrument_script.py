"""The instrument's script as the package ships it, its settings, the records it answers with,
and the one audio interface over both kinds of page (no browser needed)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from playwright.async_api import Error as PlaywrightError

from bridge.browser.instrument.page import InstrumentConfig, MutationSummary, PageInstrument, init_script
from bridge.browser.instrument.records import PageChannels, PlayTiming
from bridge.browser.page_audio import VoicePageAudio, page_audio
from bridge.errors import BrowserError
from tests.conftest import run_async


def test_the_script_is_package_data_with_its_settings_filled_in() -> None:
    folder = resources.files("bridge.browser.instrument")
    for name in ("core.js", "peers.js", "tools.js", "audio.js"):
        assert (folder / name).is_file(), f"{name} is not shipped with bridge.browser.instrument"
    script = init_script(InstrumentConfig(api="myApi", binding="myReport", max_watches=3,
                                          drop_ice_servers=False))
    assert "/* @parts */" not in script and "__CONFIG__" not in script
    config = json.loads(script[script.rindex("})(") + 3 : script.rindex(");")])
    assert config == {"binding": "myReport", "api": "myApi", "dropIceServers": False,
                      "watchTools": True, "maxWatches": 3, "maxPendingReports": 20_000,
                      "releaseDeviceMic": False, "pauseIdleMic": False, "countSelectors": {}}
    # Every part is in, once, inside the one function.
    for marker in ("instrument part: peer connections", "instrument part: what the DOM did",
                   "instrument part: the page's microphone", "function idlePause("):
        assert script.count(marker) == 1
    # The part shared with the bridge's page is an ES module there; here it is plain script.
    assert "\nexport " not in script
    assert script.rstrip().endswith("//# sourceURL=rtc-bridge-instrument.js")


@pytest.mark.parametrize("changes", [{"api": "window.x"}, {"binding": ""}, {"api": "a b"},
                                     {"max_watches": 0}, {"max_pending_reports": 0}])
def test_settings_that_cannot_work_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="InstrumentConfig"):
        InstrumentConfig(**changes)


def test_records_are_read_from_the_pages_answers() -> None:
    timing = PlayTiming.from_json({"startedAtMs": 1000.5, "endedAtMs": 1600.5, "durationMs": 600})
    assert timing == PlayTiming(1000.5, 1600.5, 600.0)
    with pytest.raises(BrowserError, match="startedAtMs"):
        PlayTiming.from_json({"startedAtMs": "soon", "endedAtMs": 1, "durationMs": 1})
    with pytest.raises(BrowserError, match="not its timing"):
        PlayTiming.from_json(None)
    summary = MutationSummary.from_json({
        "callId": "c1", "name": None, "added": 1, "removed": 0, "attributes": 2, "styles": 1,
        "text": 0, "afterOutput": 1, "samples": ["added li"], "startedAtMs": 1.0,
        "outputAtMs": None, "lastChangeAtMs": 2.0, "takenAtMs": 3.0, "complete": False})
    assert (summary.changes, summary.changed, summary.complete, summary.samples) == (
        4, True, False, ("added li",))
    channels = PageChannels.from_frames([("http://a/", {
        "peers": [{"peer": 1, "state": "connected", "ufrag": "u",
                   "channels": [{"label": "oai-events", "state": "open", "realtime": True}]}],
        "droppedIceServers": ["stun:x"], "microphones": 1})])
    assert channels.realtime is not None and channels.realtime.label == "oai-events"
    assert channels.peers[0].frame_url == "http://a/" and channels.microphones == 1


class FakePage:
    """Answers `page_audio`'s question and the own page's calls as Chromium would."""

    def __init__(self, own: bool, fail: bool = False) -> None:
        self.own = own
        self.fail = fail
        self.expressions: list[str] = []

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        self.expressions.append(expression)
        if "typeof window.rtcBridge" in expression:
            return self.own
        if self.fail:
            raise PlaywrightError("Error: the page's audio graph is not running")
        return {"startedAtMs": 1.0, "endedAtMs": 2.0, "durationMs": 1.0}


def test_one_audio_interface_for_either_kind_of_page() -> None:
    own = FakePage(own=True)
    audio = run_async(page_audio(own))  # type: ignore[arg-type]
    assert isinstance(audio, VoicePageAudio)
    assert run_async(audio.play(b"RIFF")) == PlayTiming(1.0, 2.0, 1.0)
    assert "window.rtcBridge.playAudio" in own.expressions[-1]
    assert isinstance(run_async(page_audio(FakePage(own=False))), PageInstrument)  # type: ignore[arg-type]
    failing = run_async(page_audio(FakePage(own=True, fail=True)))  # type: ignore[arg-type]
    with pytest.raises(BrowserError, match="playing audio in the voice page failed: .*not running"):
        run_async(failing.play(b"RIFF"))
