"""The voice page's tools in a real Chromium, served as static files (no bridge, no binding).

Each tool is run through the page's own `runTool` and checked against computed styles; bad
arguments must be refused without touching the DOM; the page must load cleanly and show a clear
error when nothing answers `POST /api/rtc-connect`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, expect

from bridge.engine import CHANNEL_MAX_MESSAGE_BYTES as CHANNEL_LIMIT_BYTES
from tests.e2e import page_harness
from tests.e2e.page_harness import (
    PAGES,
    FakeUpstream,
    connect_to,
    function_call,
    response_created,
    response_done,
)

TOOLS = json.loads((PAGES / "tools.json").read_text(encoding="utf-8"))["tools"]
MAX_HTML_CHARS = 32_000

pages_url = page_harness.pages_url
upstream = page_harness.upstream


@pytest.fixture(scope="module")
def shared_page(browser: Browser) -> Iterator[Page]:
    """One tab for the tool tests: each loads the voice page into it afresh (a new document, so
    nothing a test did is left behind), a third of the cost of a new browser context."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def console_errors(shared_page: Page) -> Iterator[list[str]]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_page_error(err: Error) -> None:
        errors.append(f"uncaught: {err}")

    shared_page.on("console", on_console)
    shared_page.on("pageerror", on_page_error)
    yield errors
    shared_page.remove_listener("console", on_console)
    shared_page.remove_listener("pageerror", on_page_error)


@pytest.fixture
def app(shared_page: Page, pages_url: str, console_errors: list[str]) -> Page:
    """The voice page, freshly loaded, with its tool definitions fetched."""
    shared_page.goto(pages_url)
    assert shared_page.evaluate("() => window.rtcBridge.ready") is True
    return shared_page


def run_tool(page: Page, name: str, arguments: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        "([name, args]) => window.rtcBridge.runTool(name, args)", [name, arguments]
    )
    return result


def computed(page: Page, selector: str, prop: str) -> str:
    value: str = page.evaluate(
        "([sel, prop]) => getComputedStyle(document.querySelector(sel)).getPropertyValue(prop)",
        [selector, prop],
    )
    return value


def dom_styles(page: Page) -> dict[str, str]:
    """Everything the style tools may touch: inline styles and the computed values."""
    styles: dict[str, str] = page.evaluate(
        """() => {
            const body = document.body;
            const button = document.querySelector('[data-testid=connect-button]');
            const b = getComputedStyle(body), k = getComputedStyle(button);
            return {
                bodyInline: body.getAttribute('style') ?? '',
                buttonInline: button.getAttribute('style') ?? '',
                bodyBackground: b.backgroundColor, bodyColor: b.color, bodyImage: b.backgroundImage,
                buttonBackground: k.backgroundColor, buttonFontSize: k.fontSize,
            };
        }"""
    )
    return styles


BUTTON = "[data-testid=connect-button]"


def test_page_loads_cleanly(app: Page, console_errors: list[str]) -> None:
    for test_id in (
        "heading",
        "intro",
        "connect-button",
        "status",
        "transcript",
        "event-log",
        "message-input",
        "send-button",
        "agent-audio",
    ):
        expect(app.get_by_test_id(test_id)).to_have_count(1)
    expect(app.get_by_test_id("status")).to_have_attribute("data-state", "idle")
    expect(app.get_by_test_id("connect-button")).to_have_text("Connect")
    expect(app.get_by_test_id("send-button")).to_be_disabled()
    for test_id in ("status", "transcript", "event-log"):
        expect(app.get_by_test_id(test_id)).to_have_attribute("data-bridge-volatile", "")
    assert app.locator("audio").count() == 1
    assert app.evaluate("() => window.rtcBridge.state") == "idle"
    assert console_errors == []


def test_session_tools_carry_no_bridge_fields(app: Page) -> None:
    sent = app.evaluate(
        """async () => {
            const tools = await import('./tools.js');
            return tools.sessionTools(await tools.loadTools());
        }"""
    )
    assert [tool["name"] for tool in sent] == [tool["name"] for tool in TOOLS]
    for tool, source in zip(sent, TOOLS, strict=True):
        assert set(tool) == {"type", "name", "description", "parameters"}
        assert tool["parameters"] == source["parameters"]
    assert "x-bridge" not in json.dumps(sent)


