"""A Playwright browser server on loopback, started from the installed package in a process
group of its own (so that stopping it stops its browsers too): for the tests and the bench that
drive the bridge through one (`--browser-ws`).

    with BrowserServer().start() as server:
        settings = settings.replace(browser_ws=server.url, chromium_path=chromium)
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

__all__ = ["START_TIMEOUT_S", "BrowserServer", "free_port", "stop_group"]

START_TIMEOUT_S = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class BrowserServer:
    """`python -m playwright run-server` on 127.0.0.1:`port` (`--unsafe`: it honours the
    client's args and executablePath)."""

    def __init__(self, *, unsafe: bool = True, browsers_path: Path | None = None) -> None:
        self.port = free_port()
        self.unsafe = unsafe
        # PLAYWRIGHT_BROWSERS_PATH of the server: where its own browsers are (none, if empty).
        self.browsers_path = browsers_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def start(self) -> BrowserServer:
        command = [sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1",
                   "--port", str(self.port), *(["--unsafe"] if self.unsafe else [])]
        env = dict(os.environ)
        if self.browsers_path is not None:
            env["PLAYWRIGHT_BROWSERS_PATH"] = str(self.browsers_path)
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _listening(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the browser server on port {self.port} did not start")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None

    def __enter__(self) -> BrowserServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop `process` and everything in its process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
    # Whatever outlived its parent in the group (the server's node process lingers on SIGTERM).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
    if process.stderr is not None:
        process.stderr.close()
