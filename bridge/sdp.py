"""Checks that a body is a WebRTC offer the upstreams can answer, before anything is sent on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidOffer, PayloadTooLarge

_LINE = re.compile(r"^[a-z]=.*$")


@dataclass(frozen=True)
class Offer:
    sdp: str
    audio_sections: int
    has_data_channel: bool


def parse_offer(body: bytes | str, *, max_bytes: int) -> Offer:
    """Return the offer in `body`, or raise InvalidOffer / PayloadTooLarge saying what is wrong.

    Enough is checked that the upstream gets a real offer (session lines, an audio m-line, an
    SCTP data channel, DTLS fingerprint, ICE credentials, `setup:actpass`), not a full parse.
    """
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"the offer is {len(raw)} bytes; the limit is {max_bytes}")
    if not raw.strip():
        raise InvalidOffer("the body is empty; send the SDP offer", param="sdp")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidOffer("the offer is not UTF-8 text", param="sdp") from err
    if "\x00" in text:
        raise InvalidOffer("the offer contains NUL bytes", param="sdp")
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line]
    if not lines or lines[0] != "v=0":
        raise InvalidOffer("not SDP: an offer starts with the line v=0", param="sdp")
    bad = next((line for line in lines if not _LINE.match(line)), None)
    if bad is not None:
        raise InvalidOffer(f"not SDP: line {bad[:40]!r} is not of the form x=value", param="sdp")
    for prefix in ("o=", "s=", "t="):
        if not any(line.startswith(prefix) for line in lines):
            raise InvalidOffer(f"the offer has no {prefix} line", param="sdp")
    media = [line for line in lines if line.startswith("m=")]
    audio = sum(1 for line in media if line.startswith("m=audio "))
    data = any(line.startswith("m=application ") and "DTLS/SCTP" in line for line in media)
    if audio == 0:
        raise InvalidOffer("the offer has no audio m-line (add an audio transceiver)", param="sdp")
    if not data:
        raise InvalidOffer("the offer has no data channel (create one before the offer)", param="sdp")
    if not any(line.startswith("a=fingerprint:") for line in lines):
        raise InvalidOffer("the offer has no DTLS fingerprint", param="sdp")
    if not (_has(lines, "a=ice-ufrag:") and _has(lines, "a=ice-pwd:")):
        raise InvalidOffer("the offer has no ICE credentials", param="sdp")
    setups = {line.split(":", 1)[1].strip() for line in lines if line.startswith("a=setup:")}
    if setups and setups != {"actpass"}:
        raise InvalidOffer("this is an answer, not an offer (a=setup is not actpass)", param="sdp")
    if not text.endswith("\n"):
        text += "\r\n"
    return Offer(sdp=text, audio_sections=audio, has_data_channel=data)


def looks_like_answer(text: str) -> bool:
    """True when an upstream's reply is plausibly an SDP answer (used to catch garbage 201s)."""
    return text.startswith("v=0") and "\nm=" in text and "a=fingerprint:" in text


def _has(lines: list[str], prefix: str) -> bool:
    return any(line.startswith(prefix) for line in lines)
