"""Nothing leaves the machine with the embedded engine: a page's requests to api.openai.com
paths that are not realtime and to public names are aborted before Chromium tries them
(`net::ERR_BLOCKED_BY_CLIENT`; a request that went on would fail on the tests' resolver rule
with `net::ERR_NAME_NOT_RESOLVED` instead) and logged as `bridge.request_blocked`. An allowed
host goes on (and meets the resolver rule); `--no-route-offers` leaves a page's backend alone;
`--route` globs answer a page's own key endpoint and offer URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from bridge.browser.network.policy import NetworkPolicy
from bridge.events.records import RequestBlocked, SignallingRouted, all_of
from tests.e2e.routed_browser import (
    PAGE,
    PageRun,
    RoutedBrowser,
    StaticSite,
    engine_browser,
    free_port,
    static_site,
)

pytestmark = pytest.mark.e2e

BLOCKED = "net::ERR_BLOCKED_BY_CLIENT"
WENT_ON = "net::ERR_NAME_NOT_RESOLVED"  # let through, and stopped by the tests' resolver rule
# A page that loads a script from a CDN, then tries OpenAI's other APIs, a public name, an image
# and a WebSocket outside loopback.
TRY_PAGE = PAGE.replace("</body>", '<script src="https://example.com/x.js"></script></body>')
TRY_ALL = """async () => {
  const out = {};
  const attempt = async (name, url, init) => {
    try { out[name] = (await fetch(url, init)).status; } catch (e) { out[name] = e.name; }
  };
  await attempt('models', 'https://api.openai.com/v1/models', {headers: {Authorization: 'Bearer sk-none'}});
  await attempt('chat', 'https://api.openai.com/v1/chat/completions', {method: 'POST', body: '{}'});
  await attempt('cdn', 'https://cdn.example.org/y');
  await attempt('sub', 'https://media.example.net/a.png');
  await new Promise((resolve) => {
    const socket = new WebSocket('wss://example.net/socket');
    socket.onclose = (e) => { out.socket = e.code; resolve(); };
  });
  return out;
}"""
TRIED = ["https://example.com/x.js", "https://api.openai.com/v1/models",
         "https://api.openai.com/v1/chat/completions", "https://cdn.example.org/y",
         "https://media.example.net/a.png"]


def failures(run: PageRun) -> list[tuple[str, str]]:
    """Each failed request and Chromium's error, without the `.Inspector` it appends to the
    errors of requests that DevTools (Playwright) aborted."""
    return [(url, error.removesuffix(".Inspector")) for url, error in run.failed]


@pytest.fixture(scope="module")
def routed() -> Iterator[RoutedBrowser]:
    with engine_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def site() -> Iterator[StaticSite]:
    with static_site(pages={"/": PAGE, "/try.html": TRY_PAGE}) as site:
        yield site


def test_requests_outside_loopback_are_blocked_and_logged_and_never_attempted(
        routed: RoutedBrowser, site: StaticSite) -> None:
    context, router = routed.context(NetworkPolicy())
    mark = routed.event_log.last_seq
    run = routed.run(context, site.url("/try.html"), TRY_ALL)
    assert run.result == {"models": "TypeError", "chat": "TypeError", "cdn": "TypeError",
                          "sub": "TypeError", "socket": 1008}, run.result
    assert sorted(failures(run)) == sorted((url, BLOCKED) for url in TRIED)
    blocked = all_of(RequestBlocked, routed.event_log.records(after=mark))
    assert sorted(b.url for b in blocked) == sorted([*TRIED, "wss://example.net/socket"])
    reasons = {b.url: b.reason for b in blocked}
    assert "not one of the realtime endpoints" in reasons["https://api.openai.com/v1/models"]
    assert "--allow-host" in reasons["https://cdn.example.org/y"]
    outcomes = {r.url: r.outcome for r in router.requests()}
    assert outcomes[site.url("/try.html")] == "passed"
    assert all(outcomes[url] == "blocked" for url in TRIED)


def test_allowed_hosts_go_on_and_the_rest_stays_blocked(
        routed: RoutedBrowser, site: StaticSite) -> None:
    context, _ = routed.context(NetworkPolicy(allow_hosts=("cdn.example.org", "*.example.net")))
    run = routed.run(context, site.url("/try.html"), TRY_ALL)
    failed = dict(failures(run))
    assert run.result["socket"] == 1008  # example.net itself is not one of *.example.net
    assert failed["https://cdn.example.org/y"] == WENT_ON
    assert failed["https://media.example.net/a.png"] == WENT_ON
    assert failed["https://example.com/x.js"] == BLOCKED
    assert failed["https://api.openai.com/v1/models"] == BLOCKED


def test_with_openai_as_upstream_other_requests_are_not_blocked(
        routed: RoutedBrowser, site: StaticSite) -> None:
    context, _ = routed.context(NetworkPolicy(block_outside=False))
    run = routed.run(context, site.url("/try.html"), TRY_ALL)
    assert {reason for _, reason in failures(run)} == {WENT_ON}
    assert run.result["socket"] == 1006  # tried, and stopped by the resolver rule


POST_OFFER = """url => connectWith((sdp) => fetch(url, {method: 'POST', body: sdp,
                                       headers: {'Content-Type': 'application/sdp'}}))"""


@pytest.fixture(scope="module")
def backend(routed: RoutedBrowser) -> Iterator[StaticSite]:
    """A page's own backend on another loopback origin, itself pointed at the bridge."""
    calls = f"{routed.bridge.settings.base_url}/v1/realtime/calls"

    def forward(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        answer = httpx.post(calls, content=body, headers={"Content-Type": "application/sdp"},
                            timeout=10, trust_env=False)
        return answer.status_code, {"Content-Type": "application/sdp",
                                    "Location": answer.headers.get("location", ""),
                                    "Access-Control-Allow-Origin": "*",
                                    "Access-Control-Expose-Headers": "Location"}, answer.content

    site = StaticSite(host="127.0.0.2", on_post=forward).start()
    yield site
    site.stop()


@pytest.mark.parametrize("route_offers", [True, False], ids=["routed", "no-route-offers"])
def test_no_route_offers_leaves_the_pages_backend_alone(
        routed: RoutedBrowser, site: StaticSite, backend: StaticSite, route_offers: bool) -> None:
    context, _ = routed.context(NetworkPolicy(route_offers=route_offers))
    mark, posts = routed.event_log.last_seq, len(backend.posts)
    run = routed.run(context, site.url(), POST_OFFER, backend.url("/api/rtc-connect"))
    assert run.result["status"] == 201 and run.result["channel"] == "open", run.result
    routed_here = all_of(SignallingRouted, routed.event_log.records(after=mark))
    assert len(routed_here) == (1 if route_offers else 0)
    assert len(backend.posts) - posts == (0 if route_offers else 1)


GLOB_FLOW = """async ([tokenUrl, offerUrl]) => {
  const token = await (await fetch(tokenUrl)).json();
  const call = await connectWith((sdp) => fetch(offerUrl, {method: 'POST', body: sdp,
    headers: {Authorization: 'Bearer ' + token.client_secret.value, 'Content-Type': 'application/sdp'}}));
  return {token, call};
}"""


def test_route_globs_answer_a_pages_own_key_endpoint_and_offer_url(
        routed: RoutedBrowser, site: StaticSite) -> None:
    port = free_port()
    policy = NetworkPolicy(route_offers=False,
                           routes=("**/session", f"http://127.0.0.2:{port}/{{rtc,connect}}"))
    context, router = routed.context(policy)
    run = routed.run(context, site.url(), GLOB_FLOW,
                     [f"http://127.0.0.2:{port}/session", f"http://127.0.0.2:{port}/connect"])
    token = run.result["token"]
    assert token["value"].startswith("ek_") and token["client_secret"]["value"] == token["value"]
    assert run.result["call"]["status"] == 201 and run.result["call"]["channel"] == "open"
    assert router.call_for_ufrag(run.result["call"]["ufrag"]) is not None
    assert json.dumps(token)  # the page got plain JSON
