"""Measuring what a bridge holds (peer connections, asyncio tasks, file descriptors, threads)
before and after many sessions; shared by the load tests and `make soak` (scripts/soak.py)."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, fields

import httpx
from aiortc import RTCPeerConnection

from bridge.drive.client import RealtimeClient
from bridge.drive.thread import BridgeThread
from tests.hardening.offer_mutations import mutations

CALLS = "/v1/realtime/calls"
RTC = "/api/rtc-connect"


@dataclass(frozen=True)
class Resources:
    """What this process holds: open peer connections (both ends), the engine's calls, tasks
    on the bridge's loop, file descriptors and threads."""

    peer_connections: int
    engine_calls: int
    bridge_tasks: int
    fds: int
    threads: int

    def grew(self, before: Resources) -> dict[str, tuple[int, int]]:
        """The figures that are higher now than `before`."""
        return {f.name: (getattr(before, f.name), getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) > getattr(before, f.name)}


def snapshot(bridge: BridgeThread) -> Resources:
    gc.collect()
    peers = sum(1 for o in gc.get_objects()
                if isinstance(o, RTCPeerConnection) and o.connectionState != "closed")
    assert bridge.server is not None and bridge.server.bridge.engine is not None
    engine = bridge.server.bridge.engine

    async def tasks() -> int:
        return len(asyncio.all_tasks()) - 1  # not this one

    return Resources(peer_connections=peers, engine_calls=engine.active_calls,
                     bridge_tasks=bridge.call(tasks), fds=len(os.listdir("/proc/self/fd")),
                     threads=threading.active_count())


def settled(bridge: BridgeThread, baseline: Resources, *, timeout_s: float = 10) -> Resources:
    """A snapshot once nothing is above `baseline` any more, or after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = snapshot(bridge)
        if not now.grew(baseline) or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


async def one_session(url: str, *, path: str = CALLS) -> None:
    """A whole call: offer, answer, channel open, session.created, one update, hang up."""
    client = RealtimeClient()
    try:
        offer = await client.offer()
        # Connection: close, so that the server holds no idle keep-alive connection afterwards
        # (those close on their own after Hypercorn's keep-alive timeout, and would blur the
        # counts for that long).
        async with httpx.AsyncClient(timeout=15, trust_env=False) as http:
            response = await http.post(url + path, content=offer, headers={
                "Content-Type": "application/sdp", "Connection": "close"})
        if response.status_code != 201:
            raise AssertionError(f"{path} answered {response.status_code}: {response.text}")
        await client.accept(response.text)
        await client.wait_for("session.created", timeout_s=15)
        client.send({"type": "session.update", "session": {"instructions": "soak"}})
        await client.wait_for("session.updated", timeout_s=15)
    finally:
        await client.close()


async def sequential_sessions(bridge: BridgeThread, url: str, count: int) -> None:
    for index in range(count):
        await one_session(url, path=(CALLS, RTC)[index % 2])
        # The engine closes its end when the client's goes; wait so calls do not pile up.
        engine = bridge.server.bridge.engine if bridge.server else None
        for _ in range(1000):
            if engine is None or not engine.active_calls:
                break
            await asyncio.sleep(0.01)


async def concurrent_connects(url: str, count: int) -> tuple[Counter[int], float, list[str]]:
    """`count` offers posted to /api/rtc-connect at once: statuses, slowest answer (s), and
    the Location of each answered call."""
    clients = [RealtimeClient() for _ in range(count)]
    try:
        offers = await asyncio.gather(*(client.offer() for client in clients))
        limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits,
                                     trust_env=False) as http:
            async def post(offer: str) -> tuple[httpx.Response, float]:
                started = time.monotonic()
                response = await http.post(RTC, content=offer,
                                           headers={"Content-Type": "application/sdp"})
                return response, time.monotonic() - started

            results = await asyncio.gather(*(post(offer) for offer in offers))
        statuses = Counter(response.status_code for response, _ in results)
        for response, _ in results:
            if response.status_code == 503:
                assert int(response.headers["retry-after"]) > 0
        locations = [r.headers["location"] for r, _ in results if r.status_code == 201]
        return statuses, max(seconds for _, seconds in results), locations
    finally:
        await asyncio.gather(*(client.close() for client in clients))


def post_mutations(url: str, count: int, *, seed: int) -> tuple[Counter[int], list[str]]:
    """Post `count` mutated offers, alternating the two doors; hang up what was answered.
    Returns the statuses (0: no response at all) and a few examples of 5xx or no response."""
    statuses: Counter[int] = Counter()
    crashes: list[str] = []
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as http:
        for index, body in enumerate(mutations(count, seed=seed)):
            try:
                response = http.post((RTC, CALLS)[index % 2], content=body,
                                     headers={"Content-Type": "application/sdp"})
            except httpx.TransportError as err:
                statuses[0] += 1
                crashes.append(f"#{index} ({len(body)} bytes): no response: {err}")
                continue
            statuses[response.status_code] += 1
            if response.status_code == 201:
                http.post(response.headers["location"] + "/hangup")
            elif response.status_code >= 500:
                crashes.append(f"#{index}: {response.status_code} {response.text[:200]}")
    return statuses, crashes
