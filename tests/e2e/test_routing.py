"""A user's page, served from its own loopback origin, connects through the router with no key:
its offer posted to a backend that does not exist, or OpenAI's realtime endpoints on
api.openai.com (GA calls with an ephemeral key, a multipart session, the beta interface), is
answered by the embedded engine (or by the OpenAI upstream, played by a local server); a real
peer connection opens its data channel. Failures come back as OpenAI's error JSON.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import BrowserContext

from bridge.browser.network.policy import NetworkPolicy
from bridge.browser.network.routing import SignallingRouter
from bridge.events.records import SignallingRouted, all_of
from bridge.upstream import OpenAIUpstream
from tests.e2e.routed_browser import RoutedBrowser, StaticSite, engine_browser, free_port, static_site
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.e2e

OPENAI = "https://api.openai.com/v1"
POST_SDP = """url => connectWith((sdp) => fetch(url, {method: 'POST', body: sdp,
                                   headers: {'Content-Type': 'application/sdp'}}))"""


@pytest.fixture(scope="module")
def routed() -> Iterator[RoutedBrowser]:
    with engine_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def site() -> Iterator[StaticSite]:
    with static_site() as site:
        yield site


@pytest.fixture(scope="module")
def local(routed: RoutedBrowser) -> tuple[BrowserContext, SignallingRouter]:
    return routed.context(NetworkPolicy())


def assert_connected(result: dict[str, Any], router: SignallingRouter) -> str:
    """The page got 201 + Location, its channel opened and the engine greeted it; the router
    knows the call by the answer's ufrag. Returns the call id."""
    assert result.get("status") == 201, result
    assert result["location"].startswith("/v1/realtime/calls/rtc_"), result
    assert result["channel"] == "open" and result["session"] is not None, result
    call_id: str = result["location"].rsplit("/", 1)[-1]
    assert router.call_for_ufrag(result["ufrag"]) == call_id
    return call_id


def test_an_offer_posted_to_the_pages_own_missing_backend_is_answered_by_the_engine(
        routed: RoutedBrowser, site: StaticSite,
        local: tuple[BrowserContext, SignallingRouter]) -> None:
    context, router = local
    backend = f"http://127.0.0.2:{free_port()}/api/rtc-connect"  # nothing listens there
    mark = routed.event_log.last_seq
    run = routed.run(context, site.url(), POST_SDP, backend)
    call_id = assert_connected(run.result, router)
    assert run.failed == []
    logged = all_of(SignallingRouted, routed.event_log.records(after=mark))
    assert [(r.url, r.method, r.call_id, r.upstream, r.status) for r in logged] == [
        (backend, "POST", call_id, "local", 201)]
    seen = [r for r in router.requests() if r.url == backend]
    assert [(r.outcome, r.detail) for r in seen] == [("routed", f"201 {call_id}")]


@pytest.mark.parametrize("script", [
    # text/plain: a page that forgot the Content-Type
    "url => connectWith((sdp) => fetch(url, {method: 'POST', body: sdp}))",
    """url => connectWith((sdp) => fetch(url, {method: 'POST', body: JSON.stringify({type: 'offer', sdp}),
                                          headers: {'Content-Type': 'application/json'}}))""",
], ids=["text-plain", "json"])
def test_offers_in_other_forms_are_answered_in_the_same_form(
        routed: RoutedBrowser, site: StaticSite, local: tuple[BrowserContext, SignallingRouter],
        script: str) -> None:
    context, router = local
    run = routed.run(context, site.url(), script, f"http://127.0.0.2:{free_port()}/offer")
    assert_connected(run.result, router)
    assert ("json" in run.result["type"]) == ("JSON" in script)


EPHEMERAL_KEY_FLOW = """async ([base, session]) => {
  const minted = await fetch(base + '/realtime/client_secrets', {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({session})});
  const key = await minted.json();
  const call = await connectWith((sdp) => fetch(base + '/realtime/calls', {method: 'POST',
    body: sdp, headers: {'Authorization': 'Bearer ' + key.value, 'Content-Type': 'application/sdp'}}));
  return {key, call};
}"""


def test_an_ephemeral_key_then_openais_calls_endpoint_connects_with_the_keys_session(
        routed: RoutedBrowser, site: StaticSite,
        local: tuple[BrowserContext, SignallingRouter]) -> None:
    context, router = local
    session = {"type": "realtime", "instructions": "Answer as the page asked."}
    run = routed.run(context, site.url(), EPHEMERAL_KEY_FLOW, [OPENAI, session])
    key = run.result["key"]
    assert key["value"].startswith("ek_") and key["expires_at"] > time.time() + 60
    assert key["session"]["instructions"] == session["instructions"]
    assert_connected(run.result["call"], router)
    assert run.result["call"]["session"]["instructions"] == session["instructions"]


