"""The inspector's routes, every one behind its guard (`guard`):

- `GET /inspect`: its page (`?token=` sets the token's cookie and redirects, out of the URL bar);
  `GET /inspect/inspect.js`, `/inspect/inspect.css`: the page's script and styles;
- `GET /inspect/stream`: the watcher's Server-Sent Events (`stream`);
- `GET /inspect/status`: the status the page shows, as JSON;
- `POST /inspect/message` (`{"text", "mode": "type" | "say"}`), `/inspect/reload`,
  `/inspect/reconnect`: the actions (`actions`), JSON in and out.
"""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, Response, jsonify, request

from ..errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from ..http.files import file_response
from .actions import Actions, Message
from .guard import Caller
from .inspector import PATH, Inspector
from .stream import watch

__all__ = ["inspect_blueprint"]

FOLDER = Path(__file__).resolve().parent
MAX_BODY_BYTES = 16 * 1024
# The page loads its own script, styles and the frames (data: URLs) and talks to its own
# origin; nothing else, and no other site may frame it (a remote control must not be
# clickjacked).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src data:; connect-src 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def inspect_blueprint(inspector: Inspector, actions: Actions) -> Blueprint:
    """The routes of `inspector`, acting through `actions`."""
    blueprint = Blueprint("inspect", __name__, url_prefix=PATH)
    guard = inspector.guard

    @blueprint.before_request
    async def check() -> Response | None:
        query_token = request.args.get("token")
        guard.check(_caller(query_token, guard.cookie_name), action=request.method != "GET")
        if query_token is not None and request.path == PATH:
            # The token goes into a cookie only this page's requests carry; the URL bar and
            # the history keep the address without it.
            response = Response("", status=303, headers={"Location": PATH})
            response.set_cookie(guard.cookie_name, query_token, path=PATH, httponly=True,
                                samesite="Strict")
            return response
        return None

    @blueprint.after_request
    async def secure(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    @blueprint.get("")
    async def page() -> Response:
        return await file_response(FOLDER, "inspect.html")

    @blueprint.get("/<any('inspect.js', 'inspect.css'):name>")
    async def asset(name: str) -> Response:
        return await file_response(FOLDER, name)

    @blueprint.get("/status")
    async def status() -> Response:
        return jsonify(inspector.status())

    @blueprint.get("/stream")
    async def stream() -> Response:
        response = Response(watch(inspector), mimetype="text/event-stream")
        response.timeout = None  # it lasts as long as somebody watches
        return response

    @blueprint.post("/message")
    async def message() -> Response:
        return jsonify(await actions.send(Message.from_json(await _json_body())))

    @blueprint.post("/reload")
    async def reload() -> Response:
        await _json_body(optional=True)
        return jsonify(await actions.reload())

    @blueprint.post("/reconnect")
    async def reconnect() -> Response:
        await _json_body(optional=True)
        return jsonify(await actions.reconnect())

    return blueprint


def _caller(query_token: str | None, cookie_name: str) -> Caller:
    bearer = request.headers.get("Authorization", "")
    token = query_token or request.cookies.get(cookie_name) or (
        bearer[7:].strip() if bearer[:7].lower() == "bearer " else None)
    # The peer's address as the server saw it, never a header a client could write.
    client = (request.scope.get("client") or ("<local>",))[0]
    return Caller(client=str(client), host=request.host,
                  scheme=request.scheme, origin=request.headers.get("Origin"), token=token)


async def _json_body(*, optional: bool = False) -> object:
    """The request's JSON (None for an empty body when `optional`): a body that is not JSON, or
    not sent as JSON, is refused, which also keeps plain HTML forms from acting."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"an inspector request is at most {MAX_BODY_BYTES} bytes")
    if optional and not request.content_length and not request.mimetype:
        return None
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send the action as application/json")
    body = await request.get_json(silent=True)
    if body is None:
        raise InvalidRequest("the body is not JSON")
    return body
