"""The network policy: what may leave loopback, which URLs are OpenAI's realtime endpoints, and
`--route` globs read as Playwright reads them."""

from __future__ import annotations

import pytest

from bridge.browser.network.policy import NetworkPolicy, glob_pattern, openai_endpoint
from bridge.config import Settings


def test_from_settings_blocks_with_the_engine_only() -> None:
    local = NetworkPolicy.from_settings(Settings.from_env({}, port=0))
    assert local.block_outside and local.drop_ice_servers and local.route_offers
    openai = NetworkPolicy.from_settings(Settings.from_env({"OPENAI_API_KEY": "k"}, port=0))
    assert not openai.block_outside and not openai.drop_ice_servers
    flags = Settings.from_env({}, route_offers=False, routes=["**/rtc"],
                              allow_hosts=["CDN.Example.com"])
    policy = NetworkPolicy.from_settings(flags)
    assert (policy.route_offers, policy.routes, policy.allow_hosts) == (
        False, ("**/rtc",), ("cdn.example.com",))
    assert policy.own_origin == "http://127.0.0.1:8765"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x", "http://127.0.0.2/x", "http://localhost:3000/", "http://[::1]:80/",
    "http://app.localhost:5173/", "https://cdn.example.org/lib.js", "https://a.b.example.net/",
    "HTTPS://CDN.EXAMPLE.ORG/Y", "data:text/plain,hi", "blob:http://127.0.0.1/1", "file:///tmp/x",
])
def test_loopback_allowed_hosts_and_other_schemes_may_go(url: str) -> None:
    policy = NetworkPolicy(allow_hosts=("cdn.example.org", "*.example.net"))
    assert policy.blocked(url) is None


@pytest.mark.parametrize("url, says", [
    ("https://example.com/x.js", "example.com is outside loopback"),
    ("https://example.net/", "example.net is outside loopback"),  # *.example.net: not the apex
    ("https://cdn.example.org.evil.test/", "outside loopback"),
    ("http://10.0.0.1/", "10.0.0.1 is outside loopback"),
    ("wss://example.org/socket", "outside loopback"),
    ("https://api.openai.com/v1/models", "not one of the realtime endpoints"),
])
def test_everything_else_is_blocked_saying_why(url: str, says: str) -> None:
    reason = NetworkPolicy(allow_hosts=("cdn.example.org", "*.example.net")).blocked(url)
    assert reason is not None and says in reason


def test_nothing_is_blocked_when_not_blocking() -> None:
    assert NetworkPolicy(block_outside=False).blocked("https://example.com/") is None


def test_the_bridges_own_origin() -> None:
    policy = NetworkPolicy(own_origin="http://127.0.0.1:8765")
    assert policy.is_own("http://127.0.0.1:8765/api/rtc-connect")
    assert not policy.is_own("http://127.0.0.1:8766/api/rtc-connect")
    assert not NetworkPolicy().is_own("http://127.0.0.1:8765/")


@pytest.mark.parametrize("url, endpoint", [
    ("https://api.openai.com/v1/realtime/calls", "calls"),
    ("https://api.openai.com/v1/realtime/calls/", "calls"),
    ("https://API.openai.com/v1/realtime/client_secrets", "client_secrets"),
    ("https://api.openai.com/v1/realtime?model=gpt-4o-realtime-preview", "beta_calls"),
    ("https://api.openai.com/v1/realtime/sessions", "beta_sessions"),
    ("https://api.openai.com/v1/realtime/calls/rtc_1/hangup", None),
    ("https://api.openai.com/v1/models", None),
    ("http://api.openai.com/v1/realtime/calls", None),
    ("https://api.openai.com.example.com/v1/realtime/calls", None),
])
def test_openais_realtime_endpoints(url: str, endpoint: str | None) -> None:
    assert openai_endpoint(url) == endpoint


@pytest.mark.parametrize("glob, url, matches", [
    ("**/api/session", "http://127.0.0.2:3000/api/session", True),
    ("**/api/session", "http://127.0.0.2:3000/api/session/x", False),
    ("http://127.0.0.2:*/rtc", "http://127.0.0.2:4000/rtc", True),
    ("http://127.0.0.2:*/rtc", "http://127.0.0.2:4000/a/rtc", False),
    ("**/{rtc,connect}", "https://app.example.com/v/connect", True),
    ("**/{rtc,connect}", "https://app.example.com/v/other", False),
    ("**/offer?x=1", "http://h/offer?x=1", True),  # `?` is literal, as in Playwright
    ("**/offer?x=1", "http://h/offerax=1", False),
    ("https://a.test/x.y", "https://a.test/xzy", False),  # `.` is literal
])
def test_route_globs(glob: str, url: str, matches: bool) -> None:
    assert bool(glob_pattern(glob).fullmatch(url)) is matches
    assert NetworkPolicy(routes=(glob,)).routed_by_glob(url) is matches
