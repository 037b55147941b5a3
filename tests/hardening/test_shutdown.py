"""Shutdown of a real `rtc-bridge run` while sessions are live: Ctrl-C (SIGINT to the whole
process group, as a terminal sends it) to a bridge with its controlled page and a client, and
SIGTERM (to the bridge alone, as a service manager does) to one serving a client. Peers are
closed, child processes gone, the event log complete and valid to its last line, and nothing
noisy on stderr."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bridge.drive.client import RealtimeClient
from tests.network_safety import SAFETY_ENV

pytestmark = pytest.mark.e2e
RTC_BRIDGE = Path(sys.executable).with_name("rtc-bridge")
NOISE = ("Traceback", "never retrieved", "was destroyed but it is pending", "Exception in callback",
         "ERROR", "KeyboardInterrupt")


@dataclass
class Run:
    proc: asyncio.subprocess.Process
    events: Path
    stdout: list[str]
    url: str = ""

    async def ready(self, timeout_s: float = 90) -> None:
        assert self.proc.stdout is not None
        async with asyncio.timeout(timeout_s):
            while True:
                line = (await self.proc.stdout.readline()).decode()
                assert line, f"rtc-bridge exited early: {self.stdout}"
                self.stdout.append(line)
                if line.startswith("rtc-bridge serving "):
                    self.url = line.split()[-1].rstrip("/")
                if line.startswith("ready:"):
                    return


async def start(events: Path, *flags: str) -> Run:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "BRIDGE_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(SAFETY_ENV)
    proc = await asyncio.create_subprocess_exec(
        str(RTC_BRIDGE), "run", "--port", "0", "--headless", "--events", str(events), *flags,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=env, start_new_session=True)
    return Run(proc, events, [])


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


async def stop(run: Run, how: str, *, children: int) -> tuple[str, str, set[int]]:
    """Signal the bridge; return its stdout, stderr and the processes it had started."""
    family = descendants(run.proc.pid)
    # Chromium runs in its own process group, so it is found among the descendants too.
    assert len(family) >= children, family  # the speech worker, the driver, Chromium, …
    if how == "ctrl-c":
        os.killpg(run.proc.pid, signal.SIGINT)
    else:
        run.proc.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(run.proc.communicate(), 60)
    assert run.proc.returncode == 0, (run.proc.returncode, err.decode()[-2000:])
    return "".join(run.stdout) + out.decode(), err.decode(), family


def check_event_log(path: Path, *, calls_closed: int) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line whole and valid
    assert records[-1]["type"] == "bridge.stopped", records[-3:]
    assert records[-1]["event"]["calls_closed"] == calls_closed
    assert not [r for r in records if r["type"] == "bridge.page_lost"]  # no recovery mid-stop
    return records


async def live_client(run: Run) -> tuple[RealtimeClient, asyncio.Event]:
    """An aiortc client in a call on the bridge's engine; the event is set when it closes."""
    client = RealtimeClient()
    closed = asyncio.Event()
    client.channel.on("close", closed.set)
    response = await client.connect_http(run.url + "/v1/realtime/calls")
    assert response.status_code == 201
    await client.wait_for("session.created")
    return client, closed


def test_shutdown_with_live_sessions(tmp_path: Path, arun: Callable[..., Any]) -> None:
    async def scenario() -> None:
        headed = await start(tmp_path / "page.jsonl")
        served = await start(tmp_path / "served.jsonl", "--no-browser")
        clients: list[RealtimeClient] = []
        try:
            await asyncio.gather(headed.ready(), served.ready())
            (first, first_closed), (second, second_closed) = await asyncio.gather(
                live_client(headed), live_client(served))
            clients += [first, second]
            (out, err, family), (served_out, served_err, served_family) = await asyncio.gather(
                stop(headed, "ctrl-c", children=3), stop(served, "sigterm", children=1))
            # The engines closed the clients' peers on their way out.
            await asyncio.wait_for(asyncio.gather(first_closed.wait(), second_closed.wait()), 10)
        finally:
            await asyncio.gather(*(client.close() for client in clients))
            for run in (headed, served):
                if run.proc.returncode is None:
                    run.proc.kill()
                    await run.proc.wait()
        for text, stream in ((out, "stdout"), (err, "stderr"), (served_out, "stdout"),
                             (served_err, "stderr")):
            assert not [n for n in NOISE if n in text], (stream, text[-3000:])
        assert out.rstrip().endswith("stopped") and served_out.rstrip().endswith("stopped")
        await asyncio.sleep(0.5)
        leftover = [pid for pid in family | served_family if alive(pid)]
        assert not leftover, leftover
        records = check_event_log(headed.events, calls_closed=2)  # the page's and the client's
        assert any(r["type"] == "session.updated" for r in records)  # the page's session
        check_event_log(served.events, calls_closed=1)

    arun(scenario(), timeout_s=150)


def test_ctrl_c_while_starting_stops_quietly(tmp_path: Path, arun: Callable[..., Any]) -> None:
    """Ctrl-C within the first moments, while the bridge is still importing and before it has
    set its own signal handlers, stops it without a traceback."""
    async def scenario() -> None:
        run = await start(tmp_path / "events.jsonl")
        await asyncio.sleep(0.3)  # the interpreter is up; importing takes most of a second
        os.killpg(run.proc.pid, signal.SIGINT)
        out, err = await asyncio.wait_for(run.proc.communicate(), 60)
        assert run.proc.returncode in (0, 130), (run.proc.returncode, err.decode()[-2000:])
        assert not [n for n in NOISE if n in out.decode() + err.decode()], err.decode()[-2000:]
        assert "stopped" in out.decode() + err.decode()

    arun(scenario(), timeout_s=90)
