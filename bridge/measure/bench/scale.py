"""Many sessions at once: each in its own browser context with its own call, all on the one
bridge and the one Chromium.

At each level every session issues a tool command every `pace_s` (a busy user) for
`duration_s`, while the CPU of the bridge and of Chromium is metered; then all of them speak a
command at the same moment.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...engine.session import RealtimeSession
from ...events.log import EventLog
from .probe import COMMANDS, CallTimes, EngineProbe, text_replies, user_text
from .resources import CpuMeter, Usage
from .stats import percentile
from .voice import Clip, voice_to_action


@dataclass
class Session:
    """A page and its call as the engine sees it."""

    page: Any
    call_id: str
    engine_session: RealtimeSession
    times: CallTimes


@dataclass(frozen=True)
class Level:
    sessions: int
    tool_rtt_ms: list[float]
    tool_failed: int
    voice_ms: list[float]
    voice_missed: int
    usage: Usage

    def figures(self) -> dict[str, float | int | None]:
        n = self.sessions
        p95 = percentile(self.tool_rtt_ms, 95)
        voice = percentile(self.voice_ms, 50)
        u = self.usage
        return {
            f"scale_{n}_tool_rtt_p95_ms": _r(p95),
            f"scale_{n}_tool_rtt_p50_ms": _r(percentile(self.tool_rtt_ms, 50)),
            f"scale_{n}_tool_calls_count": len(self.tool_rtt_ms),
            f"scale_{n}_tool_failed_count": self.tool_failed,
            f"scale_{n}_voice_to_action_p50_ms": _r(voice),
            f"scale_{n}_voice_missed_count": self.voice_missed,
            f"scale_{n}_bridge_cpu_pct": _r(u.bridge_cpu_pct, 1),
            f"scale_{n}_chromium_cpu_pct": _r(u.chromium_cpu_pct, 1),
            f"scale_{n}_bridge_cpu_pct_per_session": _r(u.bridge_cpu_pct / n, 1),
            f"scale_{n}_chromium_cpu_pct_per_session": _r(u.chromium_cpu_pct / n, 1),
            f"scale_{n}_bridge_rss_mib": _r(u.bridge_mib, 1),
            f"scale_{n}_chromium_rss_mib": _r(u.chromium_mib, 1),
            f"scale_{n}_bridge_rss_mib_per_session": _r(u.bridge_mib / n, 1),
            f"scale_{n}_chromium_rss_mib_per_session": _r(u.chromium_mib / n, 1),
        }


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


async def session_for(probe: EngineProbe, page: Any, *, timeout_s: float = 10.0,
                      call_id: str | None = None) -> Session:
    """The page's current call (the bridge's voice page says which; else `call_id`), as the
    engine sees it, set to reply in text."""
    deadline = time.monotonic() + timeout_s
    while True:
        if call_id is None:
            call_id = await page.evaluate("() => window.rtcBridge.callId")
        engine_session = probe.engine.sessions.get(str(call_id))
        if engine_session is not None and engine_session.config.get("tools"):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the engine has no configured session for the page's call "
                               f"{call_id}")
        await asyncio.sleep(0.1)
    text_replies(engine_session)
    return Session(page, str(call_id), engine_session, probe.times(str(call_id)))


async def paced_commands(
    session: Session, until: float, *, pace_s: float, offset: int, timeout_s: float = 10.0
) -> int:
    """Commands until the monotonic time `until`, each started `pace_s` after the last (or
    when it settled, if later); returns how many got no answer."""
    failed = 0
    times = session.times
    for index in itertools.count(offset):
        started = time.monotonic()
        if started >= until:
            break
        times.settled.clear()
        user_text(session.engine_session, COMMANDS[index % len(COMMANDS)])
        try:
            await asyncio.wait_for(times.settled.wait(), timeout_s)
        except TimeoutError:
            failed += 1
            continue
        await asyncio.sleep(max(0.0, pace_s - (time.monotonic() - started)))
    return failed


async def measure_level(
    sessions: Sequence[Session],
    event_log: EventLog,
    clips: Sequence[Clip],
    *,
    duration_s: float = 12.0,
    pace_s: float = 1.0,
    voice_timeout_s: float = 20.0,
) -> Level:
    """Tool commands from every session for `duration_s`, metered; then one spoken command
    from every session at once."""
    n = len(sessions)
    for session in sessions:
        session.times.sent.clear()
        session.times.outputs.clear()
    meter = CpuMeter().start()
    until = time.monotonic() + duration_s

    # Sessions start spread over one pace interval, as independent users would.
    async def one(k: int, session: Session) -> int:
        await asyncio.sleep(pace_s * k / n)
        return await paced_commands(session, until, pace_s=pace_s, offset=k)

    failures = await asyncio.gather(*(one(k, s) for k, s in enumerate(sessions)))
    usage = meter.stop()
    rtts: list[float] = []
    failed = sum(failures)
    for session in sessions:
        done, unverified = session.times.round_trips_ms()
        rtts += done
        failed += unverified
    spoken = await asyncio.gather(*(
        voice_to_action(s.page, event_log, s.call_id, s.times, [clips[k % len(clips)]],
                        timeout_s=voice_timeout_s)
        for k, s in enumerate(sessions)), return_exceptions=True)
    voice_ms: list[float] = []
    missed = 0
    for result in spoken:
        if isinstance(result, BaseException):
            missed += 1
        else:
            voice_ms += result[0]
            missed += result[1]
    return Level(n, rtts, failed, voice_ms, missed, usage)
