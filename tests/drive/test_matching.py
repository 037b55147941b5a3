"""Which logged call a test or a demo step waits for: one matcher, and `wait_for_tool`'s
verdicts on an event log without a running bridge."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

import pytest

from bridge.drive.handle import BridgeHandle, VerifiedCall
from bridge.drive.matching import CallMatcher, arguments_match, calls_seen
from bridge.drive.thread import BridgeThread
from bridge.events.log import EventLog, Record
from bridge.events.records import ToolRefused, ToolVerified
from bridge.events.verdicts import Verdict


def _verified(log: EventLog, name: str, arguments: dict[str, Any], verdict: Verdict,
              reason: str | None = None) -> Record:
    call = {"call_id": f"call_{log.last_seq + 1}", "name": name,
            "arguments": json.dumps(arguments)}
    return log.append_bridge(ToolVerified.for_call(call, verdict=verdict, observed={},
                                                   reason=reason, ok=True), session="rtc_1")


def _handle(log: EventLog) -> BridgeHandle:
    """A handle over `log` alone: what `wait_for_tool` reads."""
    return BridgeHandle(cast(BridgeThread, SimpleNamespace(server=SimpleNamespace(event_log=log))))


@pytest.fixture
def log() -> EventLog:
    log = EventLog()
    log.append(dir="server", type="session.created", event={"type": "session.created"})
    _verified(log, "changeBackgroundColor", {"color": "red"}, "not_verified",
              "background-color is rgb(255, 255, 255), expected rgb(255, 0, 0) (red)")
    _verified(log, "scrollToTop", {"smooth": True}, "unchecked", "declares nothing")
    _verified(log, "changeButtonStyle", {"size": "24px", "color": "#00f"}, "verified")
    return log


@pytest.mark.parametrize("expected, actual, match", [
    ({}, {"color": "blue"}, True),
    ({"color": "blue"}, {"color": "#00f"}, True),
    ({"color": "Blue"}, {"color": "rgb(0 0 255)"}, True),
    ({"size": "1.5em"}, {"size": "24px", "color": "red"}, True),
    ({"size": 24}, {"size": "18pt"}, True),
    ({"size": "larger"}, {"size": "bigger"}, True),
    ({"color": "blue"}, {"color": "navy"}, False),
    ({"color": "blue"}, {}, False),
    ({"smooth": True}, {"smooth": True}, True),
])
def test_arguments_match_by_meaning(
    expected: dict[str, Any], actual: dict[str, Any], match: bool
) -> None:
    assert arguments_match(expected, actual) is match


def test_the_matcher_takes_name_arguments_and_verdicts(log: EventLog) -> None:
    records = log.records()
    assert [r.seq for r in records if CallMatcher("changeButtonStyle", {"color": "blue"})(r)] == [4]
    assert not any(CallMatcher("changeButtonStyle", {"color": "red"})(r) for r in records)
    red = CallMatcher("changeBackgroundColor", {"color": "red"})
    assert [r.seq for r in records if red(r)] == [2]  # any verdict
    assert not any(CallMatcher("changeBackgroundColor", verdicts="verified")(r) for r in records)
    either = CallMatcher("scrollToTop", verdicts=["unchecked", "unwatched"])
    assert [r.seq for r in records if either(r)] == [3]
    assert red.describe() == 'changeBackgroundColor {"color": "red"}'
    assert CallMatcher("getPageHTML").describe() == "getPageHTML"
    with pytest.raises(ValueError, match="not a verdict"):
        CallMatcher("x", verdicts="true")  # type: ignore[arg-type]


def test_wait_for_tool_waits_for_a_verified_call_by_default(log: EventLog) -> None:
    handle = _handle(log)
    call = handle.wait_for_tool("changeButtonStyle", {"size": "1.5em"}, timeout_s=0.1)
    assert isinstance(call, VerifiedCall) and isinstance(call, ToolVerified)
    assert call.verified is True and call.verdict == "verified" and call.ok is True
    assert call.arguments == {"size": "24px", "color": "#00f"} and call.t > 0
    with pytest.raises(AssertionError) as failure:
        handle.wait_for_tool("changeBackgroundColor", {"color": "red"}, timeout_s=0.1)
    message = str(failure.value)
    assert message.startswith('no verified call changeBackgroundColor {"color": "red"} within')
    assert 'changeBackgroundColor {"color": "red"} not_verified (background-color is' in message
    assert 'scrollToTop {"smooth": true} unchecked (declares nothing)' in message


def test_wait_for_tool_takes_verified_or_a_verdict(log: EventLog) -> None:
    handle = _handle(log)
    failed = handle.wait_for_tool("changeBackgroundColor", verified=False, timeout_s=0.1)
    assert failed.verdict == "not_verified" and "expected rgb(255, 0, 0)" in (failed.reason or "")
    assert handle.wait_for_tool("scrollToTop", verified=None, timeout_s=0.1).verified is None
    unchecked = handle.wait_for_tool("scrollToTop", {"smooth": True}, verdict="unchecked",
                                     timeout_s=0.1)
    assert unchecked.verdict == "unchecked" and unchecked.verified is None
    assert handle.wait_for_tool("changeBackgroundColor", verdict=("not_verified", "verified"),
                                timeout_s=0.1).call_id == failed.call_id
    with pytest.raises(AssertionError, match="no unwatched call scrollToTop within"):
        handle.wait_for_tool("scrollToTop", verdict="unwatched", timeout_s=0.1)
    with pytest.raises(AssertionError, match="no not_verified or unchecked call getPageHTML"):
        handle.wait_for_tool("getPageHTML", verdict={"unchecked", "not_verified"}, timeout_s=0.1)


def test_wait_for_tool_only_looks_after_the_mark(log: EventLog) -> None:
    handle = _handle(log)
    mark = log.last_seq
    with pytest.raises(AssertionError, match="calls seen: none"):
        handle.wait_for_tool("changeButtonStyle", after=mark, timeout_s=0.1)
    _verified(log, "changeButtonStyle", {"size": "bigger"}, "verified")
    assert handle.wait_for_tool("changeButtonStyle", after=mark).arguments == {"size": "bigger"}


def test_calls_seen_lists_verdicts_and_refusals(log: EventLog) -> None:
    log.append_bridge(ToolRefused.for_call({"call_id": "c9", "name": "eval", "arguments": "{}"},
                                           reason="unknown tool 'eval'"))
    assert calls_seen(log.records()) == [
        'changeBackgroundColor {"color": "red"} not_verified (background-color is '
        'rgb(255, 255, 255), expected rgb(255, 0, 0) (red))',
        'scrollToTop {"smooth": true} unchecked (declares nothing)',
        'changeButtonStyle {"size": "24px", "color": "#00f"} verified',
        "eval {} refused: unknown tool 'eval'",
    ]


def test_a_call_that_never_came_says_what_came_instead(log: EventLog) -> None:
    handle = _handle(log)
    mark = log.last_seq
    log.append(dir="server", type="response.output_audio_transcript.done",
               event={"type": "response.output_audio_transcript.done",
                      "transcript": "Sorry, I did not catch that."})
    log.append(dir="server", type="error", event={"type": "error", "error": {
        "message": "Conversation already has an active response in progress: resp_1."}})
    with pytest.raises(AssertionError) as failed:
        handle.wait_for_tool("syncTodos", after=mark, timeout_s=0.1)
    assert str(failed.value).endswith(
        "calls seen: none; instead: response.output_audio_transcript.done: agent: Sorry, I did "
        "not catch that. | error: Conversation already has an active response in progress: "
        "resp_1.")
