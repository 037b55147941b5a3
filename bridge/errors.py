"""The bridge's errors. Each carries its HTTP status and renders in OpenAI's error shape."""

from __future__ import annotations

from typing import Any


class BridgeError(Exception):
    """Base class: `status`, `type` and `code` follow OpenAI's `{"error": {...}}` body."""

    status = 500
    type = "server_error"
    code = "internal_error"

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "type": self.type,
                "code": self.code,
                "message": self.message,
                "param": self.param,
            }
        }


class InvalidRequest(BridgeError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"


class InvalidOffer(InvalidRequest):
    """The body is not a usable SDP offer (what is wrong is in the message)."""

    code = "invalid_offer"


class Unauthorized(BridgeError):
    status = 401
    type = "invalid_request_error"
    code = "invalid_api_key"


class PayloadTooLarge(BridgeError):
    status = 413
    type = "invalid_request_error"
    code = "payload_too_large"


class UnsupportedMediaType(BridgeError):
    status = 415
    type = "invalid_request_error"
    code = "unsupported_media_type"


class TooManySessions(BridgeError):
    status = 503
    type = "server_error"
    code = "too_many_sessions"


class UpstreamError(BridgeError):
    """The realtime upstream refused the call, was unreachable or answered garbage."""

    status = 502
    type = "upstream_error"
    code = "upstream_error"


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "upstream_timeout"


class EngineError(BridgeError):
    """The embedded engine could not set up the call (e.g. WebRTC negotiation failed)."""

    status = 500
    code = "engine_error"
