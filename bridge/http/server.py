"""Serving the bridge with Hypercorn, embeddable in a CLI, a test or another program."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart

from ..config import Settings
from ..events.log import EventLog
from ..runtime import Bridge
from .app import create_app

log = logging.getLogger(__name__)


class BridgeServer:
    """The bridge bound to its socket: `settings.port` is the real port even when 0 was asked.

    Binding happens at construction so the URL is known before serving starts; the controlled
    page's first request waits in the listen backlog until Hypercorn accepts.
    """

    def __init__(self, settings: Settings, **collaborators: Any) -> None:
        self._socket = listen(settings.host, settings.port)
        self.settings = settings.replace(port=self._socket.getsockname()[1])
        if self.settings.exposed:
            log.warning(exposure_warning(self.settings.host))
        try:
            self.bridge = Bridge(self.settings, **collaborators)
            self.app: Quart = create_app(self.bridge)
        except BaseException:
            self._socket.close()
            raise

    @property
    def event_log(self) -> EventLog:
        return self.bridge.event_log

    @property
    def url(self) -> str:
        return self.settings.base_url

    async def serve(self, *, shutdown_trigger: Callable[[], Awaitable[Any]]) -> None:
        """Serve until `shutdown_trigger` returns, then close everything the app owns."""
        bridge = self.bridge

        async def trigger() -> None:
            await shutdown_trigger()
            bridge.begin_stopping()

        await serve_on(self._socket, self.app, shutdown_trigger=trigger)


def exposure_warning(host: str) -> str:
    return (f"listening on {host}, reachable from other machines: anyone who can reach it can "
            "start sessions on your upstream (bind 127.0.0.1 unless you mean it)")


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one (read it with getsockname)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {err}") from err
    sock.listen(128)
    return sock


async def serve_on(
    sock: socket.socket, app: Any, *, shutdown_trigger: Callable[[], Awaitable[Any]]
) -> None:
    """Serve an ASGI app with Hypercorn on `sock` until `shutdown_trigger` returns."""
    config = Config()
    # Hypercorn owns and closes the descriptor it is given, so it gets a duplicate.
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    config.accesslog = None
    config.errorlog = None
    config.graceful_timeout = 2.0
    try:
        await serve(app, config, shutdown_trigger=shutdown_trigger)
    finally:
        sock.close()
