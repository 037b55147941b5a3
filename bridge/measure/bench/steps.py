"""The bench's steps, each measured on one running bridge and its controlled page: how the
figures are taken (the modules beside this one) put together in the order `run` asks for."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

from ...browser.chromium import choose_chromium
from ...config import Settings
from ...drive.browser_server import BrowserServer
from ...drive.handle import BridgeHandle
from ...drive.thread import BridgeThread
from . import coldstart, connect, crossings, probe, scale, voice
from .bridge_runner import QUIET_S, BridgeRunner
from .idle import idle_figures_both_ways
from .inspector import inspector_figures
from .pages import BenchPage
from .remote import remote_figures
from .resources import settle_cpu
from .scenario_runner import scenario_overhead_figures
from .stats import percentile, ratio, rounded, summary
from .user_page import CHECKS as USER_PAGE_CHECKS
from .user_page import user_page_figures, user_site

# The scale step stops adding sessions once the tool p95 is past this, or after this long.
SATURATED_MS = 1000.0
SCALE_BUDGET_S = 120.0
STEPS = ("cold", "connect", "navigation", "tools", "voice", "idle", "user_page", "remote",
         "inspect", "scenario", "scale")


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


class BenchSteps:
    """Runs the steps asked for, collecting figures and the errors of steps that failed."""

    def __init__(self, figures: dict[str, Any], options: dict[str, Any]) -> None:
        self.figures = figures
        self.options = options
        self.errors: list[str] = []

    def step(self, name: str, run: Callable[[], None]) -> None:
        """Run one measurement; a failure is reported and the others still run. The load
        average at its end goes beside its figures: this machine's load moves them."""
        _say(f"{name}…")
        started = time.monotonic()
        try:
            run()
        except Exception as err:
            self.errors.append(f"{name}: {type(err).__name__}: {err}")
            _say(f"{name} failed: {type(err).__name__}: {err}")
            traceback.print_exc(file=sys.stderr)
        load = round(os.getloadavg()[0], 2)
        self.figures.setdefault("load_avg_1m_by_step", {})[name] = load
        _say(f"{name}: {time.monotonic() - started:.1f} s, load average {load}")

    def cold_start(self) -> None:
        samples = [coldstart.cold_start_ms() for _ in range(self.options["cold_starts"])]
        self.figures["cold_start_p50_ms"] = rounded(percentile(samples, 50), 1)
        self.figures["cold_start_max_ms"] = rounded(max(samples), 1)

    def with_bridge(self, steps: set[str], levels: list[int]) -> None:
        settings = Settings.from_env(port=0, headless=True, upstream="local").replace(
            events_path=None, mic_file=None, max_sessions=max(64, 2 * max(levels or [1])))
        if hasattr(settings, "max_events_per_s"):
            # Commands back to back send events far faster than a person does.
            settings = settings.replace(max_events_per_s=1000.0)
        _say("starting a bridge…")
        thread = BridgeThread(settings).start()
        try:
            handle = BridgeHandle(thread).wait_ready(timeout_s=90)
            engine = handle.server.bridge.engine
            assert engine is not None
            run = BridgeRunner(handle, probe.EngineProbe(engine))
            if "connect" in steps:
                self.step("connect", lambda: self.connect(run))
            if "navigation" in steps:
                self.step("navigation", lambda: self.navigation(run))
            if "tools" in steps:
                self.step("tool round trip", lambda: self.tools(run))
            if "voice" in steps:
                self.step("voice to action", lambda: self.voice(run))
            if "idle" in steps:
                self.step("idle sessions", lambda: self.idle(run))
            if "user_page" in steps:
                self.step("a user's page", lambda: self.user_page(run))
            if "inspect" in steps:
                self.step("inspector", lambda: self.figures.update(inspector_figures(
                    run.handle, float(self.options["inspect_seconds"]))))
            if "remote" in steps:
                self.step("a browser server", lambda: self.remote(run))
            if "scenario" in steps:
                self.step("scenario runner", lambda: self.scenario_runner(run))
            if "scale" in steps and levels:
                self.step("scale", lambda: self.scale(run, levels))
        finally:
            thread.stop()

    def connect(self, run: BridgeRunner) -> None:
        offers = run.call(lambda: connect.chromium_offers(run.page, self.options["offers"]))
        base = run.handle.url
        upstream = Settings(port=0, upstream="openai", openai_api_key="bench-local-key",
                            openai_base_url=f"{base}/v1", open_browser=False)
        proxy = BridgeThread(upstream).start()
        try:
            assert proxy.server is not None
            routes = [
                connect.Route("rtc_connect", f"{base}/api/rtc-connect", base),
                connect.Route("direct", f"{base}/v1/realtime/calls", base, token="bench"),
                connect.Route("http_upstream", f"{proxy.server.url}/api/rtc-connect", base),
            ]
            samples = asyncio.run(connect.answer_latencies(routes, offers))
        finally:
            proxy.stop()
        f = self.figures
        f.update(summary("rtc_connect", samples["rtc_connect"], 50, 99))
        f.update(summary("calls_direct", samples["direct"], 50, 99))
        f.update(summary("rtc_connect_http_upstream", samples["http_upstream"], 50, 99))
        f["rtc_connect_offers_count"] = len(samples["rtc_connect"])
        f["proxy_overhead_ratio"] = rounded(ratio(f["rtc_connect_p50_ms"],
                                                  f["calls_direct_p50_ms"]))
        f["proxy_overhead_http_upstream_ratio"] = rounded(ratio(
            f["rtc_connect_http_upstream_p50_ms"], f["calls_direct_p50_ms"]))

    def navigation(self, run: BridgeRunner) -> None:
        loads = self.options["loads"]
        samples = run.call(lambda: connect.navigation_to_channel_open(
            run.handle.browser, run.probe, loads), timeout_s=60 + 20 * loads)
        self.figures.update(summary("nav_to_channel_open", samples, 50, 99))
        self.figures["nav_loads_count"] = len(samples)

    def tools(self, run: BridgeRunner) -> None:
        calls = self.options["calls"]

        async def measure() -> tuple[list[float], int, list[float], dict[str, Any]]:
            session = await run.session()
            echo = await probe.EchoChannel.open(run.engine, session.call_id, run.page)
            try:
                # A few commands first, so that caches and the JIT are warm.
                await probe.tool_round_trips(session.engine_session, session.times, 8)
                session.times.sent.clear()
                session.times.outputs.clear()
                await probe.tool_round_trips(session.engine_session, session.times, calls,
                                             echo=echo, quiet_s=QUIET_S)
            finally:
                echo.close()
            rtts, failed = session.times.round_trips_ms()
            bare = await crossings.crossing_figures(run.page, crossings.CROSSINGS_COUNT)
            return rtts, failed, echo.samples_ms, bare

        rtts, failed, echoes, bare = run.call(measure, timeout_s=120 + calls)
        self.figures.update(probe.round_trip_figures(rtts, failed, echoes, bare))

    def voice(self, run: BridgeRunner) -> None:
        count = self.options["utterances"]
        clips = voice.synthesize_clips()
        voice_engine = run.handle.server.bridge.voice
        assert voice_engine is not None

        async def measure() -> tuple[list[float], int, list[float], int]:
            session = await run.session()
            spoken = [clips[i % len(clips)] for i in range(count)]
            samples, missed = await voice.voice_to_action(
                run.page, run.handle.event_log, session.call_id, session.times, spoken)
            tools = session.engine_session.config.get("tools") or []
            decodes = await voice.decode_times(voice_engine, clips, tools)
            return samples, missed, decodes, voice.silence_window_ms(session.engine_session)

        samples, missed, decodes, silence_ms = run.call(measure, timeout_s=120 + 15 * count)
        f = self.figures
        f.update(summary("voice_to_action", samples, 50, 90))
        f["voice_utterances_count"] = len(samples) + missed
        f["voice_missed_count"] = missed
        f["silence_window_ms"] = silence_ms
        f["asr_decode_p50_ms"] = rounded(percentile(decodes, 50))
        f["voice_floor_ms"] = rounded(silence_ms + (percentile(decodes, 50) or 0.0))
        f["voice_to_action_over_floor_ratio"] = rounded(ratio(f["voice_to_action_p50_ms"],
                                                              f["voice_floor_ms"]))

    def idle(self, run: BridgeRunner) -> None:
        settle_cpu()  # a floor taken while the decoders still warm up would be too high
        self.figures.update(run.call(lambda: idle_figures_both_ways(
            run.handle.server.bridge, run.page.context.browser, run.page.url), timeout_s=300))

    def user_page(self, run: BridgeRunner) -> None:
        loads, calls = self.options["loads"], self.options["user_page_calls"]
        with user_site() as url:
            settings = run.handle.server.settings.replace(port=0, page=url)
            thread = BridgeThread(settings).start()
            try:
                other = BridgeHandle(thread).wait_ready(timeout_s=90)
                other.declare_checks(USER_PAGE_CHECKS)
                engine = other.server.bridge.engine
                assert engine is not None
                user = BridgeRunner(other, probe.EngineProbe(engine))
                runners = {"own": run, "user": user}
                nav = {name: r.navigations(loads) for name, r in runners.items()}
                rtt = {name: r.call(partial(r.round_trips, calls), timeout_s=120 + calls)
                       for name, r in runners.items()}
            finally:
                thread.stop()
        self.figures.update(user_page_figures(nav, rtt))

    def remote(self, run: BridgeRunner) -> None:
        calls, count = self.options["remote_calls"], self.options["utterances"]
        clips = voice.synthesize_clips()
        chromium = choose_chromium(run.handle.server.settings.chromium_path, None).executable
        with BrowserServer().start() as server:
            settings = run.handle.server.settings.replace(port=0, browser_ws=server.url,
                                                          chromium_path=chromium)
            thread = BridgeThread(settings).start()
            try:
                other = BridgeHandle(thread).wait_ready(timeout_s=90)
                assert other.server.bridge.engine is not None
                runners = {"local": run,
                           "remote": BridgeRunner(other, probe.EngineProbe(
                               other.server.bridge.engine))}
                rtt = {name: r.call(partial(r.round_trips, calls), timeout_s=120 + calls)
                       for name, r in runners.items()}
                spoken = {name: r.spoken_commands(clips, count) for name, r in runners.items()}
            finally:
                thread.stop()
        self.figures.update(remote_figures(rtt, spoken))

    def scenario_runner(self, run: BridgeRunner) -> None:
        run.call(run.session)  # the page's answers in text: rounds are not paced by speech
        self.figures.update(scenario_overhead_figures(run.handle, self.options["scenario_rounds"]))

    def scale(self, run: BridgeRunner, levels: list[int]) -> None:
        clips = voice.synthesize_clips()
        duration_s = float(self.options["scale_seconds"])
        bridge = run.handle.server.bridge
        done: list[scale.Level] = []
        deadline = time.monotonic() + SCALE_BUDGET_S

        async def measure() -> None:
            chromium = run.page.context.browser
            assert chromium is not None
            sessions = [await run.session()]
            pages: list[BenchPage] = []
            try:
                for n in levels:
                    opened = await asyncio.gather(*(
                        BenchPage.open(chromium, run.page.url, registry=bridge.registry,
                                       event_log=bridge.event_log)
                        for _ in range(n - len(sessions))), return_exceptions=True)
                    pages += [r for r in opened if isinstance(r, BenchPage)]
                    failures = [r for r in opened if isinstance(r, BaseException)]
                    if failures:
                        raise RuntimeError(f"{len(failures)} of {n} sessions could not connect: "
                                           f"{failures[0]!r}")
                    for page in pages[len(sessions) - 1:]:
                        sessions.append(await scale.session_for(run.probe, page.page))
                    # New pages settle (loaded, connected, the last level's speech decoded)
                    # before the level is measured: its figures are of n sessions running.
                    await asyncio.to_thread(settle_cpu, budget_s=15.0)
                    _say(f"scale: {n} sessions")
                    level = await scale.measure_level(sessions[:n], bridge.event_log, clips,
                                                      duration_s=duration_s)
                    done.append(level)
                    self.figures.update(level.figures())
                    if level.tool_failed > len(level.tool_rtt_ms):
                        raise RuntimeError(f"at {n} sessions most tool commands failed")
                    p95 = percentile(level.tool_rtt_ms, 95) or 0.0
                    if p95 > SATURATED_MS or time.monotonic() > deadline:
                        # Well past the 100 ms mark (or out of time): more sessions would only
                        # queue longer, and take minutes to.
                        _say(f"scale: stopping after {n} sessions (tool p95 {p95:.0f} ms)")
                        break
            finally:
                await asyncio.gather(*(page.close() for page in pages), return_exceptions=True)

        try:
            run.call(measure, timeout_s=900)
        finally:
            within = 0
            self.figures["scale_p95_over_100ms_at_sessions"] = None
            for level in done:
                p95 = percentile(level.tool_rtt_ms, 95)
                if p95 is None or p95 > 100:
                    self.figures["scale_p95_over_100ms_at_sessions"] = level.sessions
                    break
                within = level.sessions
            self.figures["scale_sessions_within_100ms_count"] = within
            self.figures["sessions_per_core_within_100ms"] = rounded(
                within / len(os.sched_getaffinity(0)), 1)
