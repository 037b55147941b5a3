"""The built wheel, installed the way a user adds rtc-bridge to their own project, works.

From the working tree, a wheel is built (the build backend too comes from the wheelhouse that
set-up fills: nothing here reaches a registry) and installed, not editable, into a fresh venv
in a temporary directory: no system site-packages, no PYTHONPATH, no pip configuration but the
wheelhouse, every command run from outside the repository. Then:
- the wheel holds every module under bridge/ and every file of pages/ (as bridge/pages/);
- `bridge` and its voice page are imported and read from inside that venv;
- `rtc-bridge run --port 0 --headless` reaches `ready:`, serves the venv's own `tools.json`
  (marked in the venv so that no other copy could pass for it) and stops cleanly on SIGINT;
- a user's one-test file passes through the plugin's `voice_page` fixture, the plugin loaded
  from its pytest11 entry point.

Chromium: the installed bridge chooses it as it would for a user (BRIDGE_CHROMIUM, passed on
when set, else Playwright's own, else the system's). Installing is the bulk of the time; the
venv is made without pip and filled by this environment's pip (`pip --python`), without
compiling to bytecode: a real, separate, non-editable install, minus work no check needs.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.network_safety import SAFETY_ENV

pytestmark = [pytest.mark.packaging, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
# Top-level entries of the working tree that are not the project's source.
NOT_SOURCE = {".git", ".venv", "build", "dist", "recordings", "tests", ".pytest_cache",
              "bench.json", Path(sys.prefix).name}

USER_TEST = '''
def test_typed_command(voice_page):
    mark = voice_page.type("make the text white")
    call = voice_page.wait_for_tool("changeTextColor", {"color": "white"}, after=mark)
    assert call.verified
'''

FIND_INSTALLED = '''
import json, bridge
from bridge.browser.tools import pages_dir
print(json.dumps({"bridge": bridge.__file__, "tools": str(pages_dir() / "tools.json")}))
'''


def _isolated_env(venv: Path | None = None) -> dict[str, str]:
    """This environment without anything that points Python or pip elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "PIP_", "PYTEST_", "VIRTUAL_ENV", "OPENAI_", "BRIDGE_"))}
    env["PIP_CONFIG_FILE"] = os.devnull  # no index, find-links or constraints from pip.conf
    if os.environ.get("BRIDGE_CHROMIUM"):
        env["BRIDGE_CHROMIUM"] = os.environ["BRIDGE_CHROMIUM"]
    env.update(SAFETY_ENV)
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str],
         timeout_s: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout_s)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


