"""The OpenAI upstream's request shape and error mapping, with httpx's MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bridge.errors import InvalidOffer, UpstreamError, UpstreamTimeout
from bridge.http.errors import http_form
from bridge.upstream import OpenAIUpstream, with_page_session
from tests.http.test_sdp import OFFER

KEY = "fake-test-key-0123456789abcdefghij"
ANSWER = OFFER.replace("actpass", "active")


def upstream(handler: Callable[[httpx.Request], httpx.Response]) -> OpenAIUpstream:
    return OpenAIUpstream(base_url="https://upstream.test/v1", api_key=KEY,
                          session={"type": "realtime", "model": "gpt-realtime"},
                          transport=httpx.MockTransport(handler))


def test_sends_multipart_sdp_and_session_with_bearer(arun: Callable[..., Any]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, text=ANSWER,
                              headers={"Location": "/v1/realtime/calls/rtc_abc"})

    answer = arun(upstream(handler).connect(OFFER))
    assert answer.sdp == ANSWER and answer.call_id == "rtc_abc"
    request = seen[0]
    assert str(request.url) == "https://upstream.test/v1/realtime/calls"  # no query string
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.read().decode()
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert 'name="sdp"' in body and "application/sdp" in body and OFFER in body
    assert 'name="session"' in body and json.dumps({"type": "realtime", "model": "gpt-realtime"}) in body


@pytest.mark.parametrize("status, body, expected", [
    (401, {"error": {"message": f"Incorrect API key provided: {KEY}"}}, "answered 401"),
    (403, {"error": {"message": "forbidden"}}, "answered 403"),
    (429, {"error": {"message": "rate limited"}}, "answered 429"),
    (500, "<html>oops</html>", "answered 500: no error message"),
])
def test_refusals_become_502_naming_the_status(
    arun: Callable[..., Any], status: int, body: Any, expected: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, dict):
            return httpx.Response(status, json=body)
        return httpx.Response(status, text=body)

    with pytest.raises(UpstreamError) as err:
        arun(upstream(handler).connect(OFFER))
    assert http_form(err.value).status == 502 and expected in err.value.message
    assert KEY not in err.value.message and "fake-test-key" not in err.value.message


def test_garbage_201_is_502(arun: Callable[..., Any]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, text="not an answer", headers={"Location": "/x/rtc_1"})

    with pytest.raises(UpstreamError, match="not SDP"):
        arun(upstream(handler).connect(OFFER))


def test_timeout_is_504(arun: Callable[..., Any]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(UpstreamTimeout) as err:
        arun(upstream(handler).connect(OFFER))
    assert http_form(err.value).status == 504


def test_connection_refused_is_retried_once_then_502(arun: Callable[..., Any]) -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(UpstreamError, match="unreachable"):
        arun(upstream(handler).connect(OFFER))
    assert len(attempts) == 2


def test_a_pages_session_is_sent_within_the_bridges_own(arun: Callable[..., Any]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, text=ANSWER, headers={"Location": "/v1/realtime/calls/rtc_p"})

    page = {"type": "realtime", "model": "page-model", "instructions": "From the page.",
            "voice": "verse", "headers": {"X-Forwarded-For": "1.2.3.4"},
            "tools": [{"type": "function", "name": "f"}, {"type": "mcp", "server_url": "https://x"}]}
    arun(upstream(handler).connect(OFFER, session=page))
    body = seen[0].read().decode()
    session = json.loads(body.split('name="session"')[1].split("\r\n\r\n", 1)[1].split("\r\n")[0])
    assert session == {"type": "realtime", "model": "gpt-realtime", "instructions": "From the page.",
                       "tools": [{"type": "function", "name": "f"}]}


def test_with_page_session_merges_objects_and_maps_beta_fields_for_the_engine() -> None:
    defaults = {"type": "realtime", "model": "gpt-realtime",
                "audio": {"output": {"voice": "marin"}, "input": {"format": {"type": "audio/pcm"}}}}
    merged = with_page_session(defaults, {"audio": {"input": {"transcription": None}}}, beta=False)
    assert merged["audio"] == {"output": {"voice": "marin"},
                               "input": {"format": {"type": "audio/pcm"}, "transcription": None}}
    assert with_page_session(defaults, {"voice": "verse"}, beta=False) == defaults
    assert with_page_session(defaults, {"voice": "verse"}, beta=True)["audio"]["output"] == {
        "voice": "verse"}
    with pytest.raises(InvalidOffer, match="invalid session"):
        with_page_session(defaults, {"tools": "all of them"}, beta=True)
