"""A headless Chromium driven by Playwright's async API on an event loop of its own thread, for
tests of async browser code (the test itself stays synchronous), and a loopback static server
for pages that need a real URL."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from bridge.browser.chromium import choose_chromium, launch_args

T = TypeVar("T")


class AsyncChromium:
    """One browser and one tab for a test module; `run(fn, html=…)` gives `fn` the tab with
    `html` loaded and returns what it returns."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()),
                                        name="async-chromium", daemon=True)
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None

    def __enter__(self) -> AsyncChromium:
        self._thread.start()
        self._ready.wait(10)
        self.call(self._launch(), timeout_s=60)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        gc.collect()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        gc.collect()
        await asyncio.sleep(0)

    async def _launch(self) -> None:
        self._playwright = await async_playwright().start()
        choice = choose_chromium(None, self._playwright.chromium.executable_path)
        self._browser = await self._playwright.chromium.launch(**choice.launch_options(),
                                                              args=launch_args(fake_mic=None))
        self._context = await self._browser.new_context()

    def call(self, coro: Coroutine[Any, Any, T], *, timeout_s: float = 30.0) -> T:
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout_s)

    def run(self, fn: Callable[[Page], Awaitable[T]], *, html: str | None = None,
            url: str | None = None, timeout_s: float = 30.0) -> T:
        """`fn(page)` on the module's tab, after loading `url` or `html` into it (from a new
        document, so that nothing of the last test is left; a tab a test closed is replaced)."""
        async def main() -> T:
            assert self._context is not None
            if self._page is None or self._page.is_closed():
                self._page = await self._context.new_page()
            await self._page.goto(url or "about:blank")
            if url is None and html is not None:
                await self._page.set_content(html)
            return await fn(self._page)

        return self.call(main(), timeout_s=timeout_s)


class StaticPages:
    """`pages` (path → HTML) served on 127.0.0.1 at `url`."""

    def __init__(self, pages: Mapping[str, str]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the handler's protocol
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="static-pages",
                                        daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> StaticPages:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
