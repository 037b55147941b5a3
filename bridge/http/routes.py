"""The bridge's own routes: the voice page, `/api/rtc-connect` and `/api/health`; and a user's
local page, when the bridge serves one (`--page FOLDER_OR_FILE`), under its own prefix."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from quart import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotFound

from ..browser.target import LOCAL_PREFIX
from ..browser.tools import pages_dir
from ..runtime import Bridge
from .files import file_response
from .offers import JSON, RAW, read_offer

PAGE_SUFFIXES = frozenset({".html", ".js", ".css", ".json"})


def bridge_blueprint(bridge: Bridge) -> Blueprint:
    """Routes of the page and the upstream proxy; everything comes from `bridge`."""
    blueprint = Blueprint("bridge", __name__)
    pages = pages_dir()
    max_offer_bytes = bridge.settings.max_offer_bytes

    @blueprint.get("/")
    async def index() -> Response:
        return await page_file("index.html")

    @blueprint.get("/<path:name>")
    async def page_file(name: str) -> Response:
        if PurePosixPath(name).suffix not in PAGE_SUFFIXES:
            raise NotFound()  # the folder is a Python package too: its module is not a page
        return await file_response(pages, name)

    @blueprint.post("/api/rtc-connect")
    async def rtc_connect() -> Response:
        # Only the offer is taken from the request: the upstream, its key and the session
        # come from the bridge's settings, so the route cannot be used as a proxy.
        incoming = await read_offer(request, max_bytes=max_offer_bytes, accept=(RAW, JSON))
        answer = await bridge.upstream.connect(incoming.offer.sdp)
        return Response(answer.sdp, status=201, content_type="application/sdp",
                        headers={"Location": answer.location})

    @blueprint.get("/api/health")
    async def health() -> Response:
        return jsonify(bridge.health())

    return blueprint


def local_page_blueprint(folder: Path) -> Blueprint:
    """A user's page folder at `LOCAL_PREFIX`: every file inside it, nothing outside it. The
    bridge's own routes are registered first and win where a path would clash."""
    blueprint = Blueprint("local_page", __name__, url_prefix=LOCAL_PREFIX.rstrip("/"))

    @blueprint.get("/")
    async def local_index() -> Response:
        return await file_response(folder, "index.html")

    @blueprint.get("/<path:name>")
    async def local_file(name: str) -> Response:
        return await file_response(folder, name)

    return blueprint
