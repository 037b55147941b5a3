"""Browsers elsewhere, on loopback: a Playwright browser server started from the installed
package, and a Chromium started by hand with a CDP port. Each runs in its own process group,
so that stopping it stops its Chromium too."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bridge.drive.browser_server import START_TIMEOUT_S, BrowserServer, free_port, stop_group
from tests.network_safety import CHROMIUM_SAFETY_ARGS

__all__ = ["BrowserServer", "CdpChromium", "chromium_pids", "executable", "free_port"]

class CdpChromium:
    """`chromium --remote-debugging-port=0`, headless, without any fake-media flag: its port
    read from "DevTools listening on ws://…"."""

    def __init__(self, executable: str, *, extra: Sequence[str] = ()) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="cdp-chromium-")
        args = [executable, "--headless", "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1", f"--user-data-dir={self._profile.name}",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", *CHROMIUM_SAFETY_ARGS, *extra, "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        start_new_session=True)
        self.url = self._read_url()

    def _read_url(self) -> str:
        assert self.process.stderr is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            line = self.process.stderr.readline().decode(errors="replace")
            found = re.search(r"DevTools listening on ws://[^/\s]+:(\d+)/", line)
            if found:
                return f"http://127.0.0.1:{found.group(1)}"
            if not line and self.process.poll() is not None:
                break
        self.close()
        raise RuntimeError("Chromium did not say where it listens for CDP")

    def close(self) -> None:
        stop_group(self.process)
        self._profile.cleanup()


def chromium_pids(marker: str, *, outside: int | None) -> set[int]:
    """Chromium processes started under this one whose command line has `marker`, but not
    under the process `outside` (a browser server)."""
    import psutil

    excluded: set[int] = set()
    if outside is not None:
        try:
            root = psutil.Process(outside)
            excluded = {root.pid, *(p.pid for p in root.children(recursive=True))}
        except psutil.NoSuchProcess:
            pass
    found = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            name, cmdline = proc.name(), " ".join(proc.cmdline())
        except psutil.Error:  # gone meanwhile
            continue
        if "chrom" in name and marker in cmdline:
            found.add(proc.pid)
    return found - excluded


def executable() -> str:
    """The Chromium these tests hand to the browser server and start for CDP."""
    from bridge.browser.chromium import choose_chromium

    choice = choose_chromium(os.environ.get("BRIDGE_CHROMIUM"), None)
    assert choice.executable is not None
    return str(Path(choice.executable))
