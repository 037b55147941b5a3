"""A small task group: tasks an object starts, kept referenced, and cancelled and awaited
together when it closes. Imports nothing else of the bridge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class TaskGroup:
    """Spawns tasks on the running loop and holds a reference to each until it ends.

    `on_error(exc)` (optional) hears of a task that failed with anything but cancellation;
    without it the failure is logged. `aclose()` cancels what is still running and waits for
    it; the task that calls it (if one of the group's) is left to finish. Closing twice is
    harmless; spawning after close is an error.
    """

    def __init__(self, *, name: str = "tasks",
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        self._name = name
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def closed(self) -> bool:
        """True once `aclose` began: no new tasks."""
        return self._closed

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        if self._closed:
            coro.close()
            raise RuntimeError(f"{self._name}: closed, no new tasks")
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        if self._on_error is not None:
            self._on_error(error)
        else:
            log.error("%s: a task failed", self._name, exc_info=error)

    async def join(self) -> None:
        """Wait until the running tasks (but the caller's own) have ended, cancelling none."""
        current = asyncio.current_task()
        await asyncio.gather(*(task for task in self._tasks if task is not current),
                             return_exceptions=True)

    async def cancel(self) -> None:
        """Cancel the running tasks (but the caller's own) and wait until they have ended."""
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Refuse new tasks, then `cancel()`."""
        self._closed = True
        await self.cancel()
