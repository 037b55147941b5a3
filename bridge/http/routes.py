"""The bridge's own routes: the voice page, `/api/rtc-connect` and `/api/health`."""

from __future__ import annotations

from pathlib import PurePosixPath

from quart import Blueprint, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import NotFound

from ..browser.tools import pages_dir
from ..runtime import Bridge
from .offers import JSON, RAW, read_offer

PAGE_SUFFIXES = frozenset({".html", ".js", ".css", ".json"})


def bridge_blueprint(bridge: Bridge) -> Blueprint:
    """Routes of the page and the upstream proxy; everything comes from `bridge`."""
    blueprint = Blueprint("bridge", __name__)
    pages = pages_dir()
    max_offer_bytes = bridge.settings.max_offer_bytes

    @blueprint.get("/")
    async def index() -> Response:
        return await send_from_directory(pages, "index.html")

    @blueprint.get("/<path:name>")
    async def page_file(name: str) -> Response:
        if PurePosixPath(name).suffix not in PAGE_SUFFIXES:
            raise NotFound()  # the folder is a Python package too: its module is not a page
        return await send_from_directory(pages, name)

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