MULTIPART = """([url, session]) => connectWith((sdp) => {
  const form = new FormData();
  form.set('sdp', new Blob([sdp], {type: 'application/sdp'}));
  form.set('session', JSON.stringify(session));
  return fetch(url, {method: 'POST', body: form, headers: {'Authorization': 'Bearer ek_from_elsewhere'}});
})"""


def test_a_multipart_session_part_is_honoured_but_not_its_model(
        routed: RoutedBrowser, site: StaticSite,
        local: tuple[BrowserContext, SignallingRouter]) -> None:
    context, router = local
    session = {"type": "realtime", "model": "page-model", "instructions": "From the form.",
               "audio": {"output": {"voice": "cedar"}}}
    run = routed.run(context, site.url(), MULTIPART, [f"{OPENAI}/realtime/calls", session])
    assert_connected(run.result, router)
    effective = run.result["session"]
    assert effective["instructions"] == "From the form."
    assert effective["audio"]["output"]["voice"] == "cedar"
    assert effective["model"] == "gpt-realtime"  # the bridge's setting, not the page's


BETA_FLOW = """async (base) => {
  const made = await fetch(base + '/realtime/sessions', {method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({model: 'gpt-4o-realtime-preview', voice: 'verse', instructions: 'Beta page.'})});
  const created = await made.json();
  const call = await connectWith((sdp) => fetch(base + '/realtime?model=gpt-4o-realtime-preview', {
    method: 'POST', body: sdp, headers: {'Authorization': 'Bearer ' + created.client_secret.value,
                                         'Content-Type': 'application/sdp'}}));
  return {created, call};
}"""


def test_the_beta_interface_sessions_then_realtime_with_model(
        routed: RoutedBrowser, site: StaticSite,
        local: tuple[BrowserContext, SignallingRouter]) -> None:
    context, router = local
    run = routed.run(context, site.url(), BETA_FLOW, OPENAI)
    created = run.result["created"]
    assert created["client_secret"]["value"].startswith("ek_")
    assert created["object"] == "realtime.session"
    assert_connected(run.result["call"], router)
    session = run.result["call"]["session"]
    assert session["instructions"] == "Beta page."
    assert session["audio"]["output"]["voice"] == "verse"  # the engine maps beta fields


def test_a_bad_offer_is_answered_with_openais_error_json(
        routed: RoutedBrowser, site: StaticSite,
        local: tuple[BrowserContext, SignallingRouter]) -> None:
    context, _ = local
    script = """url => connectWith(() => fetch(url, {method: 'POST', body: 'v=0\\r\\nnot an offer',
                                                headers: {'Content-Type': 'application/sdp'}}))"""
    run = routed.run(context, site.url(), script, f"{OPENAI}/realtime/calls")
    assert run.result["status"] == 400
    assert run.result["body"]["error"]["code"] == "invalid_offer"


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(key="fake-routing-key-0123456789").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def via_openai(routed: RoutedBrowser, fake_openai: FakeOpenAI
               ) -> Iterator[tuple[BrowserContext, SignallingRouter]]:
    upstream = OpenAIUpstream(base_url=fake_openai.base_url, api_key=fake_openai.key,
                              session={"type": "realtime", "model": "gpt-realtime"},
                              read_timeout_s=2)
    yield routed.context(NetworkPolicy(block_outside=False), upstream=upstream)
    routed.call(upstream.aclose)


def test_with_openai_as_upstream_the_bridge_sends_the_pages_session_with_its_own_key(
        routed: RoutedBrowser, site: StaticSite, fake_openai: FakeOpenAI,
        via_openai: tuple[BrowserContext, SignallingRouter]) -> None:
    context, router = via_openai
    session = {"type": "realtime", "instructions": "Via OpenAI.", "model": "page-model",
               "tools": [{"type": "mcp", "server_url": "https://mcp.example.com/"}]}
    run = routed.run(context, site.url(), MULTIPART, [f"{OPENAI}/realtime/calls", session])
    assert_connected(run.result, router)
    seen = fake_openai.seen[-1]
    assert seen.authorization == f"Bearer {fake_openai.key}"  # not the page's ek_
    assert seen.session is not None and seen.session["instructions"] == "Via OpenAI."
    assert seen.session["model"] == "gpt-realtime" and seen.session.get("tools") == []


def test_an_upstream_failure_reaches_the_page_as_openais_error_not_a_hang(
        routed: RoutedBrowser, site: StaticSite, fake_openai: FakeOpenAI,
        via_openai: tuple[BrowserContext, SignallingRouter]) -> None:
    context, _ = via_openai
    fake_openai.mode = "500"
    try:
        run = routed.run(context, site.url(), POST_SDP, f"{OPENAI}/realtime/calls")
    finally:
        fake_openai.mode = "answer"
    assert run.result["status"] == 502
    error = run.result["body"]["error"]
    assert (error["type"], error["code"]) == ("upstream_error", "upstream_error")
    assert "answered 500" in error["message"]