def test_change_background_color(app: Page) -> None:
    result = run_tool(app, "changeBackgroundColor", '{"color": "blue"}')
    assert result == {"ok": True, "applied": {"color": "blue"}}
    assert computed(app, "body", "background-color") == "rgb(0, 0, 255)"


def test_change_text_color(app: Page) -> None:
    result = run_tool(app, "changeTextColor", '{"color": "#ff0000"}')
    assert result == {"ok": True, "applied": {"color": "#ff0000"}}
    assert computed(app, "body", "color") == "rgb(255, 0, 0)"
    assert computed(app, "[data-testid=heading]", "color") == "rgb(255, 0, 0)"


def test_change_button_style_size_and_color(app: Page) -> None:
    result = run_tool(app, "changeButtonStyle", '{"size": "24px", "color": "green"}')
    assert result == {"ok": True, "applied": {"size": "24px", "color": "green"}}
    assert computed(app, BUTTON, "font-size") == "24px"
    assert computed(app, BUTTON, "background-color") == "rgb(0, 128, 0)"


def test_change_button_style_color_only_keeps_size(app: Page) -> None:
    size = computed(app, BUTTON, "font-size")
    assert run_tool(app, "changeButtonStyle", '{"color": "#ffa500"}')["ok"] is True
    assert computed(app, BUTTON, "background-color") == "rgb(255, 165, 0)"
    assert computed(app, BUTTON, "font-size") == size


@pytest.mark.parametrize(
    ("keyword", "factor"), [("bigger", 1.25), ("larger", 1.25), ("smaller", 0.8)]
)
def test_relative_button_size(app: Page, keyword: str, factor: float) -> None:
    before = float(computed(app, BUTTON, "font-size").removesuffix("px"))
    result = run_tool(app, "changeButtonStyle", json.dumps({"size": keyword}))
    after = float(computed(app, BUTTON, "font-size").removesuffix("px"))
    assert result["ok"] is True
    assert after == pytest.approx(before * factor, abs=0.01)
    assert result["applied"]["size"] == f"{after:g}px"


def test_bigger_twice_compounds(app: Page) -> None:
    before = float(computed(app, BUTTON, "font-size").removesuffix("px"))
    run_tool(app, "changeButtonStyle", '{"size": "bigger"}')
    run_tool(app, "changeButtonStyle", '{"size": "Bigger"}')
    after = float(computed(app, BUTTON, "font-size").removesuffix("px"))
    assert after == pytest.approx(before * 1.25 * 1.25, abs=0.01)


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("changeBackgroundColor", '{"color": "red; background:url(x)"}', "not a valid CSS"),
        ("changeBackgroundColor", '{"color": "expression(alert(1))"}', "not a valid CSS"),
        ("changeBackgroundColor", '{"color": "<script>alert(1)</script>"}', "not a valid CSS"),
        ("changeBackgroundColor", '{"color": "var(--x)"}', "not a valid CSS"),
        ("changeBackgroundColor", '{"color": ""}', "not a valid CSS"),
        ("changeBackgroundColor", '{"color": 255}', 'argument "color" must be a string'),
        ("changeBackgroundColor", "{}", 'missing required argument "color"'),
        ("changeBackgroundColor", '{"color": "blue", "image": "x"}', 'unexpected argument "image"'),
        ("changeTextColor", '{"color": "not-a-colour"}', "not a valid CSS color value"),
        ("changeButtonStyle", "{}", "at least one of: size, color"),
        ("changeButtonStyle", '{"size": "huge"}', "or one of: bigger, larger, smaller"),
        ("changeButtonStyle", '{"size": "24px", "color": "url(x)"}', "not a valid CSS"),
        ("changeButtonStyle", '{"size": "-4px"}', "not a valid CSS font-size"),
        ("changeButtonStyle", '{"size": "24px; position: fixed"}', "not a valid CSS"),
        ("getPageHTML", '{"selector": "body"}', "it takes no arguments"),
        ("changeBackgroundColor", "{color: blue", "arguments are not valid JSON"),
        ("changeBackgroundColor", '["blue"]', "arguments are not valid JSON: expected an object"),
        ("changeBackgroundColor", "null", "arguments are not valid JSON: expected an object"),
        ("changeBackgroundColor", '"blue"', "arguments are not valid JSON: expected an object"),
        (
            "explode",
            "{}",
            'unknown tool "explode"; available: getPageHTML, changeBackgroundColor, '
            "changeTextColor, changeButtonStyle",
        ),
    ],
)
def test_bad_calls_are_refused_and_change_nothing(
    app: Page, name: str, arguments: str, message: str
) -> None:
    before = dom_styles(app)
    result = run_tool(app, name, arguments)
    assert result["ok"] is False
    assert message in result["error"]
    assert set(result) == {"ok", "error"}
    assert dom_styles(app) == before


