from __future__ import annotations

import pytest

from bridge.errors import InvalidOffer, PayloadTooLarge
from bridge.http.errors import http_form
from bridge.http.sdp import looks_like_answer, parse_offer

OFFER = "\r\n".join([
    "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
    "a=group:BUNDLE 0 1", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
    "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
    "a=fingerprint:sha-256 AA:BB", "a=setup:actpass", "a=mid:0", "a=sendrecv",
    "a=rtpmap:111 opus/48000/2", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0", "a=setup:actpass", "a=mid:1", "a=sctp-port:5000", "",
])


def test_valid_offer_parses() -> None:
    offer = parse_offer(OFFER, max_bytes=65536)
    assert offer.audio_sections == 1 and offer.has_data_channel


@pytest.mark.parametrize("body, message", [
    ("", "empty"),
    ("hello world", "v=0"),
    (OFFER.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=video 9 UDP/TLS/RTP/SAVPF 96"), "audio"),
    (OFFER.replace("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "m=audio 9 RTP/AVP 0"),
     "data channel"),
    (OFFER.replace("a=setup:actpass", "a=setup:active"), "answer"),
    (OFFER.replace("a=fingerprint:sha-256 AA:BB\r\n", ""), "fingerprint"),
    (OFFER.replace("a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n", ""), "ICE"),
    (OFFER.replace("s=-", "this is not sdp"), "x=value"),
    (b"\xff\xfe\x00garbage", "UTF-8"),
])
def test_bad_offers_say_what_is_wrong(body: str | bytes, message: str) -> None:
    with pytest.raises(InvalidOffer, match=message):
        parse_offer(body, max_bytes=65536)


def test_oversized_offer_is_413() -> None:
    with pytest.raises(PayloadTooLarge) as err:
        parse_offer(OFFER + "a=x:" + "y" * 70000 + "\r\n", max_bytes=65536)
    assert http_form(err.value).status == 413


def test_answer_detection() -> None:
    assert looks_like_answer(OFFER.replace("actpass", "active"))
    assert not looks_like_answer("<html>nope</html>")
