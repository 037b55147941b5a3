"""Ephemeral keys: the store, reading a request for one, and the engine's endpoints, so that a
backend with OPENAI_BASE_URL pointed at the bridge mints keys its page opens calls with."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from bridge.drive.thread import BridgeThread
from bridge.errors import InvalidRequest
from bridge.http.client_secrets import MAX_LIVE_KEYS, ClientSecrets, read_secret_request
from tests.hardening.conftest import assert_openai_error, engine_bridge, engine_of, url_of
from tests.hardening.offer_mutations import CHROMIUM_OFFER

LOCAL_KEY = "local-test-key-0123456789"
SDP = {"Content-Type": "application/sdp"}


def test_a_key_names_its_session_until_it_expires() -> None:
    now = [1000.0]
    keys = ClientSecrets(clock=lambda: now[0])
    secret = keys.mint({"instructions": "hi"}, ttl_s=60)
    assert secret.value.startswith("ek_") and secret.expires_at == 1060
    assert keys.session_of(f"Bearer {secret.value}") == {"instructions": "hi"}
    assert keys.session_of(f"bearer {secret.value}") == {"instructions": "hi"}
    for other in (None, "", secret.value, f"Basic {secret.value}", "Bearer ek_other"):
        assert keys.session_of(other) is None
    now[0] = 1060.0
    assert keys.session_of(f"Bearer {secret.value}") is None


def test_the_store_keeps_a_bounded_number_of_keys() -> None:
    keys = ClientSecrets()
    first = keys.mint({})
    for _ in range(MAX_LIVE_KEYS):
        keys.mint({})
    assert keys.session_of(f"Bearer {first.value}") is None


def test_reading_a_request_for_a_key() -> None:
    asked = read_secret_request(b'{"session": {"instructions": "x"}, '
                                b'"expires_after": {"anchor": "created_at", "seconds": 120}}',
                                beta=False)
    assert (asked.session, asked.ttl_s) == ({"instructions": "x"}, 120)
    assert read_secret_request(b"", beta=False).session == {}
    assert read_secret_request(b'{"voice": "verse"}', beta=True).session == {"voice": "verse"}
    for bad in (b"{nope", b"[]", b'{"session": 3}', b'{"expires_after": {"seconds": 5}}',
                b'{"expires_after": {"seconds": "600"}}', b'{"expires_after": {"seconds": 9000}}'):
        with pytest.raises(InvalidRequest):
            read_secret_request(bad, beta=False)


@pytest.fixture(scope="module")
def bridge() -> Iterator[BridgeThread]:
    with engine_bridge(local_api_key=LOCAL_KEY) as thread:
        yield thread


@pytest.fixture(scope="module")
def http(bridge: BridgeThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url_of(bridge), timeout=20, trust_env=False) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_backend_mints_a_key_its_page_opens_a_call_with(
        bridge: BridgeThread, http: httpx.Client) -> None:
    asked = {"session": {"type": "realtime", "instructions": "Minted for the page."}}
    minted = http.post("/v1/realtime/client_secrets", json=asked, headers=bearer(LOCAL_KEY))
    assert minted.status_code == 200, minted.text
    body = minted.json()
    assert body["value"].startswith("ek_") and body["expires_at"] > time.time() + 500
    assert body["session"]["instructions"] == "Minted for the page."
    assert body["session"]["model"] == "gpt-realtime" and body["session"]["id"].startswith("sess_")
    call = http.post("/v1/realtime/calls", content=CHROMIUM_OFFER,
                     headers={**SDP, **bearer(body["value"])})
    assert call.status_code == 201, call.text
    call_id = call.headers["location"].rsplit("/", 1)[-1]
    session = engine_of(bridge).sessions[call_id].config
    assert session["instructions"] == "Minted for the page."
    assert http.post(f"{call.headers['location']}/hangup",
                     headers=bearer(body["value"])).status_code == 200


def test_the_beta_endpoints(bridge: BridgeThread, http: httpx.Client) -> None:
    made = http.post("/v1/realtime/sessions", json={"voice": "verse", "instructions": "Beta."},
                     headers=bearer(LOCAL_KEY))
    assert made.status_code == 200, made.text
    key = made.json()["client_secret"]["value"]
    call = http.post("/v1/realtime?model=gpt-4o-realtime-preview", content=CHROMIUM_OFFER,
                     headers={**SDP, **bearer(key)})
    assert call.status_code == 201, call.text
    call_id = call.headers["location"].rsplit("/", 1)[-1]
    session = engine_of(bridge).sessions[call_id].config
    assert session["instructions"] == "Beta." and session["audio"]["output"]["voice"] == "verse"
    http.post(f"{call.headers['location']}/hangup", headers=bearer(LOCAL_KEY))


def test_the_local_key_is_needed_to_mint_and_a_key_that_is_not_ours_opens_nothing(
        http: httpx.Client) -> None:
    for headers in ({}, bearer("ek_not_minted_here"), bearer("wrong")):
        assert_openai_error(http.post("/v1/realtime/client_secrets", json={}, headers=headers), 401)
        assert_openai_error(http.post("/v1/realtime/calls", content=CHROMIUM_OFFER,
                                      headers={**SDP, **headers}), 401)
    bad = http.post("/v1/realtime/client_secrets", content=b"{nope",
                    headers={**bearer(LOCAL_KEY), "Content-Type": "application/json"})
    assert "not valid JSON" in assert_openai_error(bad, 400)["message"]
