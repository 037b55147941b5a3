"""Bad offers at both HTTP doors, `/api/rtc-connect` and the engine's `/v1/realtime/calls`:
each gets a clear OpenAI-shaped 400/413/415, never a 500 or a traceback, and leaves no peer
connection behind. A seeded generator sends a few hundred mutations of real offers."""

from __future__ import annotations

import random
import socket
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.drive.thread import BridgeThread
from bridge.errors import InvalidOffer, PayloadTooLarge
from bridge.http.errors import http_form
from bridge.http.sdp import MAX_MEDIA_SECTIONS, parse_offer
from tests.hardening.conftest import assert_openai_error, engine_bridge, engine_of, url_of
from tests.hardening.offer_mutations import AIORTC_OFFER, CHROMIUM_OFFER, mutations

RTC = "/api/rtc-connect"
CALLS = "/v1/realtime/calls"
MAX_OFFER_BYTES = 64 * 1024
SDP = "application/sdp"
AUDIO = CHROMIUM_OFFER[CHROMIUM_OFFER.index("m=audio"):CHROMIUM_OFFER.index("m=application")]
APPLICATION = CHROMIUM_OFFER[CHROMIUM_OFFER.index("m=application"):]


@pytest.fixture(scope="module")
def bridge() -> Iterator[BridgeThread]:
    with engine_bridge() as thread:
        yield thread


@pytest.fixture(scope="module")
def http(bridge: BridgeThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url_of(bridge), timeout=20, trust_env=False) as client:
        yield client


def hang_up(http: httpx.Client, response: httpx.Response) -> None:
    assert response.status_code == 201 and response.text.startswith("v=0")
    location = response.headers["location"]
    assert location.startswith("/v1/realtime/calls/rtc_")
    assert http.post(location + "/hangup").status_code == 200


GARBAGE = bytes(random.Random(7).randrange(256) for _ in range(2000))
BAD_BODIES = [
    ("empty", b"", "empty"),
    ("blank lines", b"  \r\n\r\n", "empty"),
    ("plain text", b"hello, is this the realtime API?", "v=0"),
    ("html", b"<html><body>offer</body></html>", "v=0"),
    ("answer", CHROMIUM_OFFER.replace("a=setup:actpass", "a=setup:active").encode(), "answer"),
    ("no audio", CHROMIUM_OFFER.replace(AUDIO, "").replace("BUNDLE 0 1", "BUNDLE 1").encode(),
     "audio"),
    ("no data channel", CHROMIUM_OFFER.replace(APPLICATION, "").replace("BUNDLE 0 1", "BUNDLE 0")
     .encode(), "data channel"),
    ("binary garbage", GARBAGE, "UTF-8"),
    ("NUL bytes", CHROMIUM_OFFER.replace("s=-", "s=\x00").encode(), "NUL"),
    ("no fingerprint", "\r\n".join(line for line in CHROMIUM_OFFER.split("\r\n")
                                   if not line.startswith("a=fingerprint")).encode(),
     "fingerprint"),
    ("no setup", CHROMIUM_OFFER.replace("a=setup:actpass\r\n", "").encode(), "a=setup"),
    ("bad candidate port", CHROMIUM_OFFER.replace("127.0.0.1 52005", "127.0.0.1 99999").encode(),
     "candidate"),
    ("bundle names a missing mid", CHROMIUM_OFFER.replace("BUNDLE 0 1", "BUNDLE 0 1 7").encode(),
     "mid"),
    ("duplicate mid", CHROMIUM_OFFER.replace("a=mid:1", "a=mid:0").encode(), "same a=mid"),
    ("too many media sections", (CHROMIUM_OFFER + AUDIO * MAX_MEDIA_SECTIONS).encode(),
     "media sections"),
    ("utf-16", CHROMIUM_OFFER.encode("utf-16"), "UTF-8"),
]


@pytest.mark.parametrize("path", [RTC, CALLS])
@pytest.mark.parametrize("name, body, says", BAD_BODIES, ids=[case[0] for case in BAD_BODIES])
def test_bad_offer_bodies_get_a_clear_400(
    http: httpx.Client, path: str, name: str, body: bytes, says: str
) -> None:
    response = http.post(path, content=body, headers={"Content-Type": SDP})
    error = assert_openai_error(response, 400)
    assert error["type"] == "invalid_request_error" and error["param"] == "sdp"
    assert says in error["message"], error["message"]


@pytest.mark.parametrize("path", [RTC, CALLS])
def test_oversized_offers_are_413(http: httpx.Client, path: str) -> None:
    padding = "a=x-pad:" + "y" * MAX_OFFER_BYTES + "\r\n"
    error = assert_openai_error(http.post(path, content=CHROMIUM_OFFER + padding,
                                          headers={"Content-Type": SDP}), 413)
    assert str(MAX_OFFER_BYTES) in error["message"]
    # Past the request cap the body is refused before it is read in full, chunked or not.
    huge = b"v=0\r\n" + b"a=x:" + b"y" * (1024 * 1024) + b"\r\n"
    assert_openai_error(http.post(path, content=huge, headers={"Content-Type": SDP}), 413)
    chunks = iter([huge[i:i + 65536] for i in range(0, len(huge), 65536)])
    assert_openai_error(http.post(path, content=chunks, headers={"Content-Type": SDP}), 413)


