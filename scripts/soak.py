"""The long soak (`make soak`): a bridge on the embedded engine takes mutated offers, a burst of
concurrent connects, and sessions opened and closed one after another; prints what it held
before and after. Exits 1 on any 5xx (a crash), a hung connect, or anything left behind.

Usage: .venv/bin/python scripts/soak.py [--mutations 10000] [--sessions 200] [--seed 5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge.config import Settings  # noqa: E402
from bridge.drive.thread import BridgeThread  # noqa: E402
from tests.hardening.leaks import (  # noqa: E402
    Resources,
    concurrent_connects,
    post_mutations,
    sequential_sessions,
    settled,
    snapshot,
)


def table(title: str, before: Resources, after: Resources) -> list[str]:
    lines = [title, f"  {'':<18}{'before':>8}{'after':>8}"]
    for field in fields(Resources):
        lines.append(f"  {field.name:<18}{getattr(before, field.name):>8}"
                     f"{getattr(after, field.name):>8}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=32)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    settings = Settings.from_env({}, port=0, headless=True, open_browser=False, upstream="local")
    bridge = BridgeThread(settings).start()
    assert bridge.server is not None
    url = bridge.server.url
    failures: list[str] = []
    try:
        asyncio.run(sequential_sessions(bridge, url, 3))  # warm up
        start = settled(bridge, snapshot(bridge), timeout_s=1)

        began = time.monotonic()
        statuses, crashes = post_mutations(url, args.mutations, seed=args.seed)
        took = time.monotonic() - began
        print(f"offer mutations: {args.mutations} in {took:.1f} s "
              f"({args.mutations / took:.0f}/s), seed {args.seed}")
        for status, count in sorted(statuses.items()):
            print(f"  HTTP {status or 'no response'}: {count}")
        server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
        print(f"  crashes (5xx or no response): {server_errors}")
        failures += crashes[:10]

        statuses, slowest_s, locations = asyncio.run(concurrent_connects(url, args.concurrent))
        hung = args.concurrent - sum(statuses.values())
        print(f"concurrent connects: {args.concurrent} at once → "
              + ", ".join(f"{n}× {s}" for s, n in sorted(statuses.items()))
              + f"; slowest {slowest_s:.2f} s; hung {hung}")
        if hung or set(statuses) - {201, 503}:
            failures.append(f"concurrent connects: {dict(statuses)}")
        asyncio.run(_hang_up(url, locations))

        before = settled(bridge, start)
        began = time.monotonic()
        asyncio.run(sequential_sessions(bridge, url, args.sessions))
        took = time.monotonic() - began
        after = settled(bridge, before)
        print(f"sequential sessions: {args.sessions} in {took:.1f} s "
              f"({took / max(args.sessions, 1) * 1000:.0f} ms each)")
        print("\n".join(table("resources (at start / after everything):", start, after)))
        grew = after.grew(start)
        print(f"  leaks: {len(grew)}" + (f" {grew}" if grew else ""))
        if grew:
            failures.append(f"resources grew: {grew}")
    finally:
        bridge.stop()
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


async def _hang_up(url: str, locations: list[str]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=10, trust_env=False) as http:
        for location in locations:
            await http.post(location + "/hangup")


if __name__ == "__main__":
    sys.exit(main())
