"""From the bridge's errors to HTTP: one table of status, OpenAI error type and code, and headers.

Every error response has OpenAI's shape, `{"error": {"type", "code", "message", "param"}}`,
whatever failed: one of the bridge's errors, Quart's own (404, 405, 413), or an unexpected
exception, which is logged and never shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from quart import Quart, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import (
    BridgeError,
    EngineError,
    Forbidden,
    InvalidOffer,
    InvalidRequest,
    PageNotReady,
    PayloadTooLarge,
    RequestError,
    RequestTimeout,
    TooManySessions,
    Unauthorized,
    UnsupportedMediaType,
    UpstreamError,
    UpstreamTimeout,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpForm:
    """How one kind of error looks on the wire."""

    status: int
    type: str
    code: str
    headers: dict[str, str] = field(default_factory=dict)


# A body over its limit may be partly unread: the client is told not to reuse the connection,
# which the server closes.
_CLOSE = {"Connection": "close"}

# Looked up along each error's class hierarchy: the most specific entry wins.
HTTP_FORMS: dict[type[BridgeError], HttpForm] = {
    InvalidOffer: HttpForm(400, "invalid_request_error", "invalid_offer"),
    InvalidRequest: HttpForm(400, "invalid_request_error", "invalid_request"),
    Unauthorized: HttpForm(401, "invalid_request_error", "invalid_api_key"),
    Forbidden: HttpForm(403, "invalid_request_error", "forbidden"),
    RequestTimeout: HttpForm(408, "invalid_request_error", "request_timeout"),
    PayloadTooLarge: HttpForm(413, "invalid_request_error", "payload_too_large", _CLOSE),
    UnsupportedMediaType: HttpForm(415, "invalid_request_error", "unsupported_media_type"),
    RequestError: HttpForm(400, "invalid_request_error", "invalid_request"),
    TooManySessions: HttpForm(503, "server_error", "too_many_sessions", {"Retry-After": "5"}),
    UpstreamTimeout: HttpForm(504, "upstream_error", "upstream_timeout"),
    UpstreamError: HttpForm(502, "upstream_error", "upstream_error"),
    EngineError: HttpForm(500, "server_error", "engine_error"),
    PageNotReady: HttpForm(409, "invalid_request_error", "page_not_ready"),
    BridgeError: HttpForm(500, "server_error", "internal_error"),
}


def http_form(err: BridgeError) -> HttpForm:
    """The table's entry for `err`'s class or its nearest ancestor in the table."""
    for cls in type(err).__mro__:
        form = HTTP_FORMS.get(cls)
        if form is not None:
            return form
    return HTTP_FORMS[BridgeError]


def error_body(type_: str, code: str, message: str, param: str | None = None) -> dict[str, object]:
    return {"error": {"type": type_, "code": code, "message": message, "param": param}}


def error_response(err: BridgeError) -> Response:
    form = http_form(err)
    param = getattr(err, "param", None)
    response = jsonify(error_body(form.type, form.code, err.message, param))
    response.status_code = form.status
    response.headers.update(form.headers)
    return response


def install_error_handlers(app: Quart) -> None:
    """Render every failure of `app` in OpenAI's error shape."""

    @app.errorhandler(BridgeError)
    async def bridge_error(err: BridgeError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    async def http_error(err: HTTPException) -> Response:
        status = err.code or 500
        kind = "invalid_request_error" if status < 500 else "server_error"
        code = (err.name or "error").lower().replace(" ", "_")
        response = jsonify(error_body(kind, code, err.description or err.name))
        response.status_code = status
        if status == 413:
            response.headers.update(_CLOSE)
        return response

    @app.errorhandler(Exception)
    async def unexpected(err: Exception) -> Response:
        # Never a traceback in a response; the log has it.
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = jsonify(error_body("server_error", "internal_error",
                                      "internal error; see the bridge's log"))
        response.status_code = 500
        return response
