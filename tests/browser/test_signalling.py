"""Offers as pages post them: which bodies carry one, in what form, what is read out of them, and
the answer in the same form."""

from __future__ import annotations

import json

import pytest

from bridge.browser.network.signalling import answer_reply, find_offer, read_page_offer
from bridge.errors import InvalidOffer, InvalidRequest
from bridge.upstream import Answer
from tests.hardening.offer_mutations import CHROMIUM_OFFER

MAX = 64 * 1024
BOUNDARY = "----WebKitFormBoundaryx7Yq"


def multipart(*parts: tuple[str, str | None, str]) -> bytes:
    """A form as Chromium sends FormData: (name, filename or None, value)."""
    out = ""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        kind = "Content-Type: application/sdp\r\n" if filename else ""
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n{value}\r\n"
    return (out + f"--{BOUNDARY}--\r\n").encode()


FORM = f"multipart/form-data; boundary={BOUNDARY}"
SESSION = json.dumps({"type": "realtime", "instructions": "hi"})


@pytest.mark.parametrize("content_type, body, form", [
    ("application/sdp", CHROMIUM_OFFER.encode(), "sdp"),
    ("application/sdp; charset=utf-8", b"v=0\r\nbroken", "sdp"),  # said so: read, then refused
    ("text/plain;charset=UTF-8", CHROMIUM_OFFER.encode(), "sdp"),
    (None, ("\r\n" + CHROMIUM_OFFER).encode(), "sdp"),
    (FORM, multipart(("sdp", "blob", CHROMIUM_OFFER), ("session", None, SESSION)), "multipart"),
    (FORM, multipart(("sdp", None, CHROMIUM_OFFER)), "multipart"),
    ("application/json", json.dumps({"type": "offer", "sdp": CHROMIUM_OFFER}).encode(), "json"),
    ("application/json", json.dumps({"sdp": CHROMIUM_OFFER}).encode(), "json"),
])
def test_offers_are_found_in_every_form(content_type: str | None, body: bytes, form: str) -> None:
    assert find_offer(content_type, body, max_bytes=MAX) == form


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b"v=0 is how SDP starts"),  # no media section: not an offer
    ("text/plain", b"hello"),
    ("application/json", b'{"query": "v=0"}'),
    ("application/json", b"{not json"),
    ("application/json", b'["v=0"]'),
    (FORM, multipart(("file", "a.txt", "v=0"))),
    ("application/x-www-form-urlencoded", b"sdp=v%3D0"),
    ("application/octet-stream", bytes(range(256)) * 4),
    ("text/plain", b""),
    ("application/sdp", None),
    ("application/sdp", b"v=0\r\n" + b"a=x\r\n" * 100_000),  # larger than an offer can be
])
def test_other_bodies_carry_no_offer(content_type: str, body: bytes | None) -> None:
    assert find_offer(content_type, body, max_bytes=MAX) is None


def test_a_multipart_offer_brings_its_session() -> None:
    body = multipart(("sdp", "blob", CHROMIUM_OFFER), ("session", None, SESSION))
    request = read_page_offer("multipart", FORM, body, max_bytes=MAX)
    assert request.offer.sdp.startswith("v=0") and request.session == json.loads(SESSION)


@pytest.mark.parametrize("form, content_type, body, error", [
    ("sdp", "application/sdp", b"v=0\r\nbroken", InvalidOffer),
    ("multipart", FORM, multipart(("sdp", None, CHROMIUM_OFFER), ("session", None, "[1]")),
     InvalidRequest),
    ("json", "application/json", json.dumps({"type": "answer", "sdp": CHROMIUM_OFFER}).encode(),
     InvalidOffer),
])
def test_a_bad_offer_says_what_is_wrong(form: str, content_type: str, body: bytes,
                                        error: type[Exception]) -> None:
    with pytest.raises(error):
        read_page_offer(form, content_type, body, max_bytes=MAX)  # type: ignore[arg-type]


def test_the_answer_comes_back_in_the_form_of_the_offer() -> None:
    answer = Answer("v=0\r\nanswer\r\n", "/v1/realtime/calls/rtc_1")
    raw = answer_reply("sdp", answer)
    assert (raw.status, raw.body, raw.content_type, raw.call_id) == (
        201, answer.sdp, "application/sdp", "rtc_1")
    assert raw.headers == {"Location": "/v1/realtime/calls/rtc_1"}
    as_json = answer_reply("json", answer)
    assert as_json.content_type == "application/json"
    assert json.loads(as_json.body) == {"type": "answer", "sdp": answer.sdp}
