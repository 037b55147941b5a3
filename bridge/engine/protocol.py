"""OpenAI Realtime GA events on the wire: ids, `error` events, and encoding a server event
for the data channel, whose messages are at most 256 KiB."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

__all__ = ["CHANNEL_MAX_MESSAGE_BYTES", "encode_event", "error_event", "new_id"]

# The largest message a WebRTC data channel carries between Chromium and aiortc (256 KiB):
# no server event is sent larger, and no larger client event is read.
CHANNEL_MAX_MESSAGE_BYTES = 262_144


def new_id(prefix: str) -> str:
    """A new id in OpenAI's style: ``prefix`` and 20 random hex digits (``item_…``, ``rtc_…``)."""
    return f"{prefix}_{secrets.token_hex(10)}"


def error_event(
    message: str, *, code: str, param: str | None = None, event_id: str | None = None,
    error_type: str = "invalid_request_error",
) -> dict[str, Any]:
    """An `error` server event; ``event_id`` names the client event it answers, if one."""
    return {
        "type": "error",
        "error": {
            "type": error_type,
            "code": code,
            "message": message,
            "param": param,
            "event_id": event_id,
        },
    }


def encode_event(event: Mapping[str, Any], *, limit: int = CHANNEL_MAX_MESSAGE_BYTES) -> str:
    """`event` as compact JSON text for the data channel.

    Non-ASCII text stays UTF-8 (escaping it could triple an echoed item's size). An event that
    would not fit in one channel message is replaced by an `error` event saying so.
    """
    text = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate from a client's "\ud800" escape
        text = json.dumps(event, separators=(",", ":"))
        size = len(text)
    if size <= limit:
        return text
    kind = str(event.get("type"))[:64]
    replacement = error_event(
        f"the server event {kind} is {size} bytes, over the data channel's {limit}-byte "
        "message limit, and was not sent", code="event_too_large", error_type="server_error")
    return json.dumps({"event_id": event.get("event_id"), **replacement}, separators=(",", ":"))
