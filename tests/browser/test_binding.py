"""The page's binding: event batches logged, tool calls gated, run and verified in one
evaluate (a fake page answers it as Chromium would), each ending in a verdict."""

from __future__ import annotations

import json
from typing import Any

from bridge.browser.binding import PageReports
from bridge.browser.tools import ToolRegistry
from bridge.events.log import EventLog
from bridge.events.records import ToolRefused, ToolVerified, all_of
from tests.conftest import run_async


class FakePage:
    """Answers the verifier's one evaluate with what the page would read."""

    def __init__(self, read: dict[str, Any] | Exception) -> None:
        self.read = read
        self.calls: list[Any] = []

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        self.calls.append(json.loads(arg))
        if isinstance(self.read, Exception):
            raise self.read
        return json.dumps(self.read)


def styles(prop: str, before: str, after: str, expected: str | None) -> dict[str, Any]:
    return {"result": {"ok": True, "applied": {}}, "before": {prop: before},
            "after": {prop: after}, "expected": {prop: expected} if expected else {},
            "html": None}


def report(
    page: FakePage, kind: str, payload: Any, registry: ToolRegistry | None = None
) -> tuple[Any, EventLog]:
    log = EventLog()
    reports = PageReports(page, registry=registry or ToolRegistry.load(), event_log=log)
    return run_async(reports.handle(kind, payload)), log


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"call": {"call_id": "call_1", "name": name, "arguments": json.dumps(arguments)}}


def test_a_call_runs_in_one_evaluate_and_is_verified() -> None:
    page = FakePage(styles("background-color", "rgb(246, 248, 250)", "rgb(0, 0, 255)",
                           "rgb(0, 0, 255)"))
    answer, log = report(page, "tool_call", call("changeBackgroundColor", {"color": "blue"}))
    assert answer["allowed"] is True and answer["verified"] is True
    assert answer["verdict"] == "verified"
    assert answer["observed"] == {"backgroundColor": "rgb(0, 0, 255)"}
    assert answer["result"]["ok"] is True
    assert len(page.calls) == 1
    sent = page.calls[0]
    assert sent["name"] == "changeBackgroundColor" and sent["selector"] == "body"
    assert sent["checks"] == [["background-color", "blue"]]
    [verified] = all_of(ToolVerified, log.records())
    assert verified.verdict == "verified" and verified.verified is True and verified.ok is True
    assert verified.call_id == "call_1" and verified.arguments == {"color": "blue"}
    # The logged event keeps its fields: the arguments as the JSON text the page sent.
    [record] = log.records()
    assert record.dir == "bridge" and record.type == "bridge.tool_verified"
    assert record.event == {"call_id": "call_1", "name": "changeBackgroundColor",
                            "arguments": '{"color": "blue"}', "verified": True,
                            "verdict": "verified", "observed": {"backgroundColor": "rgb(0, 0, 255)"},
                            "reason": None, "ok": True}


def test_a_dom_that_did_not_change_is_not_verified() -> None:
    page = FakePage(styles("color", "rgb(31, 35, 40)", "rgb(31, 35, 40)", "rgb(255, 255, 255)"))
    answer, log = report(page, "tool_call", call("changeTextColor", {"color": "white"}))
    assert answer["verified"] is False and answer["verdict"] == "not_verified"
    assert "expected rgb(255, 255, 255)" in answer["reason"]
    [verified] = all_of(ToolVerified, log.records())
    assert verified.verdict == "not_verified" and verified.reason == answer["reason"]


