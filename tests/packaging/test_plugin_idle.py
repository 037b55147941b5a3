"""The pytest plugin starts nothing until one of its fixtures is requested: a user's suite whose
tests do not ask for `rtc_bridge` or `voice_page` pays for no bridge, browser or engine.

A test in a fresh pytest process (the plugin loaded from its pytest11 entry point, as in a
user's project) looks at its own process while it runs, after collection and set-up:
- threads: only the main thread (a bridge runs on its own thread, with its event loop; an
  executor or the engine's workers would add more);
- child processes: none, read from /proc (Playwright's driver, Chromium under it, and the ASR
  worker pool are all children of this process);
- sockets: none among the process's file descriptors (a listening server is a socket, and so is
  the self-pipe of any asyncio event loop).
These hold whichever part of the bridge a change might start early, and ask nothing of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc"),
]

PLAIN_TEST = '''
import os
import threading
from pathlib import Path


def children_of(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(stat.parent.name)
    return found


def sockets():
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # the fd used by iterdir itself, closed by now
            continue
        if target.startswith("socket:"):
            found.append(target)
    return found


def test_plain(request):
    assert request.config.pluginmanager.get_plugin("rtc_bridge") is not None, "plugin not loaded"
    assert [t.name for t in threading.enumerate()] == [threading.main_thread().name]
    assert children_of(os.getpid()) == []
    assert sockets() == []
'''


def test_the_plugin_starts_nothing_for_a_test_without_its_fixtures(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(PLAIN_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "PYTHONPATH", "COV_CORE_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_plain.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
