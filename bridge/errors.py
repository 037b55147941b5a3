"""Every error the bridge raises on purpose: one root, a family for each part of the bridge.

    BridgeError
    ├── SettingsError            a setting the bridge cannot use
    ├── RequestError             a request the bridge will not serve
    │   ├── InvalidRequest       malformed: bad JSON, an unreadable form, an unknown call
    │   │   └── InvalidOffer     not a usable SDP offer
    │   ├── Unauthorized         a missing or wrong bearer token
    │   ├── Forbidden            a client, Host or Origin the route refuses
    │   ├── PayloadTooLarge      a body over its limit
    │   ├── UnsupportedMediaType a Content-Type the route does not take
    │   └── RequestTimeout       a body that did not arrive in time
    ├── UpstreamError            the realtime upstream refused, was unreachable or answered garbage
    │   └── UpstreamTimeout      … or did not answer in time
    ├── EngineError              the embedded engine
    │   ├── TooManySessions      at its call limit, or shutting down
    │   ├── ProtocolError        a client event it refuses (an `error` event; the session goes on)
    │   ├── RecognitionError     speech recognition failed
    │   └── SpeechError          speech could not be synthesised or read
    ├── BrowserError             the controlled browser
    │   ├── ChromiumNotFound     no usable Chromium
    │   └── PageNotReady         its page is not connected (yet, or any more)
    ├── ToolError                a tool call the registry refuses
    ├── ScenarioError            a scenario or checks file that cannot run
    └── RecordingError           a page that could not be recorded

Each message says what went wrong and what to check. Errors carry no HTTP status: `http.errors`
maps them to statuses and OpenAI's `{"error": {...}}` body.
"""

from __future__ import annotations

__all__ = [
    "BridgeError", "BrowserError", "ChromiumNotFound", "EngineError", "Forbidden", "InvalidOffer",
    "InvalidRequest", "PageNotReady", "PayloadTooLarge", "ProtocolError", "RecognitionError",
    "RecordingError", "RequestError", "RequestTimeout", "ScenarioError", "SettingsError",
    "SpeechError", "ToolError", "TooManySessions", "Unauthorized", "UnsupportedMediaType",
    "UpstreamError", "UpstreamTimeout",
]


class BridgeError(Exception):
    """Root of the bridge's errors; `message` is what a person reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SettingsError(BridgeError):
    """A setting has a value the bridge cannot use; the message names the setting."""


class RequestError(BridgeError):
    """A request the bridge will not serve; `param` names the field at fault, if one is."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class InvalidRequest(RequestError):
    """The request is malformed: bad JSON, an unreadable form, a call that does not exist."""


class InvalidOffer(InvalidRequest):
    """The body is not a usable SDP offer (what is wrong is in the message)."""


class Unauthorized(RequestError):
    """The bearer token is missing or wrong."""


class Forbidden(RequestError):
    """The request came from a client, for a Host or with an Origin the route refuses."""


class PayloadTooLarge(RequestError):
    """The body is larger than the route's limit."""


class UnsupportedMediaType(RequestError):
    """The route does not take the body's Content-Type."""


class RequestTimeout(RequestError):
    """The body did not arrive in time."""


class UpstreamError(BridgeError):
    """The realtime upstream refused the call, was unreachable or answered garbage."""


class UpstreamTimeout(UpstreamError):
    """The realtime upstream did not answer in time."""


class EngineError(BridgeError):
    """The embedded engine could not do what was asked."""


class TooManySessions(EngineError):
    """The engine has as many calls as it may, or is shutting down."""


class ProtocolError(EngineError):
    """A client event the engine refuses; it becomes an `error` server event with `code`
    and `param`, and the session stays open."""

    def __init__(self, message: str, *, code: str = "invalid_value",
                 param: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.param = param


class RecognitionError(EngineError):
    """Speech recognition failed: pocketsphinx is missing, a model was rejected, or a worker died."""


class SpeechError(EngineError):
    """Speech could not be synthesised or read: what failed and what to check is in the message."""


class BrowserError(BridgeError):
    """The controlled browser could not do what was asked: not started, its page gone."""


class ChromiumNotFound(BrowserError):
    """No usable Chromium: says what was looked for and how to install one."""


class PageNotReady(BrowserError):
    """The controlled page is not connected, so what was asked of it cannot be done now."""


class ToolError(BridgeError):
    """A call the registry refuses: unknown tool or arguments that do not fit its schema."""


class ScenarioError(BridgeError):
    """A scenario file that cannot run; the message says where (file:line) and what is wrong."""


class RecordingError(BridgeError):
    """The page could not be recorded or the recording not written; the message says why."""
