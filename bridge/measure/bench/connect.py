"""Connecting: how fast an offer is answered, by which route, and how soon a page is connected.

Offers are made by Chromium (audio transceiver + `oai-events` channel, as the voice page makes
them) and each is posted to every route in turn, so all routes answer the same offers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from playwright.async_api import Page

from ...browser.controlled import ControlledBrowser
from .probe import EngineProbe

MAKE_OFFERS = """async (count) => {
  const offers = [];
  for (let i = 0; i < count; i++) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver("audio", { direction: "sendrecv" });
    pc.createDataChannel("oai-events");
    await pc.setLocalDescription();
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
      setTimeout(resolve, 2000);
    });
    offers.push(pc.localDescription.sdp);
    pc.close();
  }
  return offers;
}"""


@dataclass(frozen=True)
class Route:
    """Where an offer goes: `url`, and the engine base URL on which its calls are hung up."""

    name: str
    url: str
    hangup_base: str
    token: str | None = None


async def chromium_offers(page: Page, count: int) -> list[str]:
    offers: list[str] = await page.evaluate(MAKE_OFFERS, count)
    return offers


async def answer_latencies(
    routes: Sequence[Route], offers: Sequence[str], *, timeout_s: float = 15.0
) -> dict[str, list[float]]:
    """POST each offer to each route (rotating which goes first); milliseconds until the 201
    answer arrived. Every call made is hung up at once, outside the timing."""
    samples: dict[str, list[float]] = {route.name: [] for route in routes}
    async with httpx.AsyncClient(timeout=timeout_s, trust_env=False) as http:
        for index, offer in enumerate(offers):
            shift = index % len(routes)
            for route in [*routes[shift:], *routes[:shift]]:
                headers = {"Content-Type": "application/sdp"}
                if route.token:
                    headers["Authorization"] = f"Bearer {route.token}"
                started = time.perf_counter()
                response = await http.post(route.url, content=offer, headers=headers)
                elapsed_ms = (time.perf_counter() - started) * 1000
                if response.status_code != 201:
                    raise RuntimeError(f"{route.name}: HTTP {response.status_code}: "
                                       f"{response.text[:200]}")
                samples[route.name].append(elapsed_ms)
                call_id = response.headers["location"].rstrip("/").rsplit("/", 1)[-1]
                await http.post(f"{route.hangup_base}/v1/realtime/calls/{call_id}/hangup",
                                headers={"Authorization": f"Bearer {route.token or 'bench'}"})
    return samples


async def navigation_to_channel_open(
    browser: ControlledBrowser, probe: EngineProbe, loads: int, *, timeout_s: float = 20.0
) -> list[float]:
    """Load the voice page `loads` times in the controlled tab, each time from a blank page (so
    that the previous session's teardown is not counted): milliseconds from asking for the
    navigation to the engine receiving the page's `session.update`, which the page sends the
    moment its data channel opens."""
    page = browser.page
    url = page.url
    samples = []
    for _ in range(loads):
        await page.goto("about:blank")
        seen = set(probe.calls)
        probe.opened.clear()
        browser.ready.clear()
        started = time.monotonic()
        navigation = asyncio.ensure_future(page.goto(url))
        opened_t = None
        try:
            while opened_t is None:
                await asyncio.wait_for(probe.opened.wait(), timeout_s)
                probe.opened.clear()
                fresh = [t.opened_t for call_id, t in probe.calls.items()
                         if call_id not in seen and t.opened_t is not None]
                opened_t = min(fresh) if fresh else None
        finally:
            await navigation
        samples.append((opened_t - started) * 1000)
        await asyncio.wait_for(browser.ready.wait(), timeout_s)
    return samples