def test_get_page_html_leaves_out_volatile_contents(app: Page) -> None:
    run_tool(app, "changeBackgroundColor", '{"color": "teal"}')
    app.evaluate(
        """() => {
            for (const id of ['status', 'transcript', 'event-log']) {
                const li = document.createElement(id === 'status' ? 'span' : 'li');
                li.textContent = 'SECRET-VOLATILE-' + id;
                document.querySelector(`[data-testid="${id}"]`).append(li);
            }
        }"""
    )
    result = run_tool(app, "getPageHTML", "{}")
    assert result["ok"] is True
    assert result["truncated"] is False
    html = result["html"]
    assert result["length"] == len(html)
    assert html.startswith("<html")
    assert "Talk to this page" in html
    assert 'data-testid="connect-button"' in html
    assert "background-color: teal" in html
    assert "SECRET-VOLATILE" not in html
    assert '<ol class="event-log" data-testid="event-log" data-bridge-volatile=""></ol>' in html
    # The live page itself keeps its contents.
    expect(app.get_by_test_id("transcript")).to_contain_text("SECRET-VOLATILE-transcript")


def test_get_page_html_is_bounded(app: Page) -> None:
    app.evaluate(
        """() => {
            const p = document.createElement('p');
            p.textContent = 'lorem ipsum "quoted" <tag> é 😀 '.repeat(20000);
            document.querySelector('main').append(p);
        }"""
    )
    result = run_tool(app, "getPageHTML", "")
    assert result["ok"] is True
    assert result["truncated"] is True
    assert result["length"] > MAX_HTML_CHARS
    utf16_units = len(result["html"].encode("utf-16-le")) // 2  # JavaScript's string length
    assert MAX_HTML_CHARS - 1 <= utf16_units <= MAX_HTML_CHARS
    assert str(result["length"]) in result["note"]
    # As it travels: the result is a JSON string inside a JSON event on the data channel.
    event = {
        "type": "conversation.item.create",
        "item": {"type": "function_call_output", "call_id": "call_1", "output": json.dumps(result)},
    }
    assert len(json.dumps(event, ensure_ascii=False).encode()) < CHANNEL_LIMIT_BYTES // 2


def test_registered_tool_runs_for_a_tool_of_another_kind(app: Page) -> None:
    result = app.evaluate(
        """async () => {
            const tools = await import('./tools.js');
            const defs = [...window.rtcBridge.tools, {
                type: 'function', name: 'scrollToTop', description: 'Scroll to the top.',
                parameters: {type: 'object', properties: {smooth: {type: 'boolean'}},
                             required: [], additionalProperties: false},
                'x-bridge': {custom: true},
            }];
            tools.registerTool('scrollToTop', (args) => ({ok: true, smooth: args.smooth}));
            return [
                tools.runTool(defs, 'scrollToTop', '{"smooth": true}'),
                tools.runTool(defs, 'scrollToTop', '{"smooth": "yes"}'),
            ];
        }"""
    )
    assert result[0] == {"ok": True, "smooth": True}
    assert result[1]["ok"] is False
    assert 'argument "smooth" must be a boolean' in result[1]["error"]


def test_function_call_output_without_bridge_is_unverified(app: Page) -> None:
    output = app.evaluate(
        """() => window.rtcBridge.handleFunctionCall(
            {call_id: 'call_1', name: 'changeTextColor', arguments: '{"color": "navy"}'})"""
    )
    assert output == {"ok": True, "applied": {"color": "navy"}, "verified": None,
                      "verdict": "unwatched"}
    assert computed(app, "body", "color") == "rgb(0, 0, 128)"
    expect(app.get_by_test_id("transcript")).to_contain_text("changeTextColor")


