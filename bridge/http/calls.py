"""The engine's own HTTP contract, OpenAI's `POST /v1/realtime/calls`, served by the bridge.

Any client written for OpenAI's endpoint reaches the local engine by changing its base URL.
"""

from __future__ import annotations

import hmac
from typing import Any

from quart import Blueprint, Response, request

from ..engine import Engine
from ..errors import InvalidRequest, Unauthorized
from .offers import MULTIPART, RAW, read_offer


def calls_blueprint(
    engine: Engine, *, session_defaults: dict[str, Any], api_key: str | None, max_offer_bytes: int
) -> Blueprint:
    """Routes under /v1/realtime: calls (create) and calls/<id>/hangup."""
    blueprint = Blueprint("realtime_calls", __name__, url_prefix="/v1/realtime")

    def authorize() -> None:
        if api_key is None:
            return  # any bearer token is accepted when no local key is configured
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {api_key}".encode()):
            raise Unauthorized("missing or wrong bearer token for the local engine")

    @blueprint.post("/calls")
    async def create_call() -> Response:
        authorize()
        incoming = await read_offer(request, max_bytes=max_offer_bytes, accept=(RAW, MULTIPART))
        session = dict(session_defaults)
        if incoming.session:
            session.update(incoming.session)
        if session.get("type", "realtime") != "realtime":
            raise InvalidRequest("session.type must be 'realtime'", param="session.type")
        call = await engine.create_call(incoming.offer.sdp, session=session)
        return Response(call.answer_sdp, status=201, content_type="application/sdp",
                        headers={"Location": f"/v1/realtime/calls/{call.id}"})

    @blueprint.post("/calls/<call_id>/hangup")
    async def hangup(call_id: str) -> Response:
        authorize()
        if not await engine.hangup(call_id):
            raise InvalidRequest(f"no call {call_id!r}", param="call_id")
        return Response("", status=200)

    return blueprint
