"""The inspector's routes at the ASGI level: its guard on every route (loopback clients only on
a loopback bind; the token, set once as a cookie, on an exposed one; the own Origin on every
action), clear errors for bad input, security headers, and no secret in what it serves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from quart import Quart
from werkzeug.datastructures import Headers

from bridge.config import Settings
from bridge.events.log import EventLog
from bridge.http.app import create_app
from bridge.inspect.actions import MAX_MESSAGE_CHARS
from bridge.inspect.inspector import Inspector
from bridge.inspect.stream import watch
from bridge.runtime import Bridge

KEY = "sk-" + "inspect-test-secret-0123456789"  # a made-up key, split so it reads as none
TOKEN = "fixed-inspector-token-42"
LOOPBACK = {"client": ("127.0.0.1", 50000)}
REMOTE = {"client": ("10.0.0.7", 50000)}
OWN = "http://localhost"  # the test client's Host is localhost


def app_for(**changes: Any) -> tuple[Quart, Bridge]:
    settings = Settings(upstream="openai", openai_api_key=KEY, open_browser=False).replace(
        **changes)
    bridge = Bridge(settings)
    return create_app(bridge), bridge


async def call(app: Quart, method: str, path: str, *, scope: dict[str, Any] = LOOPBACK,
               **kwargs: Any) -> tuple[int, Headers, str]:
    client = app.test_client()
    response = await client.open(path, method=method, scope_base=scope, **kwargs)
    return response.status_code, response.headers, await response.get_data(as_text=True)


def test_a_loopback_client_gets_the_page_with_its_security_headers(arun: Callable[..., Any]) -> None:
    app, _ = app_for()
    status, headers, body = arun(call(app, "GET", "/inspect"))
    assert status == 200 and 'data-testid="inspect-screen"' in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    assert arun(call(app, "GET", "/inspect/inspect.js"))[0] == 200


@pytest.mark.parametrize("path", ["/inspect", "/inspect/status", "/inspect/stream",
                                  "/inspect/inspect.js"])
def test_a_non_loopback_request_without_the_token_is_refused(arun: Callable[..., Any],
                                                             path: str) -> None:
    # A loopback bind: nobody else should reach it, and if something forwards them, no entry.
    app, _ = app_for()
    status, _, body = arun(call(app, "GET", path, scope=REMOTE))
    assert status == 403 and "loopback clients only" in body
    # Exposed: the token is the only way in, whoever asks.
    app, bridge = app_for(host="0.0.0.0")
    assert bridge.inspector is not None and bridge.inspector.guard.token
    for scope in (REMOTE, LOOPBACK):
        status, _, body = arun(call(app, "GET", path, scope=scope))
        assert status == 401 and "needs its token" in body


def test_the_token_is_made_at_start_when_exposed_and_given_token_wins() -> None:
    _, made = app_for(host="0.0.0.0")
    _, other = app_for(host="0.0.0.0")
    assert made.inspector is not None and other.inspector is not None
    assert made.inspector.guard.token != other.inspector.guard.token
    assert made.inspector.url.endswith(f"/inspect?token={made.inspector.guard.token}")
    _, fixed = app_for(host="0.0.0.0", inspect_token=TOKEN)
    assert fixed.inspector is not None and fixed.inspector.guard.token == TOKEN
    _, local = app_for()
    assert local.inspector is not None and local.inspector.url.endswith("/inspect")


def test_the_token_in_the_url_becomes_a_cookie(arun: Callable[..., Any]) -> None:
    app, bridge = app_for(host="0.0.0.0", inspect_token=TOKEN)
    assert bridge.inspector is not None
    cookie = bridge.inspector.guard.cookie_name
    status, headers, _ = arun(call(app, "GET", f"/inspect?token={TOKEN}", scope=REMOTE))
    assert status == 303 and headers["Location"] == "/inspect"
    set_cookie = headers["Set-Cookie"]
    assert set_cookie.startswith(f"{cookie}={TOKEN}") and "HttpOnly" in set_cookie
    assert "SameSite=Strict" in set_cookie and "Path=/inspect" in set_cookie
    with_cookie = {"Cookie": f"{cookie}={TOKEN}"}
    assert arun(call(app, "GET", "/inspect", scope=REMOTE, headers=with_cookie))[0] == 200
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert arun(call(app, "GET", "/inspect/status", scope=REMOTE, headers=bearer))[0] == 200
    status, _, body = arun(call(app, "GET", "/inspect?token=wrong-token-00000", scope=REMOTE))
    assert status == 401 and "wrong inspector token" in body


@pytest.mark.parametrize("headers, status, says", [
    ({}, 403, "needs an Origin header"),
    ({"Origin": "http://evil.example"}, 403, "cannot act through"),
    ({"Origin": OWN, "Content-Type": "text/plain"}, 415, "application/json"),
])
def test_every_action_checks_origin_and_kind(arun: Callable[..., Any], headers: dict[str, str],
                                             status: int, says: str) -> None:
    app, _ = app_for()
    for path in ("/inspect/message", "/inspect/reload", "/inspect/reconnect"):
        got, _, body = arun(call(app, "POST", path, headers=headers, data='{"text": "hi"}'))
        assert got == status and says in body, (path, body)


@pytest.mark.parametrize("body, status, says", [
    ({"text": "x" * (MAX_MESSAGE_CHARS + 1)}, 413, f"at most {MAX_MESSAGE_CHARS} characters"),
    ({"text": "   "}, 400, "the message is empty"),
    ({"text": "hi", "mode": "shout"}, 400, "mode is 'type' or 'say'"),
    (["hi"], 400, "send a JSON object"),
    ({"text": "hi", "mode": "say"}, 409, "no controlled browser"),
])
def test_bad_messages_are_refused_saying_why(arun: Callable[..., Any], body: Any, status: int,
                                             says: str) -> None:
    app, _ = app_for()
    got, _, text = arun(call(app, "POST", "/inspect/message", headers={"Origin": OWN},
                             json=body))
    assert got == status and says in text, text


def test_a_body_that_is_not_json_is_refused(arun: Callable[..., Any]) -> None:
    app, _ = app_for()
    got, _, text = arun(call(app, "POST", "/inspect/message", data="{not json",
                             headers={"Origin": OWN, "Content-Type": "application/json"}))
    assert got == 400 and "not JSON" in text


def test_other_origins_the_api_allows_get_nothing_here(arun: Callable[..., Any]) -> None:
    app, _ = app_for(cors_origins=("http://a.test",))
    status, headers, _ = arun(call(app, "GET", "/inspect/status",
                                   headers={"Origin": "http://a.test"}))
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    assert arun(call(app, "GET", "/api/health", headers={"Origin": "http://a.test"}))[1][
        "Access-Control-Allow-Origin"] == "http://a.test"


def test_no_secret_or_header_in_the_status_or_the_stream(arun: Callable[..., Any]) -> None:
    settings = Settings(upstream="openai", openai_api_key=KEY, open_browser=False,
                        host="0.0.0.0", inspect_token=TOKEN)
    log = EventLog()
    log.append(dir="bridge", type="bridge.page_warning",
               event={"message": f"a page printed {KEY} and {TOKEN}"})

    async def read() -> list[bytes]:
        inspector = Inspector(settings, event_log=log, browser=None, upstream="openai")
        stream = watch(inspector)
        chunks = [await anext(stream) for _ in range(3)]  # retry, status, the backlog
        inspector.begin_closing()
        chunks += [chunk async for chunk in stream]
        return chunks

    chunks = arun(read())
    text = b"".join(chunks).decode()
    assert "[redacted]" in text and KEY not in text and TOKEN not in text
    assert text.rstrip().splitlines()[-2] == "event: closing"
    app, _ = app_for(host="0.0.0.0", inspect_token=TOKEN)
    _, _, status = arun(call(app, "GET", "/inspect/status", scope=REMOTE,
                             headers={"Authorization": f"Bearer {TOKEN}"}))
    assert KEY not in status and TOKEN not in status and "Authorization" not in status


def test_the_inspector_can_be_switched_off(arun: Callable[..., Any]) -> None:
    app, bridge = app_for(inspect=False)
    assert bridge.inspector is None
    assert arun(call(app, "GET", "/inspect"))[0] == 404


def test_stream_ends_when_closing_even_while_waiting(arun: Callable[..., Any]) -> None:
    settings = Settings(upstream="openai", openai_api_key=KEY, open_browser=False)

    async def read() -> list[bytes]:
        inspector = Inspector(settings, event_log=EventLog(), browser=None, upstream="openai")
        stream = watch(inspector)
        [await anext(stream) for _ in range(2)]
        waiting = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.1)
        inspector.begin_closing()
        return [await asyncio.wait_for(waiting, 2)]

    assert arun(read())[0].startswith(b"event: closing")