class _Lines:
    """A process's output, line by line, readable with a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with process.stdout:  # closed at the end of the output, not left to the collector
            for line in process.stdout:
                self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, prefix: str, *, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no line starting {prefix!r}; output so far:\n" + "\n".join(self.seen))

    def rest(self, *, timeout_s: float) -> str:
        self._reader.join(timeout_s)
        while not self._queue.empty():
            line = self._queue.get()
            if line is not None:
                self.seen.append(line)
        return "\n".join(self.seen)


@pytest.fixture
def steps() -> Iterator[dict[str, float]]:
    """Seconds per step, printed at the end (`pytest -s` shows them)."""
    times: dict[str, float] = {}
    yield times
    print("\nwheel test: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
          + f"; total {sum(times.values()):.1f} s")


class _Timer:
    def __init__(self, steps: dict[str, float]) -> None:
        self._steps = steps
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self._steps[name] = now - self._last
        self._last = now


def _build_wheel(tmp_path: Path) -> Path:
    # From a copy: setuptools builds through build/ of the source folder and would ship stale
    # modules left there by an earlier build, and parallel builds there would race.
    source = tmp_path / "source"
    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == ROOT
        return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".egg-info"))
                or (top and n in NOT_SOURCE)}

    shutil.copytree(ROOT, source, ignore=ignore)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
          "--no-index", "--find-links", WHEELHOUSE, "-w", dist, source],
         cwd=tmp_path, env=_isolated_env(), timeout_s=120)
    (wheel,) = dist.glob("rtc_bridge-*.whl")
    return wheel


def _expected_files() -> set[str]:
    # Every file under bridge/: its modules and its package data (the instrument's scripts).
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bridge").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    pages = {f"bridge/pages/{p.relative_to(ROOT / 'pages').as_posix()}"
             for p in (ROOT / "pages").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    return modules | pages


def _serve_and_stop(venv: Path, project: Path, installed_tools: Path) -> None:
    process = subprocess.Popen(
        [str(venv / "bin" / "rtc-bridge"), "run", "--port", "0", "--headless"],
        cwd=project, env=_isolated_env(venv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    lines = _Lines(process)
    try:
        serving = lines.until("rtc-bridge serving ", timeout_s=30)
        url = serving.split()[-1]
        inspector = lines.until("inspector: ", timeout_s=30).split()[1]
        lines.until("ready:", timeout_s=60)
        served = httpx.get(f"{url}tools.json", trust_env=False, timeout=10)
        assert served.status_code == 200
        assert served.json() == json.loads(installed_tools.read_text(encoding="utf-8"))
        # The inspector's page and script are package data of the installed wheel too.
        for path in ("", "/inspect.js"):
            page = httpx.get(f"{inspector}{path}", trust_env=False, timeout=10)
            assert page.status_code == 200 and "inspect-" in page.text, (path, page.text[:200])
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    output = lines.rest(timeout_s=5)
    assert code == 0, f"rtc-bridge run exited {code} after SIGINT:\n{output}"
    assert "stopped" in output.splitlines(), output
    assert "Traceback" not in output, output


def test_the_built_wheel_works_in_a_fresh_venv(tmp_path: Path, steps: dict[str, float]) -> None:
    if not (WHEELHOUSE / ".complete").exists():
        pytest.fail(f"no wheelhouse at {WHEELHOUSE}: `make setup` (scripts/setup.sh) fills it")
    timer = _Timer(steps)

    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if not n.startswith("rtc_bridge-")}
        entry_points = archive.read(next(n for n in archive.namelist()
                                         if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert shipped == _expected_files()
    assert "rtc-bridge = bridge.__main__:entry" in entry_points
    assert "rtc_bridge = bridge.drive.pytest_plugin" in entry_points
    assert "rtc_bridge_scenarios = bridge.demo.pytest_plugin" in entry_points
    timer.lap("build")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path,
         env=_isolated_env(), timeout_s=60)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q",
          "--disable-pip-version-check", "--no-index", "--find-links", WHEELHOUSE, "--no-compile",
          f"{wheel}[test]"], cwd=tmp_path, env=_isolated_env(), timeout_s=120)
    timer.lap("install")

    project = tmp_path / "project"
    project.mkdir()
    found = json.loads(_run([python, "-c", FIND_INSTALLED], cwd=project,
                            env=_isolated_env(venv), timeout_s=60).stdout)
    installed_bridge, installed_tools = Path(found["bridge"]), Path(found["tools"])
    assert installed_bridge.is_relative_to(venv), installed_bridge
    assert installed_tools.is_relative_to(venv), installed_tools
    # Marked, so that only the venv's own copy can be the one served.
    tools = json.loads(installed_tools.read_text(encoding="utf-8"))
    tools["x-installed-in"] = str(venv)
    installed_tools.write_text(json.dumps(tools), encoding="utf-8")

    _serve_and_stop(venv, project, installed_tools)
    timer.lap("run")

    (project / "test_voice.py").write_text(USER_TEST, encoding="utf-8")
    result = subprocess.run([str(venv / "bin" / "pytest"), "-q"], cwd=project,
                            env=_isolated_env(venv), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout, result.stdout
    timer.lap("plugin")