def test_connect_without_a_bridge_shows_an_error(app: Page) -> None:
    app.get_by_test_id("connect-button").click()
    status = app.get_by_test_id("status")
    expect(status).to_have_attribute("data-state", "error", timeout=10_000)
    expect(status).to_have_text(
        "error: api/rtc-connect answered HTTP 501 Unsupported method ('POST')"
    )
    expect(app.get_by_test_id("connect-button")).to_have_text("Connect")
    expect(app.get_by_test_id("send-button")).to_be_disabled()
    assert app.evaluate("() => window.rtcBridge.pc") is None
    assert app.evaluate("() => document.querySelector('audio').srcObject") is None


def test_connect_shows_the_upstream_json_error(page: Page, pages_url: str) -> None:
    def refuse(route: Any) -> None:
        assert route.request.headers["content-type"] == "application/sdp"
        assert route.request.post_data.startswith("v=0")
        route.fulfill(
            status=400,
            content_type="application/json",
            body=json.dumps(
                {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "invalid_offer",
                        "message": "The SDP offer has no audio section.",
                        "param": None,
                    }
                }
            ),
        )

    page.route("**/custom-connect", refuse)
    page.goto(f"{pages_url}?endpoint=custom-connect&autoconnect=1")
    status = page.get_by_test_id("status")
    expect(status).to_have_text("error: The SDP offer has no audio section.", timeout=10_000)
    expect(status).to_have_attribute("data-state", "error")



def test_connects_and_configures_the_session(
    page: Page, pages_url: str, upstream: FakeUpstream, console_errors: list[str]
) -> None:
    connect_to(page, pages_url, upstream)
    update = upstream.received()[0]
    assert update == {
        "type": "session.update",
        "session": {
            "type": "realtime",
            "tools": [
                {key: tool[key] for key in ("type", "name", "description", "parameters")}
                for tool in TOOLS
            ],
            "tool_choice": "auto",
            "audio": {"input": {"transcription": {"model": "gpt-4o-mini-transcribe"}}},
        },
    }
    shape = page.evaluate(
        """() => ({
            callId: rtcBridge.callId,
            label: rtcBridge.dc.label,
            transceivers: rtcBridge.pc.getTransceivers().map((t) => [
                t.receiver.track.kind, t.direction, t.sender.track?.readyState ?? null]),
            audioElements: document.querySelectorAll('audio').length,
            playing: document.querySelector('audio').srcObject?.getAudioTracks().length ?? 0,
        })"""
    )
    assert shape == {
        "callId": "rtc_test1",
        "label": "oai-events",
        "transceivers": [["audio", "sendrecv", "live"]],
        "audioElements": 1,
        "playing": 1,
    }
    expect(page.get_by_test_id("status")).to_contain_text("rtc_test1")
    expect(page.get_by_test_id("send-button")).to_be_enabled()
    expect(page.get_by_test_id("event-log")).to_contain_text("→ session.update")
    assert console_errors == []


