"""A user's page served by its own backend, as its author would run it: static files from the
page's folder (and extra folders under their own prefix, e.g. a vendored SDK bundle at
`/vendor/sdk/`), and `POST /session`, which hands out an ephemeral key from OpenAI's
`POST /v1/realtime/client_secrets` with the server's key at the `OPENAI_BASE_URL` it is
configured with (the bridge's engine in these tests)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class Upstream:
    """Where the backend gets its keys: set once the bridge is up (`point_at`); a request that
    comes first waits for it, as a backend waits for its configuration."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.base_url = ""
        self._set = threading.Event()

    def point_at(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._set.set()

    def url(self, path: str) -> str:
        if not self._set.wait(10):
            raise RuntimeError("the backend was never told its OPENAI_BASE_URL")
        return f"{self.base_url}{path}"


class PageBackend(SimpleHTTPRequestHandler):
    upstream = Upstream("")
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
            self.upstream.url("/realtime/client_secrets"), method="POST",
            data=json.dumps({"session": {"type": "realtime", "model": "gpt-realtime"}}).encode(),
            headers={"Authorization": f"Bearer {self.upstream.api_key}",
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


class Site:
    """A page's own server on loopback: `url` to open it, `upstream.point_at(...)` to configure
    its backend, `close()` to stop it."""

    def __init__(self, page: str, *, api_key: str = "sk-backend-test", host: str = "127.0.0.1",
                 extra: Mapping[str, Path] | None = None) -> None:
        self.upstream = Upstream(api_key)
        folders = {"": HERE / page, **(extra or {})}
        handler = type("Configured", (PageBackend,), {"upstream": self.upstream,
                                                     "folders": folders})
        self._server = ThreadingHTTPServer((host, 0), handler)
        self.url = f"http://{host}:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
