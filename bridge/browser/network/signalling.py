"""A page's signalling request as Playwright shows it (its Content-Type and body): whether the
body carries an SDP offer and in what form, the offer and session read out of it, and the
answer in the form the page asked in.

Forms a page posts an offer in: raw `application/sdp`; a multipart form with an `sdp` part (and
maybe a `session` part), as OpenAI's calls endpoint takes; JSON `{"type": "offer", "sdp": …}`;
and plain text whose first line is `v=0` (pages that forget the Content-Type send text/plain).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from werkzeug.http import parse_options_header

from ...errors import InvalidOffer
from ...http.offers import SESSION_PART_BYTES, OfferRequest, offer_from_json, offer_from_multipart
from ...http.sdp import parse_offer
from ...upstream import Answer

__all__ = ["OfferForm", "Reply", "answer_reply", "find_offer", "json_reply", "not_an_offer",
           "read_page_offer"]

OfferForm = Literal["sdp", "multipart", "json"]


@dataclass(frozen=True)
class Reply:
    """What the page gets back."""

    status: int
    body: str
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    call_id: str | None = None


def find_offer(content_type: str | None, body: bytes | None, *, max_bytes: int) -> OfferForm | None:
    """The form in which `body` carries an SDP offer, or None when it carries none (or is
    larger than an offer and its session can be)."""
    if not body or len(body) > max_bytes + SESSION_PART_BYTES:
        return None
    mimetype, _ = parse_options_header(content_type or "")
    if mimetype == "multipart/form-data":
        return "multipart" if b'name="sdp"' in body else None
    if mimetype == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            return None
        sdp = data.get("sdp") if isinstance(data, dict) else None
        return "json" if isinstance(sdp, str) and sdp.lstrip().startswith("v=0") else None
    if mimetype == "application/sdp":
        return "sdp"
    text = body[:4096].decode("utf-8", "replace").lstrip()
    return "sdp" if text.startswith("v=0") and "\nm=" in text else None


def read_page_offer(form: OfferForm, content_type: str | None, body: bytes, *,
                    max_bytes: int) -> OfferRequest:
    """The checked offer and the session of a body `find_offer` recognised; InvalidOffer (or
    InvalidRequest) saying what is wrong with it."""
    if form == "multipart":
        _, params = parse_options_header(content_type or "")
        return offer_from_multipart(body, params, max_bytes=max_bytes)
    if form == "json":
        return OfferRequest(offer_from_json(body, max_bytes=max_bytes), None)
    return OfferRequest(parse_offer(body, max_bytes=max_bytes), None)


def answer_reply(form: OfferForm, answer: Answer) -> Reply:
    """201 and the SDP answer with `Location`, as OpenAI answers; JSON for a JSON offer."""
    headers = {"Location": answer.location}
    if form == "json":
        return Reply(201, json.dumps({"type": "answer", "sdp": answer.sdp}), "application/json",
                     headers, answer.call_id)
    return Reply(201, answer.sdp, "application/sdp", headers, answer.call_id)


def not_an_offer() -> InvalidOffer:
    return InvalidOffer("the body is not an SDP offer: send application/sdp, or a multipart form "
                        "with an 'sdp' part", param="sdp")


def json_reply(data: dict[str, Any], *, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data), "application/json")
