"""Settings of a browser elsewhere: BRIDGE_BROWSER_WS, BRIDGE_CDP and BRIDGE_RTC_HOST; and the
address the engine offers in its candidates."""

from __future__ import annotations

import pytest

from bridge.browser.remote import shown
from bridge.cli import main
from bridge.config import Settings
from bridge.engine.candidates import offer_host
from bridge.errors import SettingsError


def test_remote_settings_from_the_environment() -> None:
    settings = Settings.from_env({"BRIDGE_BROWSER_WS": "ws://10.0.0.7:3000/",
                                  "BRIDGE_RTC_HOST": "10.0.0.5"})
    assert (settings.browser_ws, settings.rtc_host) == ("ws://10.0.0.7:3000/", "10.0.0.5")
    assert settings.remote_browser
    assert Settings.from_env({"BRIDGE_CDP": "http://127.0.0.1:9222"}).cdp_url is not None


def test_a_remote_browser_opens_the_page_on_loopback_whatever_the_bind() -> None:
    settings = Settings(host="0.0.0.0", port=8800, cdp_url="http://grid:9222")
    assert settings.page_base_url == "http://127.0.0.1:8800"
    assert Settings(host="127.0.0.2", port=8800).page_base_url == "http://127.0.0.2:8800"


@pytest.mark.parametrize(("variable", "value"), [
    ("BRIDGE_BROWSER_WS", "http://127.0.0.1:3000/"),
    ("BRIDGE_BROWSER_WS", "ws://"),
    ("BRIDGE_BROWSER_WS", "ws://host:port/"),
    ("BRIDGE_CDP", "ftp://127.0.0.1:9222"),
    ("BRIDGE_CDP", "127.0.0.1:9222"),
    ("BRIDGE_RTC_HOST", "http://10.0.0.5"),
    ("BRIDGE_RTC_HOST", "10.0.0.5:3478"),
    ("BRIDGE_RTC_HOST", "*.example.com"),
])  # fmt: skip
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_a_browser_server_and_cdp_at_once_is_refused() -> None:
    with pytest.raises(SettingsError, match="both"):
        Settings.from_env({"BRIDGE_BROWSER_WS": "ws://a:1/", "BRIDGE_CDP": "http://a:2"})


def test_the_cli_exits_2_naming_a_bad_url(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("BRIDGE_CDP", raising=False)
    assert main(["run", "--browser-ws", "http://127.0.0.1:3000/"]) == 2
    assert "BRIDGE_BROWSER_WS (--browser-ws)" in capsys.readouterr().err
    monkeypatch.setenv("BRIDGE_CDP", "nonsense")
    assert main(["run"]) == 2
    assert "BRIDGE_CDP (--cdp)" in capsys.readouterr().err


def test_urls_are_shown_without_their_secrets() -> None:
    assert shown("wss://user:pw@grid.example:443/pw?token=abc#x") == "wss://grid.example:443/pw"


ANSWER = """v=0
o=- 1 1 IN IP4 0.0.0.0
m=audio 41000 UDP/TLS/RTP/SAVPF 96
c=IN IP4 172.17.0.2
a=candidate:1 1 udp 2130706431 172.17.0.2 41000 typ host
a=candidate:2 1 udp 2130706431 127.0.0.1 42000 typ host
a=candidate:3 1 udp 1694498815 203.0.113.9 41000 typ srflx raddr 172.17.0.2 rport 41000
"""


def test_the_engine_offers_the_rtc_host_in_its_host_candidates() -> None:
    rewritten = offer_host(ANSWER, "10.0.0.5")
    assert "a=candidate:1 1 udp 2130706431 10.0.0.5 41000 typ host" in rewritten
    assert "a=candidate:2 1 udp 2130706431 10.0.0.5 42000 typ host" in rewritten
    assert "203.0.113.9 41000 typ srflx" in rewritten  # only host candidates change
    assert "c=IN IP4 10.0.0.5" in rewritten
    named = offer_host(ANSWER, "bridge.internal")
    assert "bridge.internal 41000 typ host" in named and "c=IN IP4 172.17.0.2" in named
