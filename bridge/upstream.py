"""Realtime upstreams behind one small interface: OpenAI's GA calls endpoint, or the engine."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from .engine.session_config import BETA_KEYS, SESSION_KEYS, deep_merge, merge_session
from .errors import InvalidOffer, ProtocolError, UpstreamError, UpstreamTimeout
from .http.sdp import looks_like_answer

_KEY_LIKE = re.compile(r"\b(sk|ek|rk)-[A-Za-z0-9_*-]{8,}")

if TYPE_CHECKING:
    from .engine import Engine


@dataclass(frozen=True)
class Answer:
    """The upstream's SDP answer and where the call lives (`…/realtime/calls/rtc_…`)."""

    sdp: str
    location: str

    @property
    def call_id(self) -> str:
        return self.location.rstrip("/").rsplit("/", 1)[-1]


class Upstream(Protocol):
    """Takes an SDP offer, returns the answer of a realtime peer that speaks OpenAI's events.

    `session` is a page's own session (the `session` part of a request the controlled browser
    routed, or the session its ephemeral key was minted with): laid over the bridge's session,
    field by field, as `with_page_session` allows.
    """

    name: str

    async def connect(self, offer_sdp: str, *, session: Mapping[str, Any] | None = None
                      ) -> Answer: ...

    async def aclose(self) -> None: ...


class OpenAIUpstream:
    """`POST {base_url}/realtime/calls` with the multipart `sdp` + `session` form.

    The key is sent only in the Authorization header and never copied into an error message.
    A request that never reached the server (connection refused) is retried once; anything
    that may have created a call is not, since a second POST would open a second call.
    """

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        session: dict[str, Any],
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/realtime/calls"
        self._api_key = api_key
        self._session = session
        self._client = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    async def connect(self, offer_sdp: str, *, session: Mapping[str, Any] | None = None
                      ) -> Answer:
        merged = with_page_session(self._session, session or {}, beta=False)
        files = {
            "sdp": (None, offer_sdp, "application/sdp"),
            "session": (None, json.dumps(merged), "application/json"),
        }
        for attempt in range(2):
            try:
                response = await self._client.post(self._url, files=files)
                break
            except httpx.ConnectError as err:
                if attempt == 0:
                    await asyncio.sleep(0.2)
                    continue
                raise UpstreamError(f"OpenAI upstream unreachable: {_describe(err)}") from err
            except httpx.TimeoutException as err:
                raise UpstreamTimeout(f"OpenAI upstream timed out ({_describe(err)})") from err
            except httpx.HTTPError as err:
                raise UpstreamError(f"OpenAI upstream failed: {_describe(err)}") from err
        return _answer_from(response, secret=self._api_key)

    async def aclose(self) -> None:
        await self._client.aclose()


class LocalUpstream:
    """The embedded engine in this process, reached without HTTP."""

    name = "local"

    def __init__(self, engine: Engine, *, session: dict[str, Any]) -> None:
        self._engine = engine
        self._session = session

    async def connect(self, offer_sdp: str, *, session: Mapping[str, Any] | None = None
                      ) -> Answer:
        merged = with_page_session(self._session, session or {}, beta=True)
        call = await self._engine.create_call(offer_sdp, session=merged)
        return Answer(sdp=call.answer_sdp, location=f"/v1/realtime/calls/{call.id}")

    async def aclose(self) -> None:
        """The engine belongs to the app, which closes it."""


# What a page's session may set: the GA session's fields but the model (the bridge's setting).
PAGE_SESSION_KEYS = SESSION_KEYS - {"model"}


def with_page_session(
    defaults: Mapping[str, Any], page_session: Mapping[str, Any], *, beta: bool
) -> dict[str, Any]:
    """The bridge's session with what a page's own session sets.

    Only the GA session's fields are taken (with `beta`, the beta ones too: the local engine
    maps them to their GA places; OpenAI rejects them), never the model, and of the tools only
    functions: a page's session cannot make the upstream reach a URL of the page's choosing
    (an MCP tool's `server_url`). Headers and URLs of the page's request are never used.
    """
    keys = PAGE_SESSION_KEYS | BETA_KEYS if beta else PAGE_SESSION_KEYS
    taken = {key: value for key, value in page_session.items() if key in keys}
    if isinstance(taken.get("tools"), list):
        taken["tools"] = [tool for tool in taken["tools"]
                          if isinstance(tool, Mapping) and tool.get("type", "function") == "function"]
    if not beta:
        return deep_merge(defaults, taken)
    try:  # beta fields to their GA places first, so that they win over the defaults' GA ones
        return merge_session(defaults, taken, tolerate_beta=True)
    except ProtocolError as err:
        raise InvalidOffer(f"invalid session: {err.message}", param=err.param) from err


def _answer_from(response: httpx.Response, *, secret: str) -> Answer:
    if response.status_code != 201 and not 200 <= response.status_code < 300:
        raise UpstreamError(
            f"OpenAI upstream answered {response.status_code}: {_error_message(response, secret)}"
        )
    text = response.text
    if not looks_like_answer(text):
        raise UpstreamError(
            f"OpenAI upstream answered {response.status_code} with a body that is not SDP"
        )
    location = response.headers.get("location", "")
    if not location:
        raise UpstreamError(f"OpenAI upstream answered {response.status_code} without Location")
    return Answer(sdp=text, location=location)


def _error_message(response: httpx.Response, secret: str) -> str:
    try:
        message = str(response.json()["error"]["message"] or "")
    except (ValueError, KeyError, TypeError):
        message = ""
    # An upstream may quote the key it was given (401 messages do); never pass it on.
    message = message.replace(secret, "[redacted]")
    message = _KEY_LIKE.sub("[redacted]", message)
    return message[:300] or "no error message"


def _describe(err: httpx.HTTPError) -> str:
    # httpx messages name the URL at most; the Authorization header never appears in them.
    return type(err).__name__ + (f": {err}" if str(err) else "")
