"""Reading an SDP offer out of a request: raw SDP, JSON, or OpenAI's multipart form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from quart import Request

from .errors import InvalidOffer, InvalidRequest, UnsupportedMediaType
from .sdp import Offer, parse_offer

RAW = "application/sdp"
JSON = "application/json"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class OfferRequest:
    offer: Offer
    session: dict[str, Any] | None  # the multipart `session` part, when one was sent


async def read_offer(request: Request, *, max_bytes: int, accept: tuple[str, ...]) -> OfferRequest:
    """The validated offer in `request`; InvalidOffer / PayloadTooLarge / 415 otherwise."""
    mimetype = request.mimetype
    if mimetype not in accept:
        raise UnsupportedMediaType(
            f"Content-Type {mimetype or 'missing'!r} is not supported; send "
            + " or ".join(accept)
        )
    if mimetype == RAW:
        body = await request.get_data(as_text=False)
        return OfferRequest(parse_offer(body, max_bytes=max_bytes), None)
    if mimetype == JSON:
        return OfferRequest(_from_json(await request.get_data(as_text=False), max_bytes), None)
    return await _from_multipart(request, max_bytes)


def _from_json(body: bytes | str, max_bytes: int) -> Offer:
    try:
        data = json.loads(body)
    except ValueError as err:
        raise InvalidRequest(f"the body is not valid JSON: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("sdp"), str):
        raise InvalidOffer('send {"type": "offer", "sdp": "v=0…"}', param="sdp")
    if data.get("type", "offer") != "offer":
        raise InvalidOffer(f"type is {data.get('type')!r}; expected 'offer'", param="type")
    return parse_offer(data["sdp"], max_bytes=max_bytes)


async def _from_multipart(request: Request, max_bytes: int) -> OfferRequest:
    try:
        form = await request.form
        files = await request.files
    except ValueError as err:
        raise InvalidRequest(f"the multipart body could not be read: {err}") from err
    sdp = form.get("sdp")
    if sdp is None and "sdp" in files:
        sdp = files["sdp"].read().decode("utf-8", "replace")
    if sdp is None:
        raise InvalidOffer("the multipart body has no 'sdp' part", param="sdp")
    session_text = form.get("session")
    if session_text is None and "session" in files:
        session_text = files["session"].read().decode("utf-8", "replace")
    session = None
    if session_text is not None:
        try:
            session = json.loads(session_text)
        except ValueError as err:
            raise InvalidRequest(f"the 'session' part is not valid JSON: {err}",
                                 param="session") from err
        if not isinstance(session, dict):
            raise InvalidRequest("the 'session' part must be a JSON object", param="session")
    return OfferRequest(parse_offer(sdp, max_bytes=max_bytes), session)
