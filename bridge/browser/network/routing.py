"""The controlled browser's network: a page's signalling answered by the bridge's upstream,
with no key in the page, and (with the embedded engine) nothing else let out of the machine.

    router = SignallingRouter(upstream=bridge.upstream, event_log=bridge.event_log,
                              policy=NetworkPolicy.from_settings(settings))
    context = await browser.new_context(service_workers="block")  # else they fetch unseen
    await router.install(context)

Answered, whatever the page's origin (CORS headers for it; Playwright answers preflights):
- OpenAI's realtime endpoints on api.openai.com: `/v1/realtime/calls` (raw SDP or multipart;
  a `session` part is honoured), the beta `/v1/realtime?model=…`, and the ephemeral keys of
  `/v1/realtime/client_secrets` and the beta `/v1/realtime/sessions` (placeholder keys: a call
  made with one starts from the session it was asked with);
- any POST whose body is an SDP offer (`route_offers`), in the form it was sent;
- URLs matching `--route` globs: an offer is answered, anything else gets an ephemeral key.
An upstream's refusal reaches the page as OpenAI's would: its status and `{"error": {…}}`.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Literal

from playwright.async_api import BrowserContext, Request, Route, WebSocketRoute
from playwright.async_api import Error as PlaywrightError

from ...engine.session_config import deep_merge
from ...errors import BridgeError
from ...events.log import EventLog
from ...events.records import RequestBlocked, SignallingRouted
from ...http.client_secrets import (
    ClientSecrets,
    beta_session_body,
    client_secret_body,
    read_secret_request,
)
from ...http.errors import error_body, http_form
from ...upstream import Upstream
from .policy import NetworkPolicy, OpenAIEndpoint, openai_endpoint
from .relay import OwnOriginRelay
from .signalling import Reply, answer_reply, find_offer, json_reply, not_an_offer, read_page_offer

__all__ = ["SeenRequest", "SignallingRouter"]

log = logging.getLogger(__name__)

Kind = OpenAIEndpoint | Literal["offer", "route"]
Outcome = Literal["passed", "routed", "blocked"]
KEEP_REQUESTS = 500
KEEP_UFRAGS = 1000
_UFRAG = re.compile(r"^a=ice-ufrag:(\S+)", re.M)


@dataclass(frozen=True)
class SeenRequest:
    """A request the page made (seconds on the event log's clock) and what the router did:
    `detail` is the status and call it was answered with, or why it was blocked."""

    t: float
    method: str
    url: str
    resource_type: str
    outcome: Outcome
    detail: str = ""


class SignallingRouter:
    """Answers the page's signalling from `upstream` and applies `policy` to the rest."""

    def __init__(self, *, upstream: Upstream, event_log: EventLog, policy: NetworkPolicy,
                 max_offer_bytes: int = 64 * 1024, keys: ClientSecrets | None = None,
                 relay: OwnOriginRelay | None = None) -> None:
        self._upstream = upstream
        self._relay = relay
        self._log = event_log
        self.policy = policy
        self._max_offer_bytes = max_offer_bytes
        self._keys = keys if keys is not None else ClientSecrets()
        self._ufrags: OrderedDict[str, str] = OrderedDict()
        self._seen: deque[SeenRequest] = deque(maxlen=KEEP_REQUESTS)

    async def install(self, context: BrowserContext) -> None:
        """Route every request of `context` but the bridge's own (and, when blocking, its
        WebSockets outside). Requests to the bridge's own origin are never routed or blocked:
        they are left out of the interception pattern, which Playwright matches in its driver,
        so they cost no round trip through Python; they are only noted, from the request
        event, for diagnostics. With a `relay` (a remote browser) they are routed too, and
        answered by it."""
        own = self.policy.own_origin
        if own is None or self._relay is not None:
            await context.route("**/*", self._on_route)
        else:
            own = own.rstrip("/")
            await context.route(re.compile(rf"^(?!{re.escape(own)}(?:[/?#]|$))"),
                                self._on_route)
            context.on("request", lambda request: self._note_own(request, own))
        if self.policy.block_outside:
            await context.route_web_socket(lambda url: self.policy.blocked(url) is not None,
                                           self._on_web_socket)

    def call_for_ufrag(self, ufrag: str) -> str | None:
        """The call whose offer or answer (as routed here) has this `a=ice-ufrag`."""
        return self._ufrags.get(ufrag)

    def requests(self) -> list[SeenRequest]:
        """The page's latest requests (up to KEEP_REQUESTS), oldest first."""
        return list(self._seen)

    async def _on_route(self, route: Route, request: Request) -> None:
        try:
            await self._handle(route, request)
        except PlaywrightError as err:  # the page or context went away meanwhile
            log.debug("routing %s %s ended: %s", request.method, request.url, err)

    async def aclose(self) -> None:
        """Close the relay's client, if there is one. Safe to call twice."""
        if self._relay is not None:
            await self._relay.aclose()

    async def _handle(self, route: Route, request: Request) -> None:
        url = request.url
        own = self.policy.is_own(url)
        if own and self._relay is not None:
            status = await self._relay.forward(route, request)
            self._note(request, "passed", f"{status} from {self._relay.real_base_url}")
            return
        kind = None if own else self._kind(request)
        if kind is not None:
            await self._answer(route, request, kind)
            return
        reason = None if own else self.policy.blocked(url)
        if reason is None:
            self._note(request, "passed")
            await route.fallback()
            return
        self._note(request, "blocked", reason)
        self._log.append_bridge(RequestBlocked(url=url, method=request.method, reason=reason))
        await route.abort("blockedbyclient")

    def _note_own(self, request: Request, own: str) -> None:
        url = request.url
        if url == own or url.startswith((f"{own}/", f"{own}?", f"{own}#")):
            self._note(request, "passed")

    def _kind(self, request: Request) -> Kind | None:
        post = request.method == "POST"
        endpoint = openai_endpoint(request.url) if post else None
        if endpoint is not None:
            return endpoint
        if self.policy.routed_by_glob(request.url):
            return "route"
        if post and self.policy.route_offers and find_offer(
                request.headers.get("content-type"), request.post_data_buffer,
                max_bytes=self._max_offer_bytes):
            return "offer"
        return None

    async def _answer(self, route: Route, request: Request, kind: Kind) -> None:
        error: str | None = None
        try:
            reply = await self._reply(request, kind)
        except BridgeError as err:
            form = http_form(err)
            error = err.message
            reply = json_reply(error_body(form.type, form.code, err.message,
                                          getattr(err, "param", None)), status=form.status)
            reply.headers.update({k: v for k, v in form.headers.items() if k != "Connection"})
        except Exception:  # never a hang: the page gets OpenAI's shape of a server error
            log.exception("answering %s %s failed", request.method, request.url)
            error = "internal error; see the bridge's log"
            reply = json_reply(error_body("server_error", "internal_error", error), status=500)
        detail = f"{reply.status} {reply.call_id or error or ''}".rstrip()
        self._note(request, "routed", detail)
        self._log.append_bridge(SignallingRouted(
            url=request.url, method=request.method, call_id=reply.call_id,
            upstream=self._upstream.name, status=reply.status, error=error))
        await route.fulfill(status=reply.status, body=reply.body, content_type=reply.content_type,
                            headers={**_cors(request), **reply.headers,
                                     "Content-Type": reply.content_type})

    async def _reply(self, request: Request, kind: Kind) -> Reply:
        body = request.post_data_buffer or b""
        if kind in ("client_secrets", "beta_sessions"):
            return self._mint(body, beta=kind == "beta_sessions")
        content_type = request.headers.get("content-type")
        form = find_offer(content_type, body, max_bytes=self._max_offer_bytes)
        if form is None:
            if kind == "route":  # a page's own key endpoint: a key in the GA and beta shapes
                return self._mint(body, beta=False, both_shapes=True)
            raise not_an_offer()
        offer = read_page_offer(form, content_type, body, max_bytes=self._max_offer_bytes)
        key_session = self._keys.session_of(request.headers.get("authorization"))
        session = deep_merge(key_session or {}, offer.session or {})
        answer = await self._upstream.connect(offer.offer.sdp, session=session or None)
        for ufrag in _UFRAG.findall(offer.offer.sdp) + _UFRAG.findall(answer.sdp):
            self._ufrags[ufrag] = answer.call_id
        while len(self._ufrags) > KEEP_UFRAGS:
            self._ufrags.popitem(last=False)
        return answer_reply(form, answer)

    def _mint(self, body: bytes, *, beta: bool, both_shapes: bool = False) -> Reply:
        if both_shapes:
            try:
                asked = read_secret_request(body, beta=False)
            except BridgeError:  # whatever the page's own endpoint takes: the defaults
                asked = read_secret_request(b"", beta=False)
        else:
            asked = read_secret_request(body, beta=beta)
        secret = self._keys.mint(asked.session, ttl_s=asked.ttl_s)
        if beta:
            return json_reply(beta_session_body(secret, asked.session))
        data = client_secret_body(secret, asked.session)
        if both_shapes:
            data["client_secret"] = {"value": secret.value, "expires_at": secret.expires_at}
        return json_reply(data)

    async def _on_web_socket(self, socket: WebSocketRoute) -> None:
        reason = self.policy.blocked(socket.url) or "outside loopback"
        self._seen.append(SeenRequest(self._log.now(), "GET", socket.url, "websocket", "blocked",
                                      reason))
        self._log.append_bridge(RequestBlocked(url=socket.url, method="GET", reason=reason))
        await socket.close(code=1008, reason="blocked by rtc-bridge")

    def _note(self, request: Request, outcome: Outcome, detail: str = "") -> None:
        self._seen.append(SeenRequest(self._log.now(), request.method, request.url,
                                      request.resource_type, outcome, detail))


def _cors(request: Request) -> dict[str, str]:
    """What lets the page's origin read the answer and its `Location`, credentials or not."""
    origin = request.headers.get("origin")
    if not origin:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true",
            "Access-Control-Expose-Headers": "Location", "Vary": "Origin"}
