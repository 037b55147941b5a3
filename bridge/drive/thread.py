"""The bridge on its own event loop in a background thread, for synchronous callers."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from ..config import Settings
from ..http.server import BridgeServer

T = TypeVar("T")


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