def test_tool_runs_once_when_its_item_completes_then_one_response_create(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    call = function_call("call_a", "changeBackgroundColor", '{"color": "red"}')
    upstream.send(response_created("resp_1"))
    upstream.send(
        {
            "type": "response.function_call_arguments.done",
            "response_id": "resp_1",
            "item_id": call["id"],
            "call_id": "call_a",
            "name": call["name"],
            "arguments": call["arguments"],
        }
    )
    page.wait_for_timeout(300)
    assert computed(page, "body", "background-color") != "rgb(255, 0, 0)"
    assert upstream.outputs() == []

    upstream.send({"type": "response.output_item.done", "response_id": "resp_1", "item": call})
    upstream.wait_for_count("conversation.item.create", 1)
    assert computed(page, "body", "background-color") == "rgb(255, 0, 0)"
    assert "response.create" not in upstream.types()  # the response is still active

    upstream.send(response_done("resp_1", "completed", [call]))
    upstream.wait_for_count("response.create", 1)
    page.wait_for_timeout(300)
    assert upstream.outputs() == [
        {"call_id": "call_a", "ok": True, "applied": {"color": "red"}, "verified": None,
         "verdict": "unwatched"}
    ]
    assert upstream.types().count("response.create") == 1
    expect(page.get_by_test_id("transcript")).to_contain_text("changeBackgroundColor")


def test_calls_only_in_response_done_still_run(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    calls = [
        function_call("call_1", "changeButtonStyle", '{"size": "bigger"}'),
        function_call("call_2", "changeButtonStyle", '{"size": "bigger"}'),
        function_call("call_3", "changeTextColor", '{"color": "bogus"}'),
    ]
    upstream.send(response_done("resp_9", "completed", calls))
    upstream.wait_for_count("response.create", 1)
    outputs = upstream.outputs()
    assert [o["call_id"] for o in outputs] == ["call_1", "call_2", "call_3"]
    assert [o["applied"]["size"] for o in outputs[:2]] == ["20px", "25px"]
    assert outputs[2]["ok"] is False and "not a valid CSS color" in outputs[2]["error"]
    assert computed(page, BUTTON, "font-size") == "25px"


@pytest.mark.parametrize("status", ["cancelled", "failed", "incomplete"])
def test_an_unfinished_response_runs_nothing(
    page: Page, pages_url: str, upstream: FakeUpstream, status: str
) -> None:
    connect_to(page, pages_url, upstream)
    call = function_call("call_x", "changeBackgroundColor", '{"color": "lime"}')
    upstream.send(response_created("resp_c"))
    upstream.send(
        {
            "type": "response.output_item.done",
            "response_id": "resp_c",
            "item": {**call, "status": "incomplete"},
        }
    )
    upstream.send(response_done("resp_c", status, [call]))
    upstream.send({"type": "response.output_item.done", "response_id": "resp_c", "item": call})
    page.wait_for_timeout(500)
    assert computed(page, "body", "background-color") != "rgb(0, 255, 0)"
    assert upstream.types() == ["session.update"]


def test_bad_messages_and_error_events_do_not_disconnect(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    upstream.send("{not json")
    upstream.send(
        {
            "type": "error",
            "event_id": "event_1",
            "error": {"type": "invalid_request_error", "code": "x", "message": "Unknown parameter"},
        }
    )
    log = page.get_by_test_id("event-log")
    expect(log).to_contain_text("invalid JSON from the server")
    expect(log).to_contain_text("← error: Unknown parameter")
    status = page.get_by_test_id("status")
    expect(status).to_contain_text("last error: Unknown parameter")
    expect(status).to_have_attribute("data-state", "connected")

    upstream.send(
        {"type": "response.output_audio_transcript.done", "transcript": "Done, it is red."}
    )
    expect(page.get_by_test_id("transcript").locator("li.agent")).to_have_text("Done, it is red.")


def test_event_log_keeps_the_last_200_entries(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    upstream.page.evaluate(
        "async () => { await fake.ready(); for (let n = 0; n < 250; n++) fake.dc.send("
        "JSON.stringify({type: 'response.output_audio_transcript.delta', delta: String(n)})); }"
    )
    expect(page.get_by_test_id("event-log").locator("li")).to_have_count(200)


def test_typed_message(page: Page, pages_url: str, upstream: FakeUpstream) -> None:
    connect_to(page, pages_url, upstream)
    page.get_by_test_id("message-input").fill("make the background blue")
    page.get_by_test_id("message-input").press("Enter")
    upstream.wait_for_count("response.create", 1)
    sent = upstream.received()[1:]
    # The create names itself, so that an error refusing it can be told from others.
    event_id = sent[-1].get("event_id")
    assert isinstance(event_id, str) and event_id.startswith("turn_")
    assert sent == [
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "make the background blue"}],
            },
        },
        {"type": "response.create", "event_id": event_id},
    ]
    expect(page.get_by_test_id("transcript").locator("li.user")).to_have_text(
        "make the background blue"
    )
    expect(page.get_by_test_id("message-input")).to_have_value("")


