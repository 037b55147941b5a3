"""The page's own origin for a browser elsewhere: the page is opened at http://127.0.0.1:PORT,
a secure origin (getUserMedia needs one) on any machine, and every request to that origin is
answered here, from the bridge's real address, through Playwright routing. The browser's
127.0.0.1 is never asked.

    relay = OwnOriginRelay("http://10.0.0.5:8765")
    router = SignallingRouter(..., relay=relay)   # routes the own origin to relay.forward
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from playwright.async_api import Request, Route

__all__ = ["OwnOriginRelay"]

# Hop-by-hop headers, and those httpx sets or undoes itself (it decodes compressed bodies).
_REQUEST_DROP = frozenset({"host", "content-length", "connection", "keep-alive",
                           "transfer-encoding", "accept-encoding", "upgrade"})
_RESPONSE_DROP = frozenset({"content-length", "connection", "keep-alive", "transfer-encoding",
                            "content-encoding"})


class OwnOriginRelay:
    """Answers the page's requests to its own origin from `real_base_url` (scheme://host:port
    of the bridge as this process reaches it)."""

    def __init__(self, real_base_url: str, *, timeout_s: float = 30.0) -> None:
        self.real_base_url = real_base_url.rstrip("/")
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None

    async def forward(self, route: Route, request: Request) -> str:
        """Fetch `request` from the bridge and fulfil `route` with the answer; its status."""
        parts = urlsplit(request.url)
        target = self.real_base_url + (parts.path or "/") + (
            f"?{parts.query}" if parts.query else "")
        headers = {name: value for name, value in (await request.all_headers()).items()
                   if name.lower() not in _REQUEST_DROP and not name.startswith(":")}
        if self._client is None:
            # trust_env off: the bridge's own address is never reached through a proxy.
            self._client = httpx.AsyncClient(timeout=self._timeout_s, trust_env=False)
        try:
            response = await self._client.request(request.method, target, headers=headers,
                                                   content=request.post_data_buffer)
        except httpx.HTTPError as err:
            await route.fulfill(status=502, content_type="text/plain",
                                body=f"rtc-bridge could not reach itself at {target}: {err}")
            return "502"
        kept = {name: value for name, value in response.headers.items()
                if name.lower() not in _RESPONSE_DROP}
        await route.fulfill(status=response.status_code, headers=kept, body=response.content)
        return str(response.status_code)

    async def aclose(self) -> None:
        """Close the HTTP client. Safe to call twice."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
