"""Bad input on the `oai-events` data channel, both directions.

Client → engine: every malformed event is answered with an `error` event naming it, and the
session stays open, as OpenAI's does. Huge messages never break the channel's 262,144-byte
limit. Engine → page: function calls with unknown names or unsafe arguments are refused before
anything runs, and the DOM changes only through a validated call.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bridge.drive.client import RealtimeClient
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from bridge.engine.protocol import CHANNEL_MAX_MESSAGE_BYTES
from bridge.events.records import ToolRefused, ToolVerified, all_of
from tests.fakes.openai_server import FakeOpenAI
from tests.hardening.conftest import engine_bridge, engine_of, url_of

CALLS = "/v1/realtime/calls"


@pytest.fixture(scope="module")
def bridge() -> Iterator[BridgeThread]:
    with engine_bridge() as thread:
        yield thread


@asynccontextmanager
async def open_call(bridge: BridgeThread) -> AsyncIterator[tuple[RealtimeClient, str]]:
    """A connected client and its call id."""
    client = RealtimeClient()
    try:
        response = await client.connect_http(url_of(bridge) + CALLS)
        assert response.status_code == 201, response.text
        await client.wait_for("session.created", timeout_s=15)
        yield client, response.headers["location"].rsplit("/", 1)[-1]
    finally:
        await client.close()


async def settle(client: RealtimeClient, count: int, kind: str = "error") -> list[dict[str, Any]]:
    """Wait until `count` events of `kind` have arrived; return them."""
    def enough(_: dict[str, Any]) -> bool:
        return sum(1 for _, e in client.events if e.get("type") == kind) >= count
    if not enough({}):
        await client.wait_for(enough, timeout_s=15)
    return [e for _, e in client.events if e.get("type") == kind]


def message(text: str) -> dict[str, Any]:
    return {"type": "conversation.item.create", "item": {
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}


def session(**fields: Any) -> dict[str, Any]:
    return {"type": "session.update", "session": fields}


MALFORMED: list[tuple[str | bytes | dict[str, Any], str]] = [
    ("{not json", "invalid_json"),
    ("", "invalid_json"),
    (b"\x00\x01 binary", "invalid_json"),
    ("[1, 2]", "invalid_event"),
    ("42", "invalid_event"),
    ('"session.update"', "invalid_event"),
    ("null", "invalid_event"),
    ({"type": "no.such.event"}, "unknown_event"),
    ({"kind": "session.update"}, "unknown_event"),
    ({"type": 5}, "unknown_event"),
    ({"type": "conversation.item.create"}, "missing_required_parameter"),
    ({"type": "conversation.item.create", "item": "hello"}, "missing_required_parameter"),
    ({"type": "conversation.item.create", "item": {"type": "rocket"}}, "invalid_value"),
    ({"type": "conversation.item.create", "item": {"type": "message", "role": "robot",
                                                   "content": []}}, "invalid_value"),
    ({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                                                   "content": "hi"}}, "invalid_value"),
    ({"type": "conversation.item.create", "item": {
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": 5}]}},
     "invalid_value"),
    ({"type": "conversation.item.create", "item": {"type": "function_call", "name": 5}},
     "missing_required_parameter"),
    ({"type": "conversation.item.create", "item": {
        "type": "function_call_output", "call_id": "call_nope", "output": "{}"}},
     "invalid_call_id"),
    ({"type": "session.update"}, "invalid_value"),
    (session(bogus=1), "unknown_parameter"),
    (session(type="transcription"), "invalid_value"),
    (session(tools="all"), "invalid_value"),
    (session(tools=[{"type": "function", "name": "x", "parameters": {"type": 12}}]),
     "invalid_value"),
    (session(tools=[{"type": "function", "name": ""}]), "invalid_value"),
    (session(audio={"input": "loud"}), "invalid_value"),
    (session(audio={"output": {"voice": 7}}), "invalid_value"),
    (session(audio={"input": {"turn_detection": {"threshold": "high"}}}), "invalid_value"),
    (session(audio={"input": {"transcription": "yes"}}), "invalid_value"),
    (session(output_modalities=["smell"]), "invalid_value"),
    (session(instructions=["be", "nice"]), "invalid_value"),
    (session(tool_choice=5), "invalid_value"),
    ({"type": "response.create", "response": "now"}, "invalid_value"),
    ({"type": "response.create", "response": {"output_modalities": 5}}, "invalid_value"),
    ({"type": "response.create", "response": {"tool_choice": {"type": "x"}}}, "invalid_value"),
    ({"type": "response.create", "response": {"metadata": "x"}}, "invalid_value"),
    ({"type": "response.cancel"}, "response_cancel_not_active"),
    ({"type": "conversation.item.delete", "item_id": ["x"]}, "item_not_found"),
    ({"type": "conversation.item.retrieve"}, "item_not_found"),
    ({"type": "conversation.item.truncate", "item_id": 5}, "item_not_found"),
    ({"type": "input_audio_buffer.commit"}, "input_audio_buffer_commit_empty"),
    ({"type": "input_audio_buffer.append", "audio": "AAAA"}, "unsupported_event"),
]


def test_malformed_client_events_get_errors_and_the_session_stays_open(
    bridge: BridgeThread, arun: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        async with open_call(bridge) as (client, call_id):
            for index, (raw, _) in enumerate(MALFORMED):
                if isinstance(raw, dict):
                    raw = json.dumps({"event_id": f"evt_bad_{index}", **raw})
                client.send_raw(raw)
            errors = await settle(client, len(MALFORMED))
            assert [e["error"]["code"] for e in errors] == [code for _, code in MALFORMED]
            for index, ((raw, _), error) in enumerate(zip(MALFORMED, errors, strict=True)):
                assert error["error"]["message"], error
                if isinstance(raw, dict):  # the error names the event it answers
                    assert error["error"]["event_id"] == f"evt_bad_{index}", error
            # Still open and serving: a good update is applied.
            client.send(session(instructions="still here"))
            updated = await client.wait_for("session.updated", timeout_s=10)
            assert updated["session"]["instructions"] == "still here"
            assert "session_failed" not in json.dumps(client.events)
            assert call_id in engine_of(bridge).sessions

    arun(scenario())


def test_huge_messages_stay_within_the_channel_limit(
    bridge: BridgeThread, arun: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        async with open_call(bridge) as (client, call_id):
            # Echoed whole; non-ASCII stays UTF-8, so the echo is not six times larger.
            for text in ("a" * 200_000, "é" * 100_000, "\ud800 lone surrogate"):
                mark = len(client.events)
                client.send_raw(json.dumps(message(text), ensure_ascii="\ud800" in text))
                added = await client.wait_for("conversation.item.added", after=mark)
                assert added["item"]["content"][0]["text"] == text
            # An item whose echo cannot fit in one channel message is answered with an error.
            mark = len(client.events)
            room = CHANNEL_MAX_MESSAGE_BYTES - len(json.dumps(message("")))
            client.send(message("b" * room))  # as large as a client can send
            error = await client.wait_for("error", after=mark)
            assert error["error"]["code"] == "event_too_large"
            assert str(CHANNEL_MAX_MESSAGE_BYTES) in error["error"]["message"]
            assert max(len(m.encode()) for m in client.raw_messages) <= CHANNEL_MAX_MESSAGE_BYTES
            client.send(session(instructions="after the big ones"))
            await client.wait_for("session.updated", timeout_s=10)
            assert call_id in engine_of(bridge).sessions

    arun(scenario())


BAD_CALLS = [
    ("explode", "{}"),
    ("__proto__", "{}"),
    ("constructor", '{"color": "red"}'),
    ("changeBackgroundColor", '{"color": "red; background:url(http://attacker.test/x)"}'),
    ("changeBackgroundColor", '{"color": "expression(alert(1))"}'),
    ("changeBackgroundColor", '{"color": "var(--x)"}'),
    ("changeTextColor", '{"color": "<script>alert(1)</script>"}'),
    ("changeTextColor", '{"color": "\\"><img src=x onerror=alert(1)>"}'),
    ("changeButtonStyle", '{"size": "24px; position: fixed"}'),
    ("changeButtonStyle", '{"color": "url(javascript:alert(1))"}'),
    ("changeBackgroundColor", '{"color": "blue", "onclick": "alert(1)"}'),
    ("changeBackgroundColor", "{color: blue"),
    ("changeBackgroundColor", '["blue"]'),
    ("changeBackgroundColor", "null"),
    ("getPageHTML", '{"selector": "script"}'),
]
DOM_STATE = """() => ({
    body: document.body.getAttribute('style') || '',
    button: document.querySelector('[data-testid=connect-button]').getAttribute('style') || '',
    background: getComputedStyle(document.body).backgroundColor,
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img').length,
})"""


def test_unsafe_function_calls_from_the_upstream_are_refused(
    openai_bridge: BridgeHandle, fake_openai: FakeOpenAI
) -> None:
    """The upstream (here a fake OpenAI) sends calls no registry declares, or with unsafe
    arguments; none runs, each gets an error output, and one valid call still does."""
    handle = openai_bridge
    before = handle.evaluate(DOM_STATE)
    mark = handle.event_log.last_seq
    call_id = handle.browser.call_id
    calls = [{"type": "function_call", "status": "completed", "name": name,
              "call_id": f"call_bad_{index}", "arguments": arguments}
             for index, (name, arguments) in enumerate(BAD_CALLS)]
    fake_openai.call(lambda: _respond_with(fake_openai, call_id, calls, "resp_bad"))
    outputs = _outputs(handle, mark, len(calls))
    for bad in calls:
        output = outputs[bad["call_id"]]
        assert output["ok"] is False and output["error"], (bad, output)
    refused = {r.call_id for r in all_of(ToolRefused, handle.events(after=mark))}
    assert refused == {bad["call_id"] for bad in calls}
    assert not all_of(ToolVerified, handle.events(after=mark))
    assert handle.evaluate(DOM_STATE) == before

    good = [{"type": "function_call", "status": "completed", "name": "changeBackgroundColor",
             "call_id": "call_good", "arguments": '{"color": "teal"}'}]
    mark = handle.event_log.last_seq
    fake_openai.call(lambda: _respond_with(fake_openai, call_id, good, "resp_good"))
    call = handle.wait_for_tool("changeBackgroundColor", {"color": "teal"}, after=mark)
    assert call.observed["backgroundColor"] == "rgb(0, 128, 128)"
    assert handle.evaluate(DOM_STATE)["background"] == "rgb(0, 128, 128)"


async def _respond_with(
    fake: FakeOpenAI, call_id: str | None, calls: list[dict[str, Any]], response_id: str
) -> None:
    """Play a response carrying `calls` on the page's call, as an upstream would."""
    assert call_id is not None
    session = fake.engine.sessions[call_id]
    for call in calls:
        session._calls[call["call_id"]] = call  # so that the outputs are accepted
    session._send({"type": "response.created", "response": {
        "id": response_id, "object": "realtime.response", "status": "in_progress", "output": []}})
    for index, call in enumerate(calls):
        session._send({"type": "response.output_item.done", "response_id": response_id,
                       "output_index": index, "item": call})
    session._send({"type": "response.done", "response": {
        "id": response_id, "object": "realtime.response", "status": "completed",
        "output": calls}})


