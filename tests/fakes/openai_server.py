"""A local server that plays OpenAI's part: `POST /v1/realtime/calls` with faults on demand.

In `answer` mode it answers with a real engine peer, so a browser behind the bridge's OpenAI
upstream really connects; the other modes are OpenAI's failures.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from quart import Quart, Response, request

from bridge.engine import Engine
from bridge.http.server import listen, serve_on

T = TypeVar("T")


@dataclass
class Seen:
    authorization: str | None
    content_type: str
    query: str
    sdp: str | None
    session: dict[str, Any] | None
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeOpenAI:
    key: str
    mode: str = "answer"  # answer | 401 | 500 | slow | garbage | leak (401 quoting the key)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0

    def app(self, engine: Engine) -> Quart:
        app = Quart(__name__)

        @app.post("/v1/realtime/calls")
        async def calls() -> Response:
            form = await request.form
            session = json.loads(form["session"]) if "session" in form else None
            self.seen.append(Seen(request.headers.get("Authorization"), request.mimetype,
                                  request.query_string.decode(), form.get("sdp"), session,
                                  request.path, {k.lower(): v for k, v in request.headers.items()}))
            if self.mode == "leak":
                # The worst an upstream could do: quote the whole key everywhere it can.
                return Response(json.dumps({"error": {
                    "type": f"key {self.key}", "code": self.key, "param": self.key,
                    "message": f"Incorrect API key provided: {self.key}"}}), status=401,
                    content_type="application/json", headers={"X-Echo": self.key})
            if request.headers.get("Authorization") != f"Bearer {self.key}" or self.mode == "401":
                return _error(401, "invalid_api_key", "Incorrect API key provided: sk-abc***xyz")
            if self.mode == "500":
                return _error(500, "server_error", "The server had an error")
            if self.mode == "slow":
                await asyncio.sleep(30)
            if self.mode == "garbage":
                return Response("<html>surprise</html>", status=201,
                                headers={"Location": "/v1/realtime/calls/rtc_x"})
            call = await engine.create_call(form["sdp"], session=session)
            return Response(call.answer_sdp, status=201, content_type="application/sdp",
                            headers={"Location": f"/v1/realtime/calls/{call.id}"})

        return app

    def start(self) -> FakeOpenAI:
        sock = listen("127.0.0.1", 0)
        self.port = sock.getsockname()[1]
        started = threading.Event()

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            engine = Engine()
            self.engine = engine
            started.set()
            try:
                await serve_on(sock, self.app(engine), shutdown_trigger=self._stop.wait)
            finally:
                await engine.aclose()

        self._thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def call(self, fn: Callable[[], Coroutine[Any, Any, T]], *, timeout_s: float = 10.0) -> T:
        """Run `fn()` on this server's loop (where its engine lives) and return the result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(fn(), self._loop)
        return future.result(timeout_s)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        if hasattr(self, "_stop"):
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def _error(status: int, code: str, message: str) -> Response:
    body = {"error": {"type": "invalid_request_error", "code": code, "message": message,
                      "param": None}}
    return Response(json.dumps(body), status=status, content_type="application/json")
