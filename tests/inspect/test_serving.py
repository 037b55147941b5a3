"""A real `rtc-bridge run`: it prints the inspector's URL (with the token when one is in force),
refuses the stream without it, and, stopped while somebody watches, ends the stream itself
(`closing`) rather than leaving it for the server to cut."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.network_safety import SAFETY_ENV

pytestmark = pytest.mark.e2e
RTC_BRIDGE = Path(sys.executable).with_name("rtc-bridge")
TOKEN = "a-fixed-token-for-this-test"


async def read_until(stream: asyncio.StreamReader, prefix: str, seen: list[str]) -> str:
    while True:
        line = (await stream.readline()).decode()
        assert line, f"rtc-bridge exited early: {seen}"
        seen.append(line)
        if line.startswith(prefix):
            return line.strip()


def test_run_prints_the_inspector_and_ends_its_streams_on_stop(arun: Callable[..., Any]) -> None:
    async def scenario() -> tuple[str, int, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIDGE_"))}
        env.update(SAFETY_ENV, BRIDGE_INSPECT_TOKEN=TOKEN)
        proc = await asyncio.create_subprocess_exec(
            str(RTC_BRIDGE), "run", "--port", "0", "--no-browser", "--quiet",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env)
        assert proc.stdout is not None
        seen: list[str] = []
        try:
            printed = await asyncio.wait_for(read_until(proc.stdout, "inspector: ", seen), 60)
            url = printed.split()[1]
            base = url.split("/inspect")[0]
            async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=10) as http:
                refused = (await http.get("/inspect/stream")).status_code
                auth = {"Authorization": f"Bearer {TOKEN}"}
                async with http.stream("GET", "/inspect/stream", headers=auth) as stream:
                    lines = stream.aiter_lines()
                    async for line in lines:
                        if line == "event: status":
                            break
                    proc.send_signal(signal.SIGTERM)
                    last = ""
                    async for line in lines:
                        if line.startswith("event: "):
                            last = line
            await asyncio.wait_for(proc.wait(), 30)
            return printed, refused, last
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()

    printed, refused, last = arun(scenario(), timeout_s=90)
    assert printed.startswith("inspector: http://127.0.0.1:") and printed.endswith(
        f"/inspect?token={TOKEN}")
    assert refused == 401
    assert last == "event: closing"
