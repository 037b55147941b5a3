"""For the routing tests: pages served from other loopback origins by a plain static server,
and a Chromium (with the tests' safety net) whose contexts are each routed by a
`SignallingRouter`, run on a bridge's own event loop as the controlled browser is.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from bridge.browser.chromium import choose_chromium, launch_args
from bridge.browser.network.policy import NetworkPolicy
from bridge.browser.network.routing import SignallingRouter
from bridge.config import Settings
from bridge.drive.thread import BridgeThread
from bridge.engine import Engine
from bridge.events.log import EventLog
from bridge.upstream import Upstream
from tests.network_safety import CHROMIUM_SAFETY_ARGS

# A page's own code, as a user would write it: an offer with an audio transceiver and a data
# channel labelled `response`, posted however `post(sdp)` posts it; the answer read as SDP
# text (or JSON's `sdp`); then the channel's first events.
CONNECT_JS = """
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await Promise.race([sleep(1500), new Promise((r) => pc.addEventListener(
    'icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()))]);
}
window.connectWith = async (post) => {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  const dc = pc.createDataChannel('response');
  const events = [];
  dc.onmessage = (e) => events.push(JSON.parse(e.data));
  const opened = new Promise((r) => { dc.onopen = r; });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  let response;
  try { response = await post(pc.localDescription.sdp); }
  catch (e) { pc.close(); return { fetchError: String(e) }; }
  const text = await response.text();
  const type = response.headers.get('Content-Type') || '';
  const out = { status: response.status, location: response.headers.get('Location'), type };
  if (!response.ok) { pc.close(); return { ...out, body: JSON.parse(text) }; }
  const sdp = type.includes('json') ? JSON.parse(text).sdp : text;
  await pc.setRemoteDescription({ type: 'answer', sdp });
  await Promise.race([opened, sleep(10000)]);
  for (let i = 0; i < 100 && !events.some((e) => e.type === 'session.created'); i++) await sleep(50);
  out.channel = dc.readyState;
  out.session = (events.find((e) => e.type === 'session.created') || {}).session || null;
  out.ufrag = /a=ice-ufrag:(\\S+)/.exec(sdp)[1];
  pc.close();
  return out;
};
"""
PAGE = f"<!doctype html><html><head><title>user page</title></head><body><h1>User page</h1>" \
       f"<script>{CONNECT_JS}</script></body></html>"

T = TypeVar("T")
PostHandler = Callable[[str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def free_port(host: str = "127.0.0.2") -> int:
    """A port nothing listens on (bound and released): a backend that does not exist."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class StaticSite:
    """Pages (path → HTML) on `host`, any free port; POSTs go to `on_post` (else 404)."""

    host: str = "127.0.0.1"
    pages: dict[str, str] = field(default_factory=lambda: {"/": PAGE})
    on_post: PostHandler | None = None
    posts: list[str] = field(default_factory=list)

    def start(self) -> StaticSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = site.pages.get(self.path.split("?")[0])
                self._send(200 if page else 404, {"Content-Type": "text/html"},
                           (page or "not found").encode())

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                site.posts.append(self.path)
                if site.on_post is None:
                    self._send(404, {}, b"")
                    return
                self._send(*site.on_post(self.path, dict(self.headers), body))

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self._server.server_port}{path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@dataclass
class PageRun:
    """What a page's script returned, and each request that failed: (url, Chromium's error)."""

    result: Any
    failed: list[tuple[str, str]]


@contextmanager
def engine_browser() -> Iterator[RoutedBrowser]:
    """A bridge on the embedded engine (no speech, no controlled browser of its own) and a
    routed Chromium on its loop."""
    settings = Settings.from_env({}, port=0, headless=True, open_browser=False, upstream="local")
    thread = BridgeThread(settings, engine=Engine()).start()
    try:
        browser = RoutedBrowser(thread).start()
        try:
            yield browser
        finally:
            browser.stop()
    finally:
        thread.stop()


@contextmanager
def static_site(**options: Any) -> Iterator[StaticSite]:
    site = StaticSite(**options).start()
    try:
        yield site
    finally:
        site.stop()


class RoutedBrowser:
    """One Chromium on `thread`'s loop; each `context(policy)` is routed by its own router
    over the bridge's upstream (or `upstream`)."""

    def __init__(self, thread: BridgeThread) -> None:
        assert thread.server is not None
        self._thread = thread
        self.bridge = thread.server.bridge
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    @property
    def event_log(self) -> EventLog:
        return self.bridge.event_log

    def start(self) -> RoutedBrowser:
        async def launch() -> None:
            self._playwright = await async_playwright().start()
            chromium = self._playwright.chromium
            choice = choose_chromium(None, chromium.executable_path)
            self._browser = await chromium.launch(
                **choice.launch_options(), args=launch_args(fake_mic=None,
                                                            extra=CHROMIUM_SAFETY_ARGS))
        self._thread.call(launch, timeout_s=60)
        return self

    def context(self, policy: NetworkPolicy, *, upstream: Upstream | None = None
                ) -> tuple[BrowserContext, SignallingRouter]:
        router = SignallingRouter(upstream=upstream or self.bridge.upstream,
                                  event_log=self.event_log, policy=policy)

        async def open_context() -> BrowserContext:
            assert self._browser is not None
            context = await self._browser.new_context(service_workers="block")
            await router.install(context)
            return context
        return self._thread.call(open_context), router

    def run(self, context: BrowserContext, url: str, script: str, arg: Any = None) -> PageRun:
        """Open `url` in `context`, evaluate `script` (a function of `arg`), close the page."""
        async def go() -> PageRun:
            page = await context.new_page()
            failed: list[tuple[str, str]] = []
            page.on("requestfailed", lambda r: failed.append((r.url, r.failure or "")))
            try:
                await page.goto(url)
                result = await page.evaluate(script, arg)
                await page.wait_for_timeout(100)  # let late failures (an <img>, a socket) land
                return PageRun(result, failed)
            finally:
                await page.close()
        return self._thread.call(go, timeout_s=60)

    def call(self, fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run `fn()` on the bridge's loop, where the browser and the routers live."""
        return self._thread.call(fn)

    def stop(self) -> None:
        async def close() -> None:
            if self._browser is not None:
                await self._browser.close()
            if self._playwright is not None:
                await self._playwright.stop()
        self._thread.call(close)
