"""A request answered before its body has arrived (a wrong key, an unknown route) leaves its
keep-alive connection open for the next request, as a client that reuses connections expects."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from bridge.drive.thread import BridgeThread
from tests.hardening.conftest import engine_bridge, url_of
from tests.hardening.offer_mutations import CHROMIUM_OFFER


@pytest.fixture(scope="module")
def bridge() -> Iterator[BridgeThread]:
    with engine_bridge(local_api_key="local-test-key-0123456789") as thread:
        yield thread


def read_response(sock: socket.socket) -> bytes:
    """One whole response (headers and a Content-Length body), or what came before EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize("path, status", [("/v1/realtime/calls", 401), ("/no/such/route", 405)])
def test_an_answer_sent_before_the_body_arrived_keeps_the_connection(
        bridge: BridgeThread, path: str, status: int) -> None:
    body = CHROMIUM_OFFER.encode()
    address = urlsplit(url_of(bridge))
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Content-Type: application/sdp\r\nAuthorization: Bearer wrong\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode())
        time.sleep(0.3)  # the headers alone are enough to refuse it
        sock.sendall(body)
        first = read_response(sock)
        assert first.startswith(f"HTTP/1.1 {status} ".encode()), first[:200]
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        second = read_response(sock)
        assert second.startswith(b"HTTP/1.1 200"), second[:200]
