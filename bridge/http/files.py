"""Answering with a file from a folder: confined to it, read whole in one thread."""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path, PurePosixPath

from quart import Response
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join


async def file_response(folder: Path, name: str) -> Response:
    """`name` (a URL path) inside `folder`, or 404: never a path outside it, nor a hidden file
    or folder (`.env`, `.git/…`)."""
    if any(part.startswith(".") for part in PurePosixPath(name).parts):
        raise NotFound()
    path = safe_join(str(folder), name)
    if path is None:
        raise NotFound()
    try:
        # Opened, read and closed in one thread: a request cancelled meanwhile (the page
        # navigated away) cannot leave the file open, as a streamed file body can.
        body = await asyncio.to_thread(Path(path).read_bytes)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as err:
        raise NotFound() from err
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(body, mimetype=mimetype, headers={"Cache-Control": "no-cache"})
