"""`rtc-bridge`: run the bridge with its controlled browser and print the session as it happens."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .browser.remote import shown
from .browser.target import own_page_query
from .config import IDLE_MICROPHONE_MODES, TYPING_MODES, Settings
from .errors import BrowserError, ScenarioError, SettingsError
from .events.describe import describe
from .events.log import Record
from .http.server import BridgeServer
from .tasks import TaskGroup


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rtc-bridge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve, open the controlled Chromium, print events")
    run.add_argument("--host", help="address to bind (default 127.0.0.1; env BRIDGE_HOST)")
    run.add_argument("--port", type=int, help="port (default 8765, 0 = any free; BRIDGE_PORT)")
    run.add_argument("--upstream", choices=("local", "openai"),
                     help="realtime upstream (default: openai if OPENAI_API_KEY is set, else local)")
    run.add_argument("--model", help="realtime model (default gpt-realtime; BRIDGE_MODEL)")
    run.add_argument("--voice", help="agent voice (default marin; BRIDGE_VOICE)")
    run.add_argument("--instructions", help="agent instructions (BRIDGE_INSTRUCTIONS)")
    run.add_argument("--recognition", choices=("grammar", "open"),
                     help="the embedded engine's recogniser: the session's command grammar "
                          "(default) or an open n-gram model (BRIDGE_RECOGNITION)")
    run.add_argument("--type-while-speaking", choices=TYPING_MODES,
                     help="a message typed while the agent answers interrupts the answer "
                          "(default) or waits for its end (BRIDGE_TYPE_WHILE_SPEAKING)")
    run.add_argument("--idle-microphone", choices=IDLE_MICROPHONE_MODES,
                     help="a controlled page's microphone that carries only what the bridge "
                          "plays pauses between clips (pause) or sends silence (send); auto "
                          "(default) pauses with the embedded engine (BRIDGE_IDLE_MICROPHONE)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--headless", dest="headless", action="store_true", default=None,
                      help="no browser window (default when there is no display)")
    mode.add_argument("--headed", dest="headless", action="store_false",
                      help="show the browser window (needs a display, e.g. xvfb-run)")
    run.add_argument("--mic-file", type=Path,
                     help="WAV the controlled browser's microphone plays (BRIDGE_MIC_FILE)")
    run.add_argument("--events", dest="events_path", type=Path,
                     help="append the JSONL event log here (BRIDGE_EVENTS)")
    run.add_argument("--no-browser", dest="open_browser", action="store_false", default=None,
                     help="serve only; open the page in your own browser (BRIDGE_NO_BROWSER=1)")
    _add_page_arguments(run)
    _add_network_options(run)
    _add_inspector_options(run)
    _add_remote_options(run)
    run.add_argument("--quiet", action="store_true", help="print only the ready line and tools")
    _add_demo_parser(commands)
    return parser


def _add_page_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--page", help="your own voice page instead of the bridge's: an http(s) "
                        "URL, or a local HTML file or folder the bridge serves (BRIDGE_PAGE)")
    parser.add_argument("--start", dest="start_selector", metavar="SELECTOR",
                        help="what to click once the page has loaded, e.g. its connect button "
                        "(a Playwright selector; BRIDGE_START)")
    parser.add_argument("--storage-state", type=Path, metavar="FILE",
                        help="cookies and local storage for a page behind a login, as Playwright "
                        "saves them (BRIDGE_STORAGE_STATE)")
    parser.add_argument("--checks", dest="checks_path", type=Path, metavar="FILE",
                        help="what each tool should change in the DOM (YAML or JSON; "
                        "BRIDGE_CHECKS)")


def _add_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--route", dest="routes", action="append", metavar="GLOB",
                        help="also answer requests to URLs matching GLOB as signalling "
                             "(repeatable; BRIDGE_ROUTE)")
    parser.add_argument("--no-route-offers", dest="route_offers", action="store_false",
                        default=None, help="leave POSTs of SDP offers to the page's own backend "
                                           "(BRIDGE_ROUTE_OFFERS=0)")
    parser.add_argument("--allow-host", dest="allow_hosts", action="append", metavar="HOST",
                        help="let the page reach HOST (or *.domain) outside loopback with the "
                             "embedded engine (repeatable; BRIDGE_ALLOW_HOSTS)")


def _add_remote_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--browser-ws", dest="browser_ws", metavar="WS_URL",
                        help="drive a browser of a Playwright browser server (`playwright "
                             "run-server`) instead of launching one (BRIDGE_BROWSER_WS)")
    parser.add_argument("--cdp", dest="cdp_url", metavar="URL",
                        help="drive a running Chromium over CDP instead of launching one, e.g. "
                             "http://127.0.0.1:9222 (BRIDGE_CDP)")
    parser.add_argument("--rtc-host", dest="rtc_host", metavar="HOST",
                        help="the address the embedded engine offers in its ICE candidates, "
                             "for a browser on another machine (BRIDGE_RTC_HOST)")


def _add_inspector_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-inspect", dest="inspect", action="store_false", default=None,
                        help="no inspector at /inspect (BRIDGE_INSPECT=0); its token, needed "
                             "when the bridge is exposed, is BRIDGE_INSPECT_TOKEN")
    parser.add_argument("--inspect-fps", dest="inspect_max_fps", type=float, metavar="FPS",
                        help="the inspector's picture: at most this many frames a second "
                             "(default 15; BRIDGE_INSPECT_FPS)")


def _add_demo_parser(commands: Any) -> None:
    demo = commands.add_parser(
        "demo", help="run a scripted session; record it with sound; report on each tool call",
        description="Run a scenario (YAML or JSON) on a bridge with its controlled Chromium and "
                    "write events.jsonl, summary.json, session.webm and report.html into DIR. "
                    "Exit status: 0 every expectation held, 1 one did not, 2 nothing started.")
    demo.add_argument("scenario", type=Path, help="scenario file (YAML or JSON)")
    demo.add_argument("--out", type=Path, required=True, metavar="DIR",
                      help="directory for the outputs (created; refused if it exists)")
    demo.add_argument("--force", action="store_true",
                      help="write into an existing DIR, replacing earlier demo outputs")
    demo.add_argument("--upstream", choices=("local", "openai"),
                      help="realtime upstream (default: openai if OPENAI_API_KEY is set, "
                           "else local)")
    mode = demo.add_mutually_exclusive_group()
    mode.add_argument("--headless", dest="headless", action="store_true", default=None,
                      help="no browser window (default when there is no display)")
    mode.add_argument("--headed", dest="headless", action="store_false",
                      help="show the browser window (needs a display, e.g. xvfb-run)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "demo":
        from .demo.runner import command as demo_command

        return demo_command(args.scenario, args.out, headless=args.headless,
                            upstream=args.upstream, force=args.force, progress=_say)
    flags = {k: v for k, v in vars(args).items() if k not in ("command", "quiet")}
    try:
        settings = Settings.from_env(**flags)
    except SettingsError as err:
        print(f"rtc-bridge: {err}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(settings, quiet=args.quiet))
    except (SettingsError, ScenarioError) as err:  # e.g. a checks file with errors
        print(f"rtc-bridge: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"rtc-bridge: {err}", file=sys.stderr)
        return 1


async def run(settings: Settings, *, quiet: bool = False) -> int:
    started = time.monotonic()
    # Our handlers first: until they are set, a Ctrl-C is asyncio's, which only cancels this
    # task at its next await, wherever in the server's start-up that falls.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = BridgeServer(settings)
    settings = server.settings
    mode = "no controlled browser" if not settings.open_browser else (
        "headless" if settings.headless else "headed")
    if settings.open_browser and settings.remote_browser:
        kind = "browser server" if settings.browser_ws else "CDP"
        mode += f", {kind} at {shown(settings.browser_ws or settings.cdp_url or '')}"
    mic = f", microphone file {settings.mic_file}" if settings.mic_file else ""
    _say(f"rtc-bridge serving {server.url}/")
    _say(f"upstream: {server.bridge.upstream.name}"
         + (f" ({settings.openai_base_url})" if settings.upstream == "openai" else
            " (embedded engine: a local command-level agent, not an LLM)"))
    _say(f"browser: {mode}{mic}")
    inspector = server.bridge.inspector
    if inspector is not None:
        exposed = " (from another machine: this machine's address for the host)" if (
            settings.exposed) else ""
        _say(f"inspector: {inspector.url}{exposed}")
    printer = _EventPrinter(quiet=quiet)
    unsubscribe = server.event_log.subscribe(printer)
    tasks = TaskGroup(name="run")
    tasks.spawn(_announce_ready(server, started))
    if sys.stdin is not None and sys.stdin.isatty():
        tasks.spawn(_type_from_stdin(server))
    try:
        await server.serve(shutdown_trigger=stop.wait)
    finally:
        unsubscribe()
        await tasks.aclose()
    _say("stopped")
    return 0


# When the page has not connected by then, `run` says what it did (and goes on waiting).
NOT_CONNECTED_WARNING_S = 20.0


async def _announce_ready(server: BridgeServer, started: float) -> None:
    browser = server.bridge.browser
    if browser is None:
        query = own_page_query(server.settings.type_while_speaking)
        _say(f"ready: open {server.url}/{query} in your browser")
        return
    try:
        await browser.wait_connected(NOT_CONNECTED_WARNING_S)
    except BrowserError as err:  # say what the page did, and keep waiting: it may still connect
        _say(f"not connected yet: {err}")
        await browser.ready.wait()
    _say(f"ready: the controlled page is connected (call {browser.call_id}) "
         f"after {time.monotonic() - started:.2f} s. Type a message and press Enter to send it "
         "through the page; Ctrl-C stops.")


async def _type_from_stdin(server: BridgeServer) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        text = line.strip()
        browser = server.bridge.browser
        if text and browser is not None and browser.connected:
            await browser.type_text(text)


class _EventPrinter:
    def __init__(self, *, quiet: bool) -> None:
        self._quiet = quiet

    def __call__(self, record: Record) -> None:
        line = describe(record)
        if line and (not self._quiet or record.dir == "bridge"):
            _say(line)


def _say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
