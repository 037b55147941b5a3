from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import build_parser
from bridge.config import Settings
from bridge.errors import SettingsError


def test_defaults_are_local_and_loopback() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.upstream) == ("127.0.0.1", 8765, "local")
    assert settings.headless is True  # no DISPLAY in this environment mapping
    assert settings.base_url == "http://127.0.0.1:8765"


def test_openai_key_selects_openai_and_never_shows_in_repr() -> None:
    settings = Settings.from_env({"OPENAI_API_KEY": "fake-test-secret-123456789"})
    assert settings.upstream == "openai"
    assert "fake-test-secret" not in repr(settings)


def test_flags_win_over_environment() -> None:
    env = {"OPENAI_API_KEY": "k", "BRIDGE_PORT": "9000", "BRIDGE_VOICE": "alloy"}
    settings = Settings.from_env(env, upstream="local", port=0, voice=None)
    assert (settings.upstream, settings.port, settings.voice) == ("local", 0, "alloy")


def test_display_makes_headed_unless_forced() -> None:
    assert Settings.from_env({"DISPLAY": ":1"}).headless is False
    assert Settings.from_env({"DISPLAY": ":1"}, headless=True).headless is True


def test_cors_origins_parse() -> None:
    settings = Settings.from_env({"BRIDGE_CORS_ORIGINS": "http://a.test/, http://b.test"})
    assert settings.cors_origins == ("http://a.test", "http://b.test")


@pytest.mark.parametrize("flags, message", [
    ({"upstream": "openai"}, "OPENAI_API_KEY"),
    ({"upstream": "other"}, "upstream"),
    ({"port": 70000}, "port"),
    ({"mic_file": Path("/nonexistent.wav")}, "mic-file"),
])
def test_bad_settings_name_the_setting(flags: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({}, **flags)


def test_openai_base_url_must_be_http() -> None:
    with pytest.raises(SettingsError, match="OPENAI_BASE_URL"):
        Settings.from_env({"OPENAI_BASE_URL": "file:///etc/passwd"})


def test_an_unreadable_environment_value_is_a_settings_error_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="BRIDGE_PORT='eighty'"):
        Settings.from_env({"BRIDGE_PORT": "eighty"})


def test_no_browser_from_the_environment() -> None:
    assert Settings.from_env({"BRIDGE_NO_BROWSER": "1"}).open_browser is False
    assert Settings.from_env({"BRIDGE_NO_BROWSER": "0"}).open_browser is True


def test_network_settings_from_the_environment() -> None:
    settings = Settings.from_env({
        "BRIDGE_ROUTE": "**/session, http://127.0.0.2:*/{rtc,connect}  **/offer",
        "BRIDGE_ROUTE_OFFERS": "0", "BRIDGE_ALLOW_HOSTS": "CDN.example.com, *.example.net",
        "BRIDGE_CHROMIUM_ARGS": "--host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE localhost' --x"})
    assert settings.routes == ("**/session", "http://127.0.0.2:*/{rtc,connect}", "**/offer")
    assert settings.route_offers is False
    assert settings.allow_hosts == ("cdn.example.com", "*.example.net")
    assert settings.chromium_args == ("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
                                      "--x")
    defaults = Settings.from_env({})
    assert (defaults.routes, defaults.route_offers, defaults.allow_hosts) == ((), True, ())


def test_repeated_flags_win_over_the_environment() -> None:
    settings = Settings.from_env({"BRIDGE_ALLOW_HOSTS": "a.test"}, allow_hosts=["b.test", "c.test"],
                                 routes=["**/rtc"], route_offers=False)
    assert settings.allow_hosts == ("b.test", "c.test") and settings.routes == ("**/rtc",)


@pytest.mark.parametrize("env, names", [
    ({"BRIDGE_ALLOW_HOSTS": "https://cdn.example.com"}, "BRIDGE_ALLOW_HOSTS"),
    ({"BRIDGE_ALLOW_HOSTS": "cdn.example.com:443"}, "BRIDGE_ALLOW_HOSTS"),
    ({"BRIDGE_ALLOW_HOSTS": "*"}, "BRIDGE_ALLOW_HOSTS"),
    ({"BRIDGE_CHROMIUM_ARGS": "--flag='unbalanced"}, "BRIDGE_CHROMIUM_ARGS"),
])
def test_bad_network_settings_name_the_setting(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_inspector_settings_from_the_environment() -> None:
    settings = Settings.from_env({"BRIDGE_INSPECT": "0", "BRIDGE_INSPECT_TOKEN": "t" * 20,
                                  "BRIDGE_INSPECT_FPS": "8"})
    assert (settings.inspect, settings.inspect_token, settings.inspect_max_fps) == (
        False, "t" * 20, 8.0)
    assert "t" * 20 not in repr(settings)
    defaults = Settings.from_env({})
    assert (defaults.inspect, defaults.inspect_token, defaults.inspect_max_fps) == (True, None, 15)


@pytest.mark.parametrize("env, message", [
    ({"BRIDGE_INSPECT_TOKEN": "short"}, "BRIDGE_INSPECT_TOKEN must be 16 to 128"),
    ({"BRIDGE_INSPECT_TOKEN": "has spaces in it, sixteen+"}, "BRIDGE_INSPECT_TOKEN"),
    ({"BRIDGE_INSPECT_FPS": "0"}, "BRIDGE_INSPECT_FPS must be 1..60"),
    ({"BRIDGE_INSPECT_FPS": "120"}, "BRIDGE_INSPECT_FPS must be 1..60"),
])
def test_bad_inspector_settings_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)

def test_type_while_speaking_from_the_environment_flag_and_cli() -> None:
    assert Settings.from_env({}).type_while_speaking == "interrupt"
    env = {"BRIDGE_TYPE_WHILE_SPEAKING": "queue"}
    assert Settings.from_env(env).type_while_speaking == "queue"
    assert Settings.from_env(env, type_while_speaking="interrupt").type_while_speaking == "interrupt"
    args = build_parser().parse_args(["run", "--type-while-speaking", "queue"])
    assert args.type_while_speaking == "queue"
    with pytest.raises(SettingsError, match="BRIDGE_TYPE_WHILE_SPEAKING"):
        Settings.from_env({"BRIDGE_TYPE_WHILE_SPEAKING": "wait"})


def test_voice_repeat_from_the_environment() -> None:
    assert Settings.from_env({}).voice_repeat is None
    assert Settings.from_env({"BRIDGE_VOICE_REPEAT": "20"}).voice_repeat == 20
    with pytest.raises(SettingsError, match="BRIDGE_VOICE_REPEAT must be 1..1000"):
        Settings.from_env({"BRIDGE_VOICE_REPEAT": "0"})