@pytest.mark.parametrize("path, content_type", [
    (RTC, "text/plain"), (RTC, "application/x-www-form-urlencoded"), (RTC, None),
    (RTC, "multipart/form-data; boundary=x"), (CALLS, "application/json"), (CALLS, "text/html"),
    (CALLS, None),
])
def test_wrong_content_type_is_415(http: httpx.Client, path: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    error = assert_openai_error(http.post(path, content=CHROMIUM_OFFER, headers=headers), 415)
    assert "not supported" in error["message"]


def test_a_415_leaves_the_connection_usable(bridge: BridgeThread) -> None:
    # A client that keeps its connection alive sends its next request on it right away; the
    # body comes a moment after the headers, as from a slow client.
    url = httpx.URL(url_of(bridge))
    head = (f"POST {RTC} HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(CHROMIUM_OFFER)}\r\n\r\n").encode()
    with socket.create_connection((url.host, url.port), timeout=10) as connection:
        for _ in range(2):
            connection.sendall(head)
            time.sleep(0.2)
            connection.sendall(CHROMIUM_OFFER.encode())
            answer = _read_response_head_and_body(connection)
            assert answer.startswith(b"HTTP/1.1 415"), answer
            assert b"connection: close" not in answer.lower()


def _read_response_head_and_body(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    return head


@pytest.mark.parametrize("body, says", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "send {"),
    (b'"v=0"', "send {"),
    (b'{"type": "offer", "sdp": 5}', "send {"),
    (b'{"type": "answer", "sdp": "v=0"}', "expected 'offer'"),
    (b'{"type": "offer", "sdp": "hello"}', "v=0"),
    (b"\xff\xfe{}", "not valid JSON"),
])
def test_bad_json_offers_are_400(http: httpx.Client, body: bytes, says: str) -> None:
    error = assert_openai_error(http.post(RTC, content=body,
                                          headers={"Content-Type": "application/json"}), 400)
    assert says in error["message"]


def _multipart(*parts: tuple[str, str, bytes], boundary: str = "b0undary") -> bytes:
    out = b""
    for name, content_type, data in parts:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"
                f"Content-Type: {content_type}\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


GOOD_SDP_PART = ("sdp", SDP, CHROMIUM_OFFER.encode())
BROKEN_MULTIPART = [
    ("no sdp part", _multipart(("session", "application/json", b"{}")), 400, "no 'sdp' part"),
    ("session not JSON", _multipart(GOOD_SDP_PART, ("session", "application/json", b"{nope")),
     400, "not valid JSON"),
    ("session not an object", _multipart(GOOD_SDP_PART, ("session", "application/json", b"[]")),
     400, "JSON object"),
    ("session of another type", _multipart(GOOD_SDP_PART, ("session", "application/json",
                                                           b'{"type": "transcription"}')),
     400, "realtime"),
    ("session with bad tools", _multipart(GOOD_SDP_PART, ("session", "application/json",
                                                          b'{"tools": "all of them"}')),
     400, "tools"),
    ("sdp part not an offer", _multipart(("sdp", SDP, b"hello")), 400, "v=0"),
    ("truncated", _multipart(GOOD_SDP_PART)[:300], 400, ""),
    ("other boundary", _multipart(GOOD_SDP_PART, boundary="elsewhere"), 400, ""),
    ("binary", GARBAGE, 400, ""),
]


@pytest.mark.parametrize("name, body, status, says", BROKEN_MULTIPART,
                         ids=[case[0] for case in BROKEN_MULTIPART])
def test_broken_multipart_is_refused(
    http: httpx.Client, name: str, body: bytes, status: int, says: str
) -> None:
    response = http.post(CALLS, content=body,
                         headers={"Content-Type": "multipart/form-data; boundary=b0undary"})
    error = assert_openai_error(response, status)
    assert says in error["message"]


def test_multipart_without_boundary_is_refused(http: httpx.Client) -> None:
    response = http.post(CALLS, content=_multipart(GOOD_SDP_PART),
                         headers={"Content-Type": "multipart/form-data"})
    assert_openai_error(response, 400)


@pytest.mark.parametrize("path", [RTC, CALLS])
def test_valid_offers_still_answered(http: httpx.Client, path: str) -> None:
    for offer in (CHROMIUM_OFFER, AIORTC_OFFER):
        response = http.post(path, content=offer,
                             headers={"Content-Type": "application/sdp; charset=utf-8"})
        hang_up(http, response)


def test_mutated_offers_never_crash_or_leak(bridge: BridgeThread, http: httpx.Client) -> None:
    """300 seeded mutations of real offers: each answered 201, 400 or 413, none left open."""
    outcomes: Counter[int] = Counter()
    for index, body in enumerate(mutations(300, seed=2026)):
        path = (RTC, CALLS)[index % 2]
        response = http.post(path, content=body, headers={"Content-Type": SDP})
        outcomes[response.status_code] += 1
        if response.status_code == 201:
            hang_up(http, response)
        else:
            assert_openai_error(response, response.status_code)
            assert response.status_code in (400, 413), (index, response.text[:200])
    # The generator reaches both sides: offers the engine negotiates, and refusals.
    assert outcomes[201] >= 20 and outcomes[400] >= 100, outcomes
    assert set(outcomes) <= {201, 400, 413}, outcomes
    assert engine_of(bridge).active_calls == 0
    assert http.get("/api/health").json()["status"] == "ok"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000),
    st.lists(st.sampled_from(CHROMIUM_OFFER.split("\r\n")) | st.text(max_size=40), max_size=60)
    .map("\r\n".join),
))
def test_parse_offer_only_refuses_with_its_own_errors(body: bytes | str) -> None:
    try:
        offer = parse_offer(body, max_bytes=MAX_OFFER_BYTES)
    except (InvalidOffer, PayloadTooLarge) as err:
        assert err.message and http_form(err).status in (400, 413)
    else:
        assert offer.audio_sections >= 1 and offer.has_data_channel
        assert offer.sdp.startswith("v=0")
