"""A browser elsewhere: a Playwright browser server (`playwright run-server`, the official
Playwright container) reached with `chromium.connect`, or a running Chromium reached over CDP
(`connect_over_cdp`). The bridge starts no Chromium of its own then.

A browser server honours the launch options a client sends (`x-playwright-launch-options`)
only in part: `args` and `executablePath` only when it was started with `--unsafe`; without it
they are dropped and its own browser is launched with Playwright's defaults. Neither way has a
fake microphone here: a microphone file is a path on the bridge's machine, so the page's
microphone is the bridge's own (the page's audio graph: silence, and what `say` and `play`
inject).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Sequence
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from playwright.async_api import Browser, BrowserType
from playwright.async_api import Error as PlaywrightError

from ..errors import BrowserError

__all__ = ["CONNECT_TIMEOUT_S", "connect_browser_server", "connect_cdp", "shown"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 15.0
_MISMATCH = re.compile(r"server version: v([\d.]+).*?client version: v([\d.]+)", re.S)
# Failures that another set of launch options would not mend.
_UNREACHABLE = ("ECONNREFUSED", "WebSocket error", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT",
                "version mismatch")


def shown(url: str) -> str:
    """`url` as logs and errors show it: no user, password, query or fragment (a hosted
    browser's token travels in them)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


async def connect_browser_server(chromium: BrowserType, url: str, *, headless: bool,
                                 args: Sequence[str], executable: str | None = None,
                                 timeout_s: float = CONNECT_TIMEOUT_S) -> Browser:
    """A browser of the Playwright browser server at `url`, launched there with `args` (and
    `executable`, a path on the server's machine). If the server will not launch it so, the
    bridge asks once more with its defaults, and says so in a warning."""
    options: dict[str, Any] = {"headless": headless, "args": list(args)}
    if executable is not None:
        options["executablePath"] = executable
    try:
        return await _bounded(chromium.connect(url, timeout=timeout_s * 1000,
                                               headers=_launch_header(options)),
                              url, timeout_s=timeout_s, what="the browser server")
    except BrowserError as err:
        if any(mark in err.message for mark in _UNREACHABLE) or "did not answer" in err.message:
            raise
        log.warning("the browser server at %s did not launch a browser with the bridge's "
                    "options (%s); asking for its own defaults: no fake-media flags, so the "
                    "page's microphone is the bridge's in-page one", shown(url),
                    err.message.splitlines()[0])
    return await _bounded(chromium.connect(url, timeout=timeout_s * 1000,
                                           headers=_launch_header({"headless": headless})),
                          url, timeout_s=timeout_s, what="the browser server")


async def connect_cdp(chromium: BrowserType, url: str, *,
                      timeout_s: float = CONNECT_TIMEOUT_S) -> Browser:
    """The Chromium listening for CDP at `url` (http(s):// its DevTools address, or ws(s)://
    its browser WebSocket)."""
    return await _bounded(chromium.connect_over_cdp(url, timeout=timeout_s * 1000), url,
                          timeout_s=timeout_s, what="the CDP browser")


async def _bounded(connecting: Awaitable[Browser], url: str, *, timeout_s: float,
                   what: str) -> Browser:
    """`connecting`, within `timeout_s` (Playwright's own timeout, and a margin for a server
    that accepts the socket and then says nothing); BrowserError naming `url` otherwise."""
    try:
        return await asyncio.wait_for(connecting, timeout_s + 5)
    except TimeoutError:
        raise BrowserError(f"{what} at {shown(url)} did not answer within {timeout_s:g} s: "
                           "is it running, and reachable from this machine?") from None
    except PlaywrightError as err:
        raise _translated(err, url, what) from err


def _translated(err: PlaywrightError, url: str, what: str) -> BrowserError:
    text = err.message
    mismatch = _MISMATCH.search(text)
    if mismatch is not None:
        ours = version("playwright")
        return BrowserError(
            f"Playwright version mismatch: {what} at {shown(url)} runs Playwright "
            f"{mismatch.group(1)}, the bridge's client is {ours} (it reported "
            f"{mismatch.group(2)}): install the same version on both sides, e.g. "
            f"pip install 'playwright=={mismatch.group(1)}.*' here or the "
            f"mcr.microsoft.com/playwright:v{ours} image there")
    # Playwright's text may quote the URL whole; a token in it is not for logs.
    first = text.split("\nCall log:")[0].strip().replace(url, shown(url))
    if "Timeout" in type(err).__name__ or "Timeout" in first.split(":")[0]:
        return BrowserError(f"{what} at {shown(url)} did not answer in time: {first}")
    return BrowserError(f"could not connect to {what} at {shown(url)}: {first}")


def _launch_header(options: dict[str, Any]) -> dict[str, str]:
    return {"x-playwright-launch-options": json.dumps(options)}
