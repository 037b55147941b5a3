"""Ephemeral keys as OpenAI mints them: `POST /v1/realtime/client_secrets` (GA) and the beta
`POST /v1/realtime/sessions`, for the engine's own endpoints and for the controlled browser's
routing (`browser.network.routing`).

A key stands for the session it was asked with: a call made with it starts from that session.
The keys open calls on this bridge only; they are never OpenAI's keys.

    keys = ClientSecrets()
    secret = keys.mint(session={"instructions": "…"}, ttl_s=600)
    keys.session_of(f"Bearer {secret.value}")   # {"instructions": "…"}
"""

from __future__ import annotations

import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest

__all__ = ["ClientSecret", "ClientSecrets", "SecretRequest", "beta_session_body",
           "client_secret_body", "read_secret_request"]

DEFAULT_TTL_S = 600
# OpenAI's bounds for `expires_after.seconds`.
MIN_TTL_S, MAX_TTL_S = 10, 7200
MAX_LIVE_KEYS = 1000


@dataclass(frozen=True)
class ClientSecret:
    value: str  # "ek_…"
    expires_at: int  # Unix seconds
    session: dict[str, Any]  # the session the key was asked with, as it was sent


@dataclass(frozen=True)
class SecretRequest:
    """What a request for a key asks: the session, and how long the key lives."""

    session: dict[str, Any]
    ttl_s: int


class ClientSecrets:
    """The live keys this bridge minted, each with its session; expired ones are forgotten,
    and at most MAX_LIVE_KEYS are kept (the oldest go first)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._keys: OrderedDict[str, ClientSecret] = OrderedDict()

    def mint(self, session: Mapping[str, Any], *, ttl_s: int = DEFAULT_TTL_S) -> ClientSecret:
        self._forget_expired()
        secret = ClientSecret(f"ek_{secrets.token_hex(16)}", int(self._clock()) + ttl_s,
                              dict(session))
        self._keys[secret.value] = secret
        while len(self._keys) > MAX_LIVE_KEYS:
            self._keys.popitem(last=False)
        return secret

    def session_of(self, authorization: str | None) -> dict[str, Any] | None:
        """The session of the live key an `Authorization: Bearer ek_…` header names; None when
        it names none of this bridge's live keys."""
        scheme, _, token = (authorization or "").partition(" ")
        secret = self._keys.get(token.strip()) if scheme.lower() == "bearer" else None
        if secret is None or secret.expires_at <= self._clock():
            return None
        return dict(secret.session)

    def _forget_expired(self) -> None:
        now = self._clock()
        for value in [v for v, secret in self._keys.items() if secret.expires_at <= now]:
            del self._keys[value]


def read_secret_request(body: bytes, *, beta: bool) -> SecretRequest:
    """A request body for a key: GA `{"session": {…}, "expires_after": {"anchor":
    "created_at", "seconds": n}}`, or (`beta`) the session object itself. An empty body asks
    for the defaults. InvalidRequest says what is wrong."""
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError as err:
        raise InvalidRequest(f"the body is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise InvalidRequest("the body must be a JSON object")
    if beta:
        return SecretRequest(data, DEFAULT_TTL_S)
    session = data.get("session", {})
    if not isinstance(session, dict):
        raise InvalidRequest("session must be an object", param="session")
    expires = data.get("expires_after") or {}
    seconds = expires.get("seconds", DEFAULT_TTL_S) if isinstance(expires, dict) else None
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not (
            MIN_TTL_S <= seconds <= MAX_TTL_S):
        raise InvalidRequest(f"expires_after.seconds must be a whole number from {MIN_TTL_S} "
                             f"to {MAX_TTL_S}", param="expires_after.seconds")
    return SecretRequest(session, seconds)


def client_secret_body(secret: ClientSecret, session: Mapping[str, Any]) -> dict[str, Any]:
    """GA's answer: `{"value": "ek_…", "expires_at": …, "session": {…}}`."""
    return {"value": secret.value, "expires_at": secret.expires_at,
            "session": _session_object(session)}


def beta_session_body(secret: ClientSecret, session: Mapping[str, Any]) -> dict[str, Any]:
    """The beta `/v1/realtime/sessions` answer: the session, with `client_secret`."""
    return {**_session_object(session),
            "client_secret": {"value": secret.value, "expires_at": secret.expires_at}}


def _session_object(session: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "realtime", **session, "object": "realtime.session",
            "id": f"sess_{secrets.token_hex(12)}"}
