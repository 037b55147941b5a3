"""OpenAI upstream faults, injected with an httpx transport or a closed local port (never a
real network): each becomes a 502/504 in OpenAI's error shape that names the reason, retried
only when the request cannot have reached OpenAI, and never showing the key."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bridge.config import Settings
from bridge.http.app import create_app
from bridge.runtime import Bridge
from bridge.upstream import OpenAIUpstream
from tests.hardening.conftest import KEY, assert_openai_error
from tests.hardening.offer_mutations import CHROMIUM_OFFER

ANSWER = CHROMIUM_OFFER.replace("actpass", "active")
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Script:
    """Answers the upstream's requests from a list of steps, counting them."""

    steps: list[Handler]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        return step(request)


def raise_(error: type[httpx.RequestError], text: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error(text, request=request)
    return handler


def status(code: int, body: Any = None, **headers: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, dict):
            return httpx.Response(code, json=body, headers=headers)
        return httpx.Response(code, text=body or "", headers=headers)
    return handler


ANSWERED = status(201, ANSWER, Location="/v1/realtime/calls/rtc_fake1")
LEAKY = {"error": {"message": f"Incorrect API key provided: {KEY}", "type": KEY, "code": KEY}}


def post_offer(upstream: OpenAIUpstream, arun: Callable[..., Any]) -> httpx.Response:
    """POST an offer to the bridge's /api/rtc-connect, served by Quart's test client."""
    settings = Settings.from_env({"OPENAI_API_KEY": KEY}, open_browser=False)
    app = create_app(Bridge(settings, upstream=upstream))

    async def post() -> httpx.Response:
        client = app.test_client()
        response = await client.post("/api/rtc-connect", data=CHROMIUM_OFFER,
                                     headers={"Content-Type": "application/sdp"})
        body = await response.get_data()
        await upstream.aclose()
        return httpx.Response(response.status_code, headers=list(response.headers.items()),
                              content=body)

    result: httpx.Response = arun(post())
    return result


def scripted(*steps: Handler) -> tuple[OpenAIUpstream, Script]:
    script = Script(list(steps))
    upstream = OpenAIUpstream(base_url="https://upstream.test/v1", api_key=KEY,
                              session={"type": "realtime"}, transport=httpx.MockTransport(script))
    return upstream, script


FAULTS = [
    # name, steps, status, reason in the message, requests made
    ("connection refused twice", [raise_(httpx.ConnectError, "[Errno 111] Connection refused")],
     502, "unreachable", 2),
    ("DNS failure", [raise_(httpx.ConnectError, "[Errno -2] Name or service not known")],
     502, "Name or service not known", 2),
    ("connect timeout", [raise_(httpx.ConnectTimeout, "timed out")], 504, "timed out", 1),
    ("read timeout", [raise_(httpx.ReadTimeout, "timed out")], 504, "timed out", 1),
    ("dropped mid-answer", [raise_(httpx.RemoteProtocolError, "Server disconnected")],
     502, "Server disconnected", 1),
    ("401 quoting the key", [status(401, LEAKY)], 502, "answered 401", 1),
    ("403", [status(403, {"error": {"message": "Project does not have access"}})], 502,
     "answered 403: Project does not have access", 1),
    ("429", [status(429, {"error": {"message": "Rate limit reached"}}, **{"Retry-After": "20"})],
     502, "answered 429", 1),
    ("500 with an HTML page", [status(500, f"<html>{KEY}</html>")], 502,
     "answered 500: no error message", 1),
    ("201 that is not SDP", [status(201, "<html>hi</html>", Location="/x/rtc_1")], 502,
     "not SDP", 1),
    ("201 without Location", [status(201, ANSWER)], 502, "without Location", 1),
    ("redirect elsewhere", [status(307, "", Location="https://attacker.test/v1/realtime/calls")],
     502, "answered 307", 1),
]


@pytest.mark.parametrize("name, steps, code, reason, requests", FAULTS,
                         ids=[fault[0] for fault in FAULTS])
def test_upstream_faults_become_clear_errors(
    arun: Callable[..., Any], name: str, steps: list[Handler], code: int, reason: str,
    requests: int,
) -> None:
    upstream, script = scripted(*steps)
    response = post_offer(upstream, arun)
    error = assert_openai_error(response, code)
    assert reason in error["message"], error["message"]
    assert error["type"] == "upstream_error"
    assert len(script.requests) == requests  # only a request that never left is retried
    assert {r.url.host for r in script.requests} == {"upstream.test"}  # no redirect followed
    everything = response.text + json.dumps(dict(response.headers))
    assert KEY not in everything and "Bearer" not in everything
    assert "location" not in response.headers


def test_a_refused_connection_is_retried_once_and_can_succeed(arun: Callable[..., Any]) -> None:
    upstream, script = scripted(raise_(httpx.ConnectError, "Connection refused"), ANSWERED)
    response = post_offer(upstream, arun)
    assert response.status_code == 201 and response.text == ANSWER
    assert response.headers["location"] == "/v1/realtime/calls/rtc_fake1"
    assert len(script.requests) == 2


def test_a_closed_local_port_is_502_unreachable(arun: Callable[..., Any]) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    upstream = OpenAIUpstream(base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY,
                              session={"type": "realtime"}, connect_timeout_s=2)
    error = assert_openai_error(post_offer(upstream, arun), 502)
    assert "unreachable" in error["message"] and KEY not in error["message"]