def _outputs(handle: BridgeHandle, after: int, count: int) -> dict[str, dict[str, Any]]:
    def outputs() -> dict[str, dict[str, Any]]:
        found = {}
        for record in handle.events(after=after, type="conversation.item.create"):
            item = record.event.get("item") or {}
            if record.dir == "client" and item.get("type") == "function_call_output":
                found[item["call_id"]] = json.loads(item["output"])
        return found

    handle.event_log.wait_for(lambda _: len(outputs()) >= count, timeout_s=20, after=0)
    return outputs()


def test_page_html_output_stays_under_the_channel_limit(openai_bridge: BridgeHandle) -> None:
    """getPageHTML through the controlled page, on a page grown with the characters that
    cost most once escaped twice (the HTML in a JSON output in a JSON event): the output is
    truncated with a note, and the event that carries it fits in one channel message."""
    handle = openai_bridge
    handle.evaluate("""() => {
        const p = document.createElement('p');
        p.id = 'bulk';
        p.textContent = '\\u0001'.repeat(60000) + '"\\\\é😀'.repeat(5000);
        document.querySelector('main').append(p);
    }""")
    try:
        mark = handle.type("what is on the page")
        call = handle.wait_for_tool("getPageHTML", after=mark, timeout_s=20)
        sent = handle.event_log.wait_for(
            lambda r: r.dir == "client" and r.type == "conversation.item.create"
            and r.event["item"].get("call_id") == call.call_id, timeout_s=10, after=mark)
        output = json.loads(sent.event["item"]["output"])
        assert output["ok"] is True and output["verified"] is True and output["truncated"] is True
        assert output["length"] > 60000 and str(output["length"]) in output["note"]
        wire = json.dumps(sent.event, ensure_ascii=False, separators=(",", ":"))
        assert 200_000 < len(wire.encode()) <= CHANNEL_MAX_MESSAGE_BYTES
        # The upstream took it whole and answered about it.
        handle.event_log.wait_for(lambda r: r.dir == "server" and r.type == "response.done",
                                  timeout_s=20, after=sent.seq)
        errors = [r.event for r in handle.events(after=mark, type="error")]
        assert not errors, errors
    finally:
        handle.evaluate("() => document.getElementById('bulk').remove()")
