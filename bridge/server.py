"""Serving the app with Hypercorn, embeddable in a CLI, a test or another program."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart

from .app import STATE, BridgeState, create_app
from .config import Settings
from .eventlog import EventLog

T = TypeVar("T")
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
            self.app: Quart = create_app(self.settings, **collaborators)
        except BaseException:
            self._socket.close()
            raise

    @property
    def state(self) -> BridgeState:
        state: BridgeState = self.app.extensions[STATE]
        return state

    @property
    def event_log(self) -> EventLog:
        return self.state.event_log

    @property
    def url(self) -> str:
        return self.settings.base_url

    async def serve(self, *, shutdown_trigger: Callable[[], Awaitable[Any]]) -> None:
        """Serve until `shutdown_trigger` returns, then close everything the app owns."""
        state = self.state

        async def trigger() -> None:
            await shutdown_trigger()
            state.stopping = True  # from now on a failing part is part of stopping

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


class BridgeThread:
    """A BridgeServer on its own event loop in a background thread (tests, notebooks).

    `call(coro_fn)` runs a coroutine on the bridge's loop and returns its result; the event
    log can be waited on from the calling thread.
    """

    def __init__(self, settings: Settings, **collaborators: Any) -> None:
        self._settings = settings
        self._collaborators = collaborators
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="rtc-bridge", daemon=True)
        self.server: BridgeServer | None = None

    def start(self, *, timeout_s: float = 30.0) -> BridgeThread:
        self._thread.start()
        if not self._started.wait(timeout_s):
            raise TimeoutError("the bridge did not start")
        if self._error is not None:
            raise RuntimeError(f"the bridge failed to start: {self._error}") from self._error
        return self

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            self.server = BridgeServer(self._settings, **self._collaborators)
        except BaseException as err:
            self._error = err
            self._started.set()
            return
        self._started.set()
        try:
            await self.server.serve(shutdown_trigger=self._stop.wait)
        finally:
            # Finalise unreachable transports while this loop can still run their close
            # callbacks; finalised after the loop closed they raise, at an arbitrary later
            # moment in whatever the calling thread happens to be doing.
            gc.collect()
            await asyncio.sleep(0)

    def call(self, fn: Callable[[], Coroutine[Any, Any, T]], *, timeout_s: float = 30.0) -> T:
        """Run `fn()` on the bridge's loop and wait for its result."""
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(fn(), self._loop)
        return future.result(timeout_s)

    def stop(self, *, timeout_s: float = 30.0) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout_s)
        # What the bridge's loop left behind is finalised here, at a known moment, rather than
        # at the next collection inside whatever the caller does next (a finaliser that runs
        # inside `ast.parse` on CPython 3.11 can break it).
        gc.collect()
