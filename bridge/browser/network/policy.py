"""What the controlled browser may reach: the policy the router (`routing`) applies to every
request of the page, decided once from the settings.

With the embedded engine nothing leaves the machine: a request to a host outside loopback is
answered by the bridge (signalling) or aborted, unless its host is allowed (`--allow-host`).
With OpenAI as upstream the page's other requests go out as they would without the bridge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal
from urllib.parse import urlsplit

from ...config import Settings, is_loopback

__all__ = ["OPENAI_HOST", "NetworkPolicy", "OpenAIEndpoint", "glob_pattern", "openai_endpoint"]

OPENAI_HOST = "api.openai.com"
OpenAIEndpoint = Literal["calls", "client_secrets", "beta_calls", "beta_sessions"]
_OPENAI_PATHS: dict[str, OpenAIEndpoint] = {
    "/v1/realtime/calls": "calls",
    "/v1/realtime/client_secrets": "client_secrets",
    "/v1/realtime": "beta_calls",  # ?model=…: the beta interface, SDP in and SDP out
    "/v1/realtime/sessions": "beta_sessions",
}


@dataclass(frozen=True)
class NetworkPolicy:
    """The decisions about the controlled browser's requests.

    - `block_outside`: abort what would leave loopback, unless routed or allowed (the embedded
      engine is the upstream); also drops the page's non-loopback `iceServers`
      (`drop_ice_servers`, applied in the page by the instrumentation);
    - `route_offers`: answer any POST whose body is an SDP offer (off: a page's backend that is
      itself pointed at the bridge is left alone);
    - `routes`: URL globs answered as signalling (Playwright's glob syntax: `*` within a path
      segment, `**` across them, `{a,b}` either);
    - `allow_hosts`: hosts a page may reach outside loopback (`*.example.com`: its subdomains);
    - `own_origin`: the bridge's own origin, whose requests are never routed or blocked.
    """

    block_outside: bool = True
    route_offers: bool = True
    routes: tuple[str, ...] = ()
    allow_hosts: tuple[str, ...] = ()
    own_origin: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> NetworkPolicy:
        return cls(block_outside=settings.upstream == "local", route_offers=settings.route_offers,
                   routes=settings.routes, allow_hosts=settings.allow_hosts,
                   own_origin=settings.page_base_url)

    @property
    def drop_ice_servers(self) -> bool:
        """Whether the page's STUN/TURN servers outside loopback are dropped."""
        return self.block_outside

    @cached_property
    def _route_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(glob_pattern(glob) for glob in self.routes)

    def routed_by_glob(self, url: str) -> bool:
        """True when `url` matches one of the `--route` globs."""
        return any(pattern.fullmatch(url) for pattern in self._route_patterns)

    def is_own(self, url: str) -> bool:
        """True for the bridge's own pages and API."""
        return self.own_origin is not None and _origin(url) == self.own_origin.rstrip("/")

    def host_allowed(self, host: str) -> bool:
        """True for loopback (with `*.localhost`, which Chromium resolves to loopback itself)
        and for the allowed hosts."""
        host = host.lower().rstrip(".")
        if is_loopback(host) or host.endswith(".localhost"):
            return True
        return any(host.endswith(pattern[1:]) if pattern.startswith("*.") else host == pattern
                   for pattern in self.allow_hosts)

    def blocked(self, url: str) -> str | None:
        """Why a request to `url` that nothing routes must not leave, or None when it may go."""
        parts = urlsplit(url)
        if not self.block_outside or parts.scheme not in ("http", "https", "ws", "wss"):
            return None
        host = parts.hostname or ""
        if self.host_allowed(host):
            return None
        if host == OPENAI_HOST:
            return (f"{OPENAI_HOST}{parts.path}: not one of the realtime endpoints the bridge "
                    "answers, and nothing leaves the machine with the embedded engine")
        return (f"{host} is outside loopback and nothing leaves the machine with the embedded "
                "engine (allow it with --allow-host, or route it with --route)")


def openai_endpoint(url: str) -> OpenAIEndpoint | None:
    """Which of OpenAI's realtime endpoints `url` is, if any."""
    parts = urlsplit(url)
    if parts.scheme != "https" or (parts.hostname or "").lower() != OPENAI_HOST:
        return None
    return _OPENAI_PATHS.get(parts.path.rstrip("/") or "/")


def glob_pattern(glob: str) -> re.Pattern[str]:
    """A URL glob as Playwright reads one: `**` any characters, `*` any but `/`, `{a,b}` a or
    b; everything else literally (`?` too)."""
    out, i, depth = "", 0, 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "{":
            out, depth = out + "(?:", depth + 1
        elif char == "}" and depth:
            out, depth = out + ")", depth - 1
        elif char == "," and depth:
            out += "|"
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out + ")" * depth)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