def test_disconnect_stops_the_microphone(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    page.evaluate("() => { window.micTrack = rtcBridge.pc.getSenders()[0].track; }")
    page.get_by_test_id("connect-button").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "disconnected")
    page.evaluate("() => rtcBridge.disconnect()")
    after = page.evaluate(
        """() => ({
            mic: window.micTrack.readyState, pc: rtcBridge.pc, dc: rtcBridge.dc,
            audio: document.querySelector('audio').srcObject, state: rtcBridge.state,
        })"""
    )
    assert after == {"mic": "ended", "pc": None, "dc": None, "audio": None, "state": "disconnected"}
    expect(page.get_by_test_id("connect-button")).to_have_text("Connect")
    expect(page.get_by_test_id("send-button")).to_be_disabled()
    page.wait_for_timeout(1_000)
    assert upstream.calls == 1  # no reconnect after a disconnect the user asked for


def test_reconnects_when_the_channel_closes(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    connect_to(page, pages_url, upstream)
    upstream.page.evaluate("() => window.fake.hangUp()")
    status = page.get_by_test_id("status")
    expect(status).to_contain_text("reconnecting")
    expect(status).to_have_attribute("data-state", "connected")
    upstream.wait_for_count("session.update", 2)
    assert upstream.calls == 2
    assert page.evaluate("() => rtcBridge.callId") == "rtc_test2"
    assert page.locator("audio").count() == 1


def test_controlled_page_asks_the_bridge(
    page: Page, pages_url: str, upstream: FakeUpstream
) -> None:
    reports: list[tuple[str, Any]] = []

    def bridge_report(kind: str, payload: Any) -> Any:
        reports.append((kind, payload))
        if kind != "tool_call":
            return None
        call = payload["call"]
        if call["call_id"] == "call_no":
            return {"allowed": False, "reason": "not now"}
        # As the bridge does: run the page's own tool, answer with its result and the check.
        result = page.evaluate("([name, args]) => window.rtcBridge.runTool(name, args)",
                               [call["name"], call["arguments"]])
        if call["call_id"] == "call_unchecked":
            return {"allowed": True, "result": result, "verified": None, "verdict": "unchecked",
                    "observed": {}, "reason": "nothing to check"}
        # An answer without a verdict (as bridges before verdicts gave) is judged by `verified`.
        return {"allowed": True, "result": result, "verified": True,
                "observed": {"background-color": "rgb(0, 0, 255)"}}

    page.expose_function("bridgeReport", bridge_report)
    connect_to(page, pages_url, upstream)
    calls = [
        function_call("call_no", "changeTextColor", '{"color": "white"}'),
        function_call("call_yes", "changeBackgroundColor", '{"color": "blue"}'),
        function_call("call_unchecked", "changeButtonStyle", '{"size": "20px"}'),
    ]
    upstream.send(response_done("resp_b", "completed", calls))
    upstream.wait_for_count("response.create", 1)
    assert upstream.outputs() == [
        {"call_id": "call_no", "ok": False, "error": "not now"},
        {
            "call_id": "call_yes",
            "ok": True,
            "applied": {"color": "blue"},
            "verified": True,
            "verdict": "verified",
            "observed": {"background-color": "rgb(0, 0, 255)"},
        },
        {
            "call_id": "call_unchecked",
            "ok": True,
            "applied": {"size": "20px"},
            "verified": None,
            "verdict": "unchecked",
            "observed": {},
            "reason": "nothing to check",
        },
    ]
    assert computed(page, "body", "color") != "rgb(255, 255, 255)"
    assert computed(page, "body", "background-color") == "rgb(0, 0, 255)"
    assert [kind for kind, _ in reports].count("tool_call") == 3

    def reported() -> list[tuple[str, str]]:
        # Events arrive in batches: one JSON text holding each event as it crossed the channel,
        # on its own or with the report they led to.
        batches = [p if kind == "events" else p.get("events") for kind, p in list(reports)]
        return [(e["dir"], e["event"]["type"]) for text in batches if text
                for e in json.loads(text)]

    for _ in range(40):  # the last batch leaves on the next turn of the page's event loop
        if reported() and reported()[-1] == ("client", "response.create"):
            break
        page.wait_for_timeout(50)
    events = reported()
    assert ("client", "session.update") in events
    assert ("server", "response.done") in events
    assert events[-1] == ("client", "response.create")
