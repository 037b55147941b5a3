"""Load and a small soak (`make soak` runs the long one): concurrent connects are answered or
refused with 503, none hangs; sessions opened and closed one after another leave no peer
connection, task, file descriptor or thread behind."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from bridge.engine.limits import SessionLimits
from tests.hardening.conftest import engine_bridge, engine_of, url_of
from tests.hardening.leaks import (
    concurrent_connects,
    sequential_sessions,
    settled,
    snapshot,
)


def test_32_concurrent_connects_are_answered_or_refused(arun: Callable[..., Any]) -> None:
    with engine_bridge(max_sessions=24) as bridge:
        url = url_of(bridge)
        statuses, slowest_s, locations = arun(concurrent_connects(url, 32))
        assert statuses == {201: 24, 503: 8}, statuses
        assert slowest_s < 30
        with httpx.Client(base_url=url, timeout=10, trust_env=False) as http:
            for location in locations:
                assert http.post(location + "/hangup").status_code == 200
        assert engine_of(bridge).active_calls == 0


def test_sequential_sessions_leave_nothing_behind(arun: Callable[..., Any]) -> None:
    with engine_bridge(limits=SessionLimits()) as bridge:
        url = url_of(bridge)
        arun(sequential_sessions(bridge, url, 2))  # warm up: pools, caches, first imports
        before = settled(bridge, snapshot(bridge), timeout_s=1)
        started = time.monotonic()
        arun(sequential_sessions(bridge, url, 8), timeout_s=120)
        after = settled(bridge, before)
        print(f"\n8 sessions in {time.monotonic() - started:.1f} s; before {before}; "
              f"after {after}")
        assert not after.grew(before), after.grew(before)
        assert after.engine_calls == 0
