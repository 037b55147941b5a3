"""Limits: concurrent sessions (503 + Retry-After), per-session event rate, session duration,
and the settings that configure them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bridge.config import Settings
from bridge.drive.client import RealtimeClient
from bridge.engine.limits import EventRate, SessionLimits
from bridge.errors import SettingsError
from bridge.runtime import Bridge
from tests.hardening.conftest import assert_openai_error, engine_bridge, engine_of, url_of
from tests.hardening.offer_mutations import CHROMIUM_OFFER

CALLS = "/v1/realtime/calls"


def test_sessions_beyond_the_maximum_get_503_with_retry_after() -> None:
    with engine_bridge(max_sessions=2) as bridge, httpx.Client(
            base_url=url_of(bridge), timeout=20, trust_env=False) as http:
        answered = [http.post(CALLS, content=CHROMIUM_OFFER,
                              headers={"Content-Type": "application/sdp"}) for _ in range(2)]
        assert [r.status_code for r in answered] == [201, 201]
        refused = http.post("/api/rtc-connect", content=CHROMIUM_OFFER,
                            headers={"Content-Type": "application/sdp"})
        error = assert_openai_error(refused, 503)
        assert error["code"] == "too_many_sessions" and "limit 2" in error["message"]
        assert int(refused.headers["retry-after"]) > 0
        assert http.post(answered[0].headers["location"] + "/hangup").status_code == 200
        again = http.post(CALLS, content=CHROMIUM_OFFER, headers={"Content-Type": "application/sdp"})
        assert again.status_code == 201
        for response in (answered[1], again):
            http.post(response.headers["location"] + "/hangup")
        assert engine_of(bridge).active_calls == 0


def test_a_flood_of_events_is_cut_to_the_rate_and_the_session_survives(
    arun: Callable[..., Any],
) -> None:
    limits = SessionLimits(max_events_per_s=20, burst_events=40)
    with engine_bridge(limits=limits) as bridge:
        async def scenario() -> None:
            client = RealtimeClient()
            try:
                assert (await client.connect_http(url_of(bridge) + CALLS)).status_code == 201
                await client.wait_for("session.created")
                started = time.monotonic()
                for _ in range(1000):
                    client.send({"type": "input_audio_buffer.clear"})
                await client.wait_for(lambda e: e.get("error", {}).get("code")
                                      == "rate_limit_exceeded", timeout_s=10)
                await asyncio.sleep(1.2)  # the bucket refills
                elapsed = time.monotonic() - started
                handled = client.types().count("input_audio_buffer.cleared")
                reports = [e for _, e in client.events if e["type"] == "error"]
                assert 40 <= handled <= 40 + 20 * elapsed + 2, (handled, elapsed)
                assert 1 <= len(reports) <= elapsed + 2  # a few reports, not one per event
                assert all(e["error"]["code"] == "rate_limit_exceeded" for e in reports)
                assert "dropped" in reports[0]["error"]["message"]
                # Under load the tail of the flood may still be arriving and take the refilled
                # tokens; the session must take events again once it has passed.
                updated = await _first_accepted(
                    client, {"type": "session.update", "session": {"instructions": "calm"}},
                    "session.updated")
                assert updated["session"]["instructions"] == "calm"
            finally:
                await client.close()

        arun(scenario())


def test_a_session_ends_at_its_maximum_duration(arun: Callable[..., Any]) -> None:
    with engine_bridge(limits=SessionLimits(max_session_s=0.8)) as bridge:
        async def scenario() -> None:
            client = RealtimeClient()
            closed = asyncio.Event()
            client.channel.on("close", closed.set)
            try:
                started = time.time()
                assert (await client.connect_http(url_of(bridge) + CALLS)).status_code == 201
                created = await client.wait_for("session.created")
                assert created["session"]["expires_at"] <= started + 3
                error = await client.wait_for("error", timeout_s=10)
                assert error["error"]["code"] == "session_expired"
                assert "maximum duration" in error["error"]["message"]
                assert time.time() - started >= 0.7
                await asyncio.wait_for(closed.wait(), 10)  # the engine closed the call
            finally:
                await client.close()

        arun(scenario())
        deadline = time.monotonic() + 5
        while engine_of(bridge).active_calls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert engine_of(bridge).active_calls == 0


def test_event_rate_bucket() -> None:
    now = [0.0]
    rate = EventRate(10, 5, clock=lambda: now[0])
    assert [rate.admit() for _ in range(7)] == [True] * 5 + [False] * 2
    assert rate.dropped_report() == 2 and rate.dropped_report() is None
    now[0] = 0.5  # five more tokens
    assert [rate.admit() for _ in range(6)] == [True] * 5 + [False]
    assert rate.dropped_report() is None  # reported less than a second ago
    now[0] = 1.6
    assert rate.dropped_report() == 1 and rate.dropped_total == 3


def test_limits_come_from_the_environment_and_reach_the_engine(
    arun: Callable[..., Any],
) -> None:
    settings = Settings.from_env({"BRIDGE_MAX_EVENTS_PER_S": "12.5", "BRIDGE_MAX_SESSION_S": "90",
                                  "BRIDGE_MAX_SESSIONS": "3"}, open_browser=False)
    assert (settings.max_events_per_s, settings.max_session_s, settings.max_sessions) == (
        12.5, 90.0, 3)
    bridge = Bridge(settings)
    try:
        assert bridge.engine is not None and bridge.voice is not None
        assert bridge.engine.limits == SessionLimits(max_events_per_s=12.5, max_session_s=90.0)
    finally:
        arun(bridge.aclose())
    assert Settings.from_env({}).max_session_s == 3600  # OpenAI's own limit


@pytest.mark.parametrize("env", [
    {"BRIDGE_MAX_EVENTS_PER_S": "0"}, {"BRIDGE_MAX_EVENTS_PER_S": "nan"},
    {"BRIDGE_MAX_SESSION_S": "-1"}, {"BRIDGE_MAX_SESSION_S": "inf"},
    {"BRIDGE_MAX_SESSIONS": "0"},
])
def test_bad_limits_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


async def _first_accepted(client: RealtimeClient, event: dict[str, Any], answer: str,
                          *, attempts: int = 20) -> dict[str, Any]:
    """Send `event` every half second until the server answers it with `answer`."""
    for _ in range(attempts):
        mark = len(client.events)
        client.send(event)
        try:
            return await client.wait_for(answer, timeout_s=0.5, after=mark)
        except TimeoutError:
            continue
    raise AssertionError(f"{event['type']} was never accepted after the flood")
