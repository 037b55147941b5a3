"""The Quart app: maps the bridge's routes, errors and CORS, and ties its lifespan to serving."""

from __future__ import annotations

import asyncio
import contextlib

from quart import Quart, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..inspect.actions import Actions
from ..inspect.inspector import PATH as INSPECT_PATH
from ..inspect.routes import inspect_blueprint
from ..runtime import Bridge
from .calls import calls_blueprint
from .errors import install_error_handlers
from .offers import DRAIN_BYTES
from .routes import bridge_blueprint, local_page_blueprint

# How long an answered request's unread body is waited for before its connection is let go.
_DRAIN_TIMEOUT_S = 5.0


def create_app(bridge: Bridge) -> Quart:
    """The app serving `bridge`: its routes, the engine's calls API when it has an engine,
    OpenAI-shaped errors, same-origin unless origins are allowed. Serving starts the bridge
    and ends by closing it."""
    app = Quart(__name__, static_folder=None)
    # Offer routes read bodies themselves and refuse them over max_offer_bytes (see offers);
    # this only bounds what any request may send at all.
    app.config["MAX_CONTENT_LENGTH"] = DRAIN_BYTES
    settings = bridge.settings
    if bridge.engine is not None:
        app.register_blueprint(calls_blueprint(
            bridge.engine, session_defaults=settings.session_config(),
            api_key=settings.local_api_key, max_offer_bytes=settings.max_offer_bytes))
    app.register_blueprint(bridge_blueprint(bridge))
    if bridge.inspector is not None:
        app.register_blueprint(inspect_blueprint(
            bridge.inspector, Actions(bridge.browser, bridge.event_log)))
    if bridge.target.folder is not None:
        app.register_blueprint(local_page_blueprint(bridge.target.folder))
    install_error_handlers(app)
    allowed = frozenset(settings.cors_origins)

    @app.after_request
    async def cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        # The inspector is same-origin only, whatever other origins the API allows.
        if request.path.startswith(INSPECT_PATH):
            return response
        if origin and origin.rstrip("/") in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Expose-Headers"] = "Location"
        return response

    @app.after_request
    async def drain_unread_body(response: Response) -> Response:
        # A request answered from its headers alone (a 401, a 404) may still be sending its
        # body; Hypercorn closes a connection whose request had not fully arrived when the
        # response ended, under a client that reuses it. Waiting for the body keeps it open.
        with contextlib.suppress(RequestEntityTooLarge, TimeoutError):
            async with asyncio.timeout(_DRAIN_TIMEOUT_S):
                await request.body
        return response

    app.before_serving(bridge.start)
    app.after_serving(bridge.aclose)
    return app
