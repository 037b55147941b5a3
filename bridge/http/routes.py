"""The bridge's own routes: the voice page, `/api/rtc-connect` and `/api/health`."""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path, PurePosixPath

from quart import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

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
        return await page_file("index.html")

    @blueprint.get("/<path:name>")
    async def page_file(name: str) -> Response:
        if PurePosixPath(name).suffix not in PAGE_SUFFIXES:
            raise NotFound()  # the folder is a Python package too: its module is not a page
        path = safe_join(str(pages), name)
        if path is None:
            raise NotFound()
        try:
            # Opened, read and closed in one thread: a request cancelled meanwhile (the page
            # navigated away) cannot leave the file open, as a streamed file body can.
            body = await asyncio.to_thread(Path(path).read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as err:
            raise NotFound() from err
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(body, mimetype=mimetype, headers={"Cache-Control": "no-cache"})

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