def test_a_tool_that_declares_nothing_to_check_is_unchecked() -> None:
    scroll = {"type": "function", "name": "scrollToTop", "description": "Scroll to the top.",
              "parameters": {"type": "object", "properties": {"smooth": {"type": "boolean"}}},
              "x-bridge": {"custom": True}}
    registry = ToolRegistry([scroll])
    page = FakePage({"result": {"ok": True, "smooth": True}, "before": None, "after": None,
                     "expected": {}, "html": None})
    answer, log = report(page, "tool_call", call("scrollToTop", {"smooth": True}), registry)
    assert answer["allowed"] is True and answer["result"] == {"ok": True, "smooth": True}
    assert answer["verdict"] == "unchecked" and answer["verified"] is None
    assert "declares nothing" in answer["reason"]
    assert page.calls[0]["props"] == [] and page.calls[0]["selector"] is None
    [unchecked] = all_of(ToolVerified, log.records())
    assert unchecked.verdict == "unchecked" and unchecked.verified is None
    assert log.records()[0].event["verified"] is None


def test_the_two_step_reports_are_gone() -> None:
    for kind in ("tool_before", "tool_after"):
        page = FakePage({})
        answer, log = report(page, kind, call("eval", {}))
        assert answer is None and page.calls == [] and log.records() == []


def test_relative_sizes_compare_the_reads_before_and_after() -> None:
    grown = FakePage(styles("font-size", "16px", "20px", None))
    answer, _ = report(grown, "tool_call", call("changeButtonStyle", {"size": "bigger"}))
    assert answer["verified"] is True
    assert answer["observed"] == {"fontSize": "20px", "fontSizeBefore": "16px"}
    assert grown.calls[0]["checks"] == []  # nothing to resolve: the keyword is relative
    shrunk = FakePage(styles("font-size", "16px", "12px", None))
    answer, _ = report(shrunk, "tool_call", call("changeButtonStyle", {"size": "bigger"}))
    assert answer["verified"] is False and "expected larger" in answer["reason"]


def test_a_refused_call_never_reaches_the_page() -> None:
    page = FakePage({})
    answer, log = report(page, "tool_call", call("eval", {}))
    assert answer == {"allowed": False, "reason": answer["reason"]}
    assert "unknown tool" in answer["reason"]
    assert page.calls == []
    [refused] = all_of(ToolRefused, log.records())
    assert refused.name == "eval" and refused.reason == answer["reason"]
    assert [r.type for r in log.records()] == ["bridge.tool_refused"]


def test_a_page_that_fails_under_the_call_gives_an_unverified_failure() -> None:
    page = FakePage(RuntimeError("Target page, context or browser has been closed"))
    answer, log = report(page, "tool_call", call("changeBackgroundColor", {"color": "red"}))
    assert answer["result"]["ok"] is False and answer["verified"] is False
    assert "has been closed" in answer["reason"]
    assert [r.type for r in log.records()] == ["bridge.tool_verified"]


def test_event_batches_are_logged_in_order_from_their_json_text() -> None:
    batch = ('[{"dir":"client","session":null,"event":{"type":"session.update"}},'
             '{"dir":"server","session":"rtc_1","event":{"type":"session.updated"}},'
             '{"dir":"sideways","session":"rtc_1","event":{"type":"x"}},'
             '{"dir":"server","session":"rtc_1","event":"not an object"}]')
    answer, log = report(FakePage({}), "events", batch)
    assert answer is None
    assert [(r.dir, r.type, r.session) for r in log.records()] == [
        ("client", "session.update", None), ("server", "session.updated", "rtc_1")]
    _, log = report(FakePage({}), "events", "[not json")
    assert log.records() == []


def test_events_that_come_with_a_call_are_logged_before_its_verification() -> None:
    page = FakePage(styles("background-color", "rgb(246, 248, 250)", "rgb(255, 0, 0)",
                           "rgb(255, 0, 0)"))
    payload = {**call("changeBackgroundColor", {"color": "red"}),
               "events": '[{"dir":"server","session":"rtc_1","at":1,'
                         '"event":{"type":"response.output_item.done"}}]'}
    answer, log = report(page, "tool_call", payload)
    assert answer["verified"] is True
    assert [r.type for r in log.records()] == ["response.output_item.done",
                                               "bridge.tool_verified"]
