"""The engine's own HTTP contract, OpenAI's realtime endpoints, served by the bridge:
`POST /v1/realtime/calls` (and its hangup), `POST /v1/realtime/client_secrets` for ephemeral
keys, and the beta `POST /v1/realtime?model=…` and `POST /v1/realtime/sessions`.

Any client written for OpenAI's endpoints reaches the local engine by changing its base URL; a
backend that mints ephemeral keys for its page (`OPENAI_BASE_URL=http://127.0.0.1:8765/v1`) gets
keys that open calls here, each with the session it was minted with.
"""

from __future__ import annotations

import hmac
from typing import Any

from quart import Blueprint, Response, jsonify, request

from ..engine import Engine
from ..errors import InvalidRequest, Unauthorized
from ..upstream import with_page_session
from .client_secrets import ClientSecrets, beta_session_body, client_secret_body, read_secret_request
from .offers import MULTIPART, RAW, read_body, read_offer

# A key request carries a session (instructions, tool schemas) and little else.
SECRET_REQUEST_BYTES = 256 * 1024


def calls_blueprint(
    engine: Engine, *, session_defaults: dict[str, Any], api_key: str | None, max_offer_bytes: int,
    keys: ClientSecrets | None = None,
) -> Blueprint:
    """Routes under /v1/realtime: calls (create), calls/<id>/hangup, client_secrets, and the
    beta endpoints. `keys` holds the ephemeral keys minted here (a new store by default)."""
    routes = _RealtimeRoutes(engine, session_defaults=session_defaults, api_key=api_key,
                             max_offer_bytes=max_offer_bytes,
                             keys=keys if keys is not None else ClientSecrets())
    blueprint = Blueprint("realtime_calls", __name__, url_prefix="/v1/realtime")
    blueprint.add_url_rule("/calls", "create_call", routes.answer_offer, methods=["POST"])
    # The beta interface posted the offer to /v1/realtime?model=… (the model is the session's).
    blueprint.add_url_rule("", "beta_call", routes.answer_offer, methods=["POST"])
    blueprint.add_url_rule("/client_secrets", "client_secrets", routes.client_secrets,
                           methods=["POST"])
    blueprint.add_url_rule("/sessions", "beta_sessions", routes.beta_sessions, methods=["POST"])
    blueprint.add_url_rule("/calls/<call_id>/hangup", "hangup", routes.hangup, methods=["POST"])
    return blueprint


class _RealtimeRoutes:
    """What the realtime routes do, with what they share: the engine, the session defaults,
    the local key and the ephemeral keys minted here."""

    def __init__(self, engine: Engine, *, session_defaults: dict[str, Any], api_key: str | None,
                 max_offer_bytes: int, keys: ClientSecrets) -> None:
        self._engine = engine
        self._defaults = session_defaults
        self._api_key = api_key
        self._max_offer_bytes = max_offer_bytes
        self._keys = keys

    def _authorize(self, *, ephemeral: bool = False) -> dict[str, Any] | None:
        """Check the bearer token; returns the session of the ephemeral key it names, if it
        names one of ours and `ephemeral` keys are accepted here (they open calls only)."""
        given = request.headers.get("Authorization", "")
        session = self._keys.session_of(given) if ephemeral else None
        if session is not None or self._api_key is None:
            return session  # any bearer token is accepted when no local key is configured
        if not hmac.compare_digest(given.encode(), f"Bearer {self._api_key}".encode()):
            raise Unauthorized("missing or wrong bearer token for the local engine")
        return None

    async def answer_offer(self) -> Response:
        key_session = self._authorize(ephemeral=True)
        incoming = await read_offer(request, max_bytes=self._max_offer_bytes,
                                    accept=(RAW, MULTIPART))
        session = with_page_session(self._defaults, key_session or {}, beta=True)
        if incoming.session:
            session.update(incoming.session)
        if session.get("type", "realtime") != "realtime":
            raise InvalidRequest("session.type must be 'realtime'", param="session.type")
        call = await self._engine.create_call(incoming.offer.sdp, session=session)
        return Response(call.answer_sdp, status=201, content_type="application/sdp",
                        headers={"Location": f"/v1/realtime/calls/{call.id}"})

    async def client_secrets(self) -> Response:
        return await self._mint(beta=False)

    async def beta_sessions(self) -> Response:
        return await self._mint(beta=True)

    async def _mint(self, *, beta: bool) -> Response:
        self._authorize()
        body = await read_body(request, limit=SECRET_REQUEST_BYTES)
        asked = read_secret_request(body, beta=beta)
        secret = self._keys.mint(asked.session, ttl_s=asked.ttl_s)
        # Checked now, as OpenAI checks it when minting; the engine maps beta fields.
        shown = with_page_session(self._defaults, asked.session, beta=True)
        return jsonify(beta_session_body(secret, shown) if beta
                       else client_secret_body(secret, shown))

    async def hangup(self, call_id: str) -> Response:
        self._authorize(ephemeral=True)
        if not await self._engine.hangup(call_id):
            raise InvalidRequest(f"no call {call_id!r}", param="call_id")
        return Response("", status=200)
