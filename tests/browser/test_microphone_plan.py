"""What the controlled browser's microphone carries, and whether the page's mix pauses between
the bridge's clips, from the settings; and how the bridge's own page hears of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.browser.microphone import MicrophonePlan
from bridge.browser.target import PageTarget
from bridge.cli import build_parser
from bridge.config import Settings
from bridge.errors import SettingsError

BASE = "http://127.0.0.1:8765"
KEY = {"OPENAI_API_KEY": "test-key-not-real"}


def _plan(env: dict[str, str] | None = None, **flags: object) -> MicrophonePlan:
    return MicrophonePlan.from_settings(Settings.from_env(env or {}, **flags))


def test_a_scripted_session_with_the_embedded_engine_releases_the_device_and_pauses() -> None:
    assert _plan(headless=True) == MicrophonePlan(silent_device=True, pause_idle=True)
    # A headed session without the room's microphone is scripted too.
    assert _plan(headless=False, room_mic=False).silent_device


def test_openai_keeps_the_silence_coming_unless_told_to_pause() -> None:
    assert _plan(KEY, headless=True) == MicrophonePlan(silent_device=True, pause_idle=False)
    assert _plan(KEY, headless=True, idle_microphone="pause").pause_idle
    assert not _plan(headless=True, idle_microphone="send").pause_idle
    assert _plan({"BRIDGE_IDLE_MICROPHONE": "send"}, headless=True).pause_idle is False


def test_a_real_device_is_never_let_go_of(tmp_path: Path) -> None:
    wav = tmp_path / "mic.wav"
    wav.write_bytes(b"RIFF")
    assert not _plan(headless=True, mic_file=wav).silent_device
    assert not _plan(headless=False).silent_device  # the room's microphone
    assert not _plan(headless=True, browser_ws="ws://127.0.0.1:9/x").silent_device


def test_a_wrong_mode_names_the_setting_and_the_choices() -> None:
    with pytest.raises(SettingsError, match=r"BRIDGE_IDLE_MICROPHONE is 'auto', 'pause' or "
                                            r"'send', not 'mute'"):
        Settings.from_env({"BRIDGE_IDLE_MICROPHONE": "mute"})


def test_the_own_page_hears_of_the_plan_from_its_query() -> None:
    own = PageTarget.from_page(None)
    assert own.url_on(BASE, microphone=MicrophonePlan(True, True)) == (
        f"{BASE}/?autoconnect=1&release_mic=1&pause_idle_mic=1")
    assert own.url_on(BASE, microphone=MicrophonePlan(False, False)) == f"{BASE}/?autoconnect=1"
    assert own.url_on(BASE, autoconnect=False, microphone=MicrophonePlan(False, True)) == (
        f"{BASE}/?autoconnect=0&pause_idle_mic=1")


def test_the_run_command_takes_the_mode() -> None:
    args = build_parser().parse_args(["run", "--idle-microphone", "pause"])
    assert Settings.from_env({}, idle_microphone=args.idle_microphone).idle_microphone == "pause"
