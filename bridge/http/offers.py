"""Reading an SDP offer out of a request: raw SDP, JSON, or OpenAI's multipart form."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quart import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from ..errors import (
    InvalidOffer,
    InvalidRequest,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedMediaType,
)
from .sdp import Offer, parse_offer

RAW = "application/sdp"
JSON = "application/json"
MULTIPART = "multipart/form-data"
# Room for the multipart form's `session` part (instructions, tool schemas) beside the offer.
SESSION_PART_BYTES = 256 * 1024
# A body over its limit is still read to the end, up to this size, and then refused with 413:
# a server that stops reading while the client is still sending resets the connection, and
# the client never sees the 413. The app's MAX_CONTENT_LENGTH is set to this.
DRAIN_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class OfferRequest:
    offer: Offer
    session: dict[str, Any] | None  # the multipart `session` part, when one was sent


async def read_offer(request: Request, *, max_bytes: int, accept: tuple[str, ...]) -> OfferRequest:
    """The validated offer in `request`; InvalidOffer / PayloadTooLarge / 415 otherwise."""
    mimetype = request.mimetype
    if mimetype not in accept:
        # Read the body first (an oversized one is a 413 that closes the connection): answered
        # with its body unread, the connection would be closed under a client that reuses it.
        await read_body(request, limit=max_bytes)
        raise UnsupportedMediaType(
            f"Content-Type {mimetype or 'missing'!r} is not supported; send "
            + " or ".join(accept)
        )
    if mimetype == RAW:
        body = await read_body(request, limit=max_bytes)
        return OfferRequest(parse_offer(body, max_bytes=max_bytes), None)
    if mimetype == JSON:
        body = await read_body(request, limit=max_bytes + 1024)
        return OfferRequest(offer_from_json(body, max_bytes=max_bytes), None)
    return await _from_multipart(request, max_bytes)


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body, or PayloadTooLarge once it is read (or found) to exceed `limit`."""
    if request.content_length is not None and request.content_length > DRAIN_BYTES:
        raise PayloadTooLarge(f"the body is {request.content_length} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    received = 0
    try:
        async with asyncio.timeout(request.body_timeout):
            async for chunk in request.body:
                received += len(chunk)
                if received <= limit:
                    chunks.append(chunk)
                elif received > DRAIN_BYTES:
                    break
    except RequestEntityTooLarge as err:  # Quart's own cap, DRAIN_BYTES, was passed
        raise PayloadTooLarge(f"the body is over {DRAIN_BYTES} bytes; the limit is {limit}") from err
    except TimeoutError as err:
        raise RequestTimeout("the body did not arrive in time") from err
    if received > limit:
        raise PayloadTooLarge(f"the body is {received} bytes; the limit is {limit}")
    return b"".join(chunks)


def offer_from_json(body: bytes | str, *, max_bytes: int) -> Offer:
    """The offer of a JSON body `{"type": "offer", "sdp": "v=0…"}`."""
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
    body = await read_body(request, limit=max_bytes + SESSION_PART_BYTES)
    return offer_from_multipart(body, request.mimetype_params, max_bytes=max_bytes)


def offer_from_multipart(body: bytes, params: Mapping[str, str], *, max_bytes: int) -> OfferRequest:
    """The offer (the `sdp` part) and session (the `session` part) of a multipart form whose
    Content-Type parameters (the boundary) are `params`."""
    try:
        _, form, files = FormDataParser().parse(io.BytesIO(body), MULTIPART, len(body),
                                                dict(params))
    except (ValueError, RequestEntityTooLarge) as err:
        raise InvalidRequest(f"the multipart body could not be read: {err}") from err
    try:
        sdp = form.get("sdp")
        if sdp is None and "sdp" in files:
            sdp = files["sdp"].read().decode("utf-8", "replace")
        session_text = form.get("session")
        if session_text is None and "session" in files:
            session_text = files["session"].read().decode("utf-8", "replace")
    finally:
        for part in files.values():
            part.close()  # a part sent as a file (a Blob) is spooled to a temporary file
    if sdp is None:
        raise InvalidOffer("the multipart body has no 'sdp' part", param="sdp")
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
