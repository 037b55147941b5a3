"""The Quart app: the voice page, /api/rtc-connect, /api/health, and the engine's calls API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from quart import Quart, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException

from .browser import ControlledBrowser
from .config import Settings
from .engine.calls import Engine
from .engine.http import calls_blueprint
from .engine.limits import SessionLimits
from .engine.voice import EngineVoice
from .errors import BridgeError, PayloadTooLarge, TooManySessions
from .eventlog import EventLog
from .offers import DRAIN_BYTES, JSON, RAW, read_offer
from .tools import PAGES_DIR, ToolRegistry
from .upstream import LocalUpstream, OpenAIUpstream, Upstream

log = logging.getLogger(__name__)
STATE = "rtc_bridge"


@dataclass
class BridgeState:
    """What the app owns while it serves; reached through `app.extensions["rtc_bridge"]`."""

    settings: Settings
    event_log: EventLog
    registry: ToolRegistry
    upstream: Upstream
    engine: Engine | None
    voice: EngineVoice | None = None
    browser: ControlledBrowser | None = None
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    stopping: bool = False


def create_app(
    settings: Settings,
    *,
    event_log: EventLog | None = None,
    upstream: Upstream | None = None,
    engine: Engine | None = None,
    registry: ToolRegistry | None = None,
) -> Quart:
    """Build the app. Collaborators are injectable so tests swap them without patching."""
    app = Quart(__name__, static_folder=None)
    # Offer routes read bodies themselves and refuse them over max_offer_bytes (see offers);
    # this only bounds what any request may send at all.
    app.config["MAX_CONTENT_LENGTH"] = DRAIN_BYTES
    voice = None
    if engine is None and settings.upstream == "local":
        voice = EngineVoice()
        engine = Engine(speech=voice, max_sessions=settings.max_sessions,
                        limits=SessionLimits(max_events_per_s=settings.max_events_per_s,
                                             max_session_s=settings.max_session_s))
    if upstream is None:
        upstream = _default_upstream(settings, engine)
    state = BridgeState(
        settings=settings,
        event_log=event_log or EventLog(settings.events_path),
        registry=registry or ToolRegistry.load(),
        upstream=upstream,
        engine=engine,
        voice=voice,
    )
    if settings.open_browser:
        state.browser = ControlledBrowser(settings, registry=state.registry,
                                          event_log=state.event_log, url=settings.base_url)
    app.extensions[STATE] = state
    if engine is not None:
        app.register_blueprint(calls_blueprint(
            engine, session_defaults=settings.session_config(),
            api_key=settings.local_api_key, max_offer_bytes=settings.max_offer_bytes))
    _routes(app, state)
    _lifespan(app, state)
    return app


def _default_upstream(settings: Settings, engine: Engine | None) -> Upstream:
    if settings.upstream == "openai":
        assert settings.openai_api_key is not None  # Settings refuses openai without a key
        return OpenAIUpstream(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            session=settings.session_config(),
            connect_timeout_s=settings.upstream_connect_timeout_s,
            read_timeout_s=settings.upstream_read_timeout_s,
        )
    assert engine is not None
    return LocalUpstream(engine, session=settings.session_config())


def _routes(app: Quart, state: BridgeState) -> None:
    settings = state.settings

    @app.get("/")
    async def index() -> Response:
        return await send_from_directory(PAGES_DIR, "index.html")

    @app.get("/<path:name>")
    async def page_file(name: str) -> Response:
        return await send_from_directory(PAGES_DIR, name)

    @app.post("/api/rtc-connect")
    async def rtc_connect() -> Response:
        incoming = await read_offer(request, max_bytes=settings.max_offer_bytes,
                                    accept=(RAW, JSON))
        answer = await state.upstream.connect(incoming.offer.sdp)
        return Response(answer.sdp, status=201, content_type="application/sdp",
                        headers={"Location": answer.location})

    @app.get("/api/health")
    async def health() -> Response:
        browser = state.browser
        return jsonify({
            "status": "ok",
            "upstream": state.upstream.name,
            "page": {
                "controlled": browser is not None,
                "connected": bool(browser and browser.connected),
                "call_id": browser.call_id if browser else None,
            },
            "calls": state.engine.active_calls if state.engine else None,
        })

    @app.errorhandler(BridgeError)
    async def bridge_error(err: BridgeError) -> Response:
        response = jsonify(err.body())
        response.status_code = err.status
        if isinstance(err, TooManySessions):
            response.headers["Retry-After"] = "5"
        if isinstance(err, PayloadTooLarge):
            # The rest of a very large body may be unread: tell the client not to reuse the
            # connection, which the server closes.
            response.headers["Connection"] = "close"
        return response

    @app.errorhandler(HTTPException)
    async def http_error(err: HTTPException) -> Response:
        code = err.code or 500
        kind = "invalid_request_error" if code < 500 else "server_error"
        response = jsonify({"error": {"type": kind, "code": (err.name or "error").lower()
                                      .replace(" ", "_"), "message": err.description or err.name,
                                      "param": None}})
        response.status_code = code
        if code == 413:
            response.headers["Connection"] = "close"
        return response

    @app.errorhandler(Exception)
    async def unexpected(err: Exception) -> Response:
        # Never a traceback in a response; the log has it.
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = jsonify({"error": {"type": "server_error", "code": "internal_error",
                                      "message": "internal error; see the bridge's log",
                                      "param": None}})
        response.status_code = 500
        return response

    @app.after_request
    async def cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and origin.rstrip("/") in settings.cors_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Expose-Headers"] = "Location"
        return response


def _lifespan(app: Quart, state: BridgeState) -> None:
    @app.before_serving
    async def start() -> None:
        if state.voice is not None:
            # The first decode would otherwise pay for starting the decoder process.
            _background(state, _warm_up(state))
        if state.browser is not None:
            # Started in the background: the page loads from this very server, which only
            # accepts connections once startup has finished.
            _background(state, _start_browser(state))

    @app.after_serving
    async def stop() -> None:
        calls = state.engine.active_calls if state.engine is not None else None
        for task in list(state.tasks):
            task.cancel()
        await asyncio.gather(*state.tasks, return_exceptions=True)
        # Each part is closed even if one before it fails, and the event log always last.
        closers = [part.aclose for part in (state.browser, state.engine, state.voice)
                   if part is not None]
        for close in [*closers, state.upstream.aclose]:
            try:
                await close()
            except Exception:
                log.exception("closing %s failed", getattr(close, "__self__", close))
        state.event_log.append(dir="bridge", type="bridge.stopped",
                               event={"calls_closed": calls})
        state.event_log.close()


def _background(state: BridgeState, coro: Any) -> None:
    task = asyncio.get_running_loop().create_task(coro)
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)


async def _warm_up(state: BridgeState) -> None:
    assert state.voice is not None
    if state.browser is not None:
        # Once the controlled page is connected: starting the decoder process alongside
        # Chromium slowed the start by most of a second on two cores.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.browser.ready.wait(), 30)
    await state.voice.warm_up()


async def _start_browser(state: BridgeState) -> None:
    assert state.browser is not None
    try:
        await state.browser.start()
    except Exception as err:  # reported in the log and the event log; the server keeps serving
        if state.stopping:  # e.g. Ctrl-C reached Playwright's driver while Chromium started
            log.info("the controlled browser's start was cut short by shutdown: %s", err)
            return
        log.error("the controlled browser could not start: %s", err)
        state.event_log.append(dir="bridge", type="bridge.browser_failed",
                               event={"error": str(err)})
