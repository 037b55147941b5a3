"""A user's page served by its own backend, as its author would run it: static files from the
page's folder (and any extra folders, e.g. a vendored SDK bundle), and `POST /session`, which
hands out an ephemeral key from OpenAI's `POST /v1/realtime/client_secrets` with the server's
key at the `OPENAI_BASE_URL` it is configured with (the bridge's engine in these tests)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class PageBackend(SimpleHTTPRequestHandler):
    base_url = "https://api.openai.com/v1"
    api_key = ""
    folders: Mapping[str, Path] = {}

    def translate_path(self, path: str) -> str:
        """`/vendor/NAME/…` from an extra folder; everything else from the page's folder."""
        for prefix, folder in self.folders.items():
            if prefix and path.startswith(f"/{prefix}/"):
                return str(folder / path.split("?", 1)[0][len(prefix) + 2:])
        return str(self.folders[""] / path.split("?", 1)[0].lstrip("/"))

    def do_POST(self) -> None:  # noqa: N802 (the http.server name)
        if self.path != "/session":
            self.send_error(404)
            return
        request = urllib.request.Request(
            f"{self.base_url}/realtime/client_secrets", method="POST",
            data=json.dumps({"session": {"type": "realtime", "model": "gpt-realtime"}}).encode(),
            headers={"Authorization": f"Bearer {self.api_key}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the bridge's event log, not this server's."""


def serve(page: str, *, base_url: str = "https://api.openai.com/v1", api_key: str = "",
          extra: Mapping[str, Path] | None = None, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """The page folder `page` (under user_pages/) on `host` and a free port, served from a daemon
    thread; `.shutdown()` and `.server_close()` stop it."""
    folders = {"": HERE / page, **(extra or {})}
    handler = type("Configured", (PageBackend,), {"base_url": base_url, "api_key": api_key,
                                                 "folders": folders})
    server = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
