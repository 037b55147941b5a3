"""The BRIDGE_… environment variables: which setting each one sets, and how its text reads."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ENV_FIELDS", "has_display", "truthy"]


def truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _origins(text: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in text.split(",") if o.strip())


def _hosts(text: str) -> tuple[str, ...]:
    return tuple(h.strip() for h in text.split(",") if h.strip())


def _globs(text: str) -> tuple[str, ...]:
    """Globs separated by commas or white space; a comma inside `{a,b}` belongs to its glob."""
    globs, current, depth = [], "", 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth <= 0 and (char == "," or char.isspace()):
            globs.append(current)
            current = ""
        else:
            current += char
    return tuple(g for g in [*globs, current] if g)


def has_display(env: Mapping[str, str]) -> bool:
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


# (setting, variable, how the variable's text becomes the setting's value)
ENV_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("host", "BRIDGE_HOST", str),
    ("port", "BRIDGE_PORT", int),
    ("model", "BRIDGE_MODEL", str),
    ("voice", "BRIDGE_VOICE", str),
    ("instructions", "BRIDGE_INSTRUCTIONS", str),
    ("mic_file", "BRIDGE_MIC_FILE", Path),
    ("events_path", "BRIDGE_EVENTS", Path),
    ("chromium_path", "BRIDGE_CHROMIUM", str),
    ("max_sessions", "BRIDGE_MAX_SESSIONS", int),
    ("max_events_per_s", "BRIDGE_MAX_EVENTS_PER_S", float),
    ("max_session_s", "BRIDGE_MAX_SESSION_S", float),
    ("cors_origins", "BRIDGE_CORS_ORIGINS", _origins),
    ("open_browser", "BRIDGE_NO_BROWSER", lambda text: not truthy(text)),
    ("page", "BRIDGE_PAGE", str),
    ("start_selector", "BRIDGE_START", str),
    ("storage_state", "BRIDGE_STORAGE_STATE", Path),
    ("checks_path", "BRIDGE_CHECKS", Path),
    ("recognition", "BRIDGE_RECOGNITION", str),
    ("type_while_speaking", "BRIDGE_TYPE_WHILE_SPEAKING", str),
    ("idle_microphone", "BRIDGE_IDLE_MICROPHONE", str),
    ("upstream_read_timeout_s", "BRIDGE_UPSTREAM_TIMEOUT_S", float),
    ("routes", "BRIDGE_ROUTE", _globs),
    ("route_offers", "BRIDGE_ROUTE_OFFERS", truthy),
    ("allow_hosts", "BRIDGE_ALLOW_HOSTS", _hosts),
    ("chromium_args", "BRIDGE_CHROMIUM_ARGS", lambda text: tuple(shlex.split(text))),
    ("inspect", "BRIDGE_INSPECT", truthy),
    ("inspect_token", "BRIDGE_INSPECT_TOKEN", str),
    ("inspect_max_fps", "BRIDGE_INSPECT_FPS", float),
    ("voice_repeat", "BRIDGE_VOICE_REPEAT", int),
    ("browser_ws", "BRIDGE_BROWSER_WS", str),
    ("cdp_url", "BRIDGE_CDP", str),
    ("rtc_host", "BRIDGE_RTC_HOST", str),
)
