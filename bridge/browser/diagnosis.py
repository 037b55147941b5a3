"""Why a page has not connected: what it did so far, in a few lines a person can act on —
whether it asked for the microphone, made a peer connection, opened a channel, and which
requests it sent (an offer posted to a URL the bridge did not route shows up there)."""

from __future__ import annotations

from collections.abc import Sequence

from playwright.async_api import Page

from ..errors import BrowserError
from .instrument.page import PageInstrument
from .instrument.records import PageChannels
from .network.routing import SeenRequest

# Requests listed at most (the newest), and how much of each URL.
MAX_REQUESTS = 12
MAX_URL_CHARS = 120


async def diagnose(page: Page | None, requests: Sequence[SeenRequest], *,
                   instrumented: bool) -> list[str]:
    """Lines saying what the page did, for an error or a log line."""
    if page is None or page.is_closed():
        return ["the page is not open", *_request_lines(requests)]
    lines = [f"the page is at {page.url}"]
    if instrumented:
        try:
            channels = await PageInstrument(page).channels()
        except BrowserError as err:
            lines.append(f"the page could not be asked what it did: {err}")
        else:
            lines += _webrtc_lines(channels)
    return lines + _request_lines(requests)


def _webrtc_lines(channels: PageChannels) -> list[str]:
    lines = []
    if not channels.microphones:
        lines.append("it has not asked for the microphone (no getUserMedia)")
    if not channels.peers:
        lines.append("it has made no RTCPeerConnection (no offer yet)")
    for peer in channels.peers:
        labels = ", ".join(f"{c.label} ({c.state})" for c in peer.channels) or "no data channel"
        answered = "answered" if peer.ufrag else "no answer applied"
        lines.append(f"peer {peer.peer}: {peer.state}, {answered}, {labels}")
    if channels.peers and channels.realtime is None:
        lines.append("no open channel has carried a realtime event (session.created)")
    return lines


def _request_lines(requests: Sequence[SeenRequest]) -> list[str]:
    if not requests:
        return ["it has made no request the bridge saw"]
    shown = requests[-MAX_REQUESTS:]
    lines = [f"its requests ({len(shown)} of {len(requests)}, newest last):"]
    for request in shown:
        url = request.url if len(request.url) <= MAX_URL_CHARS else (
            request.url[:MAX_URL_CHARS] + "…")
        detail = f" ({request.detail})" if request.detail else ""
        lines.append(f"  {request.method} {url} -> {request.outcome}{detail}")
    if not any(r.outcome == "routed" for r in requests):
        lines.append("no offer reached the bridge: if the page posts its SDP offer somewhere "
                     "the bridge does not recognise, name it with --route GLOB")
    return lines
