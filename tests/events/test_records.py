"""The bridge's own records: written as before, read back typed, never raising on garbage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bridge.events.log import EventLog, Record
from bridge.events.records import (
    BridgeRecord,
    BrowserFailed,
    PageLost,
    PageReopened,
    PageReopenFailed,
    ResponseRefused,
    Stopped,
    ToolRefused,
    ToolVerified,
    UserAudio,
    all_of,
    read,
)
from bridge.events.verdicts import VERDICTS, verdict_set, verified_of

CALL = {"call_id": "call_1", "name": "changeBackgroundColor", "arguments": '{"color": "blue"}'}
EXAMPLES: list[BridgeRecord] = [
    ToolVerified.for_call(CALL, verdict="verified", observed={"backgroundColor": "rgb(0, 0, 255)"},
                          reason=None, ok=True),
    ToolVerified.for_call(CALL, verdict="not_verified", observed={}, reason="no element",
                          ok=True),
    ToolVerified.for_call(CALL, verdict="unchecked", observed={}, reason="nothing", ok=True),
    ToolRefused.for_call({**CALL, "name": "eval"}, reason="unknown tool 'eval'"),
    PageLost(reason="the page crashed"),
    PageReopened(reason="chromium exited", browser_relaunched=True),
    PageReopenFailed(reason="the page crashed", error="Target closed"),
    BrowserFailed(error="no Chromium"),
    Stopped(calls_closed=2),
    Stopped(calls_closed=None),
    UserAudio(kind="say", text="make the text white", source=None, started_t=1.25,
              ended_t=2.5, clip_ended_t=2.75),
    ResponseRefused(active_response_id="resp_1", unanswered="what can you do",
                    message="Conversation already has an active response in progress: resp_1.",
                    event_id="turn_1"),
    ResponseRefused(active_response_id=None, unanswered=None, message=""),
    UserAudio(kind="play", text=None, source="cmd.wav", started_t=1.0, ended_t=1.9,
              clip_ended_t=2.0, impairments={"noise": {"kind": "pink", "snr_db": 20.0},
                                             "speed": 1.15}),
]


def _logged(entry: BridgeRecord) -> Record:
    log = EventLog()
    return log.append_bridge(entry, session="rtc_1")


@pytest.mark.parametrize("entry", EXAMPLES, ids=lambda e: f"{type(e).__name__}")
def test_each_record_round_trips_through_the_log(entry: BridgeRecord) -> None:
    record = _logged(entry)
    assert record.dir == "bridge" and record.type == entry.TYPE and record.session == "rtc_1"
    assert record.event == entry.to_event()
    assert type(entry).from_record(record) == entry
    assert read(record) == entry
    # And through the JSONL text, as the demo and the report read it back.
    line = json.loads(json.dumps(record.as_json()))
    assert read(Record.from_json(line) or record) == entry


def test_the_logged_fields_of_a_verification_are_unchanged_and_gain_a_verdict() -> None:
    event = _logged(EXAMPLES[0]).event
    assert event == {"call_id": "call_1", "name": "changeBackgroundColor",
                     "arguments": '{"color": "blue"}', "verified": True, "verdict": "verified",
                     "observed": {"backgroundColor": "rgb(0, 0, 255)"}, "reason": None, "ok": True}
    assert _logged(EXAMPLES[3]).event == {"call_id": "call_1", "name": "eval",
                                          "arguments": '{"color": "blue"}',
                                          "reason": "unknown tool 'eval'"}
    assert _logged(EXAMPLES[10]).event == {"kind": "say", "text": "make the text white",
                                           "source": None, "started_t": 1.25, "ended_t": 2.5,
                                           "clip_ended_t": 2.75}


@pytest.mark.parametrize("verdict, verified", [
    ("verified", True), ("not_verified", False), ("unchecked", None), ("unwatched", None)])
def test_verified_is_derived_from_the_verdict(verdict: Any, verified: bool | None) -> None:
    assert verified_of(verdict) is verified
    call = ToolVerified.for_call(CALL, verdict=verdict, observed={}, reason=None, ok=True)
    assert call.verified is verified and call.to_event()["verified"] is verified


def test_a_record_from_before_verdicts_reads_its_verdict_from_verified() -> None:
    old = {"call_id": "c", "name": "changeTextColor", "arguments": "{}", "verified": False,
           "observed": {}, "ok": True}
    assert ToolVerified.from_event(old).verdict == "not_verified"
    assert ToolVerified.from_event({**old, "verified": True}).verdict == "verified"
    # An explicit verdict wins over a `verified` that disagrees with it.
    assert ToolVerified.from_event({**old, "verdict": "unchecked"}).verified is None


@pytest.mark.parametrize("event", [
    {},
    {"call_id": 7, "name": None, "arguments": 12, "verdict": "maybe", "observed": [1],
     "reason": {"x": 1}, "ok": "yes"},
    {"arguments": "not json", "verified": "true"},
    {"arguments": "[1, 2]"},
])
def test_garbage_reads_as_defaults_and_never_raises(event: dict[str, Any]) -> None:
    record = Record(t=1.0, session=None, dir="bridge", type=ToolVerified.TYPE, event=event, seq=1)
    call = ToolVerified.from_record(record)
    assert call.verdict == "not_verified" and call.verified is False
    assert isinstance(call.call_id, str) and isinstance(call.name, str)
    assert call.arguments == {} and call.observed == {} and call.ok is False
    assert call.reason is None
    for cls in (ToolRefused, PageLost, PageReopened, PageReopenFailed, BrowserFailed, Stopped,
                UserAudio):
        typed = cls.from_record(record)
        assert typed.to_event().keys() == cls.from_event({}).to_event().keys()


def test_arguments_given_as_an_object_are_kept_as_json_text() -> None:
    call = ToolVerified.from_event({**CALL, "arguments": {"color": "red"}, "verdict": "verified"})
    assert call.arguments_json == '{"color": "red"}' and call.arguments == {"color": "red"}


def test_read_types_only_the_bridges_own_records() -> None:
    server = Record(t=0.0, session=None, dir="server", type="bridge.page_lost", event={}, seq=1)
    unknown = Record(t=0.0, session=None, dir="bridge", type="bridge.future", event={}, seq=2)
    assert read(server) is None and read(unknown) is None
    log = EventLog()
    log.append(dir="server", type="session.created", event={"type": "session.created"})
    for entry in EXAMPLES:
        log.append_bridge(entry)
    assert all_of(ToolVerified, log.records()) == EXAMPLES[:3]
    assert all_of(PageLost, log.records()) == [EXAMPLES[4]]


def test_verdict_sets() -> None:
    assert verdict_set("unchecked") == {"unchecked"}
    assert verdict_set(["verified", "unwatched"]) == {"verified", "unwatched"}
    assert set(VERDICTS) == {"verified", "not_verified", "unchecked", "unwatched"}
    with pytest.raises(ValueError, match="not a verdict: true"):
        verdict_set(["true"])  # type: ignore[list-item]


def test_lines_of_a_log_file_read_back_as_records(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    log.append_bridge(PageLost(reason="the page was closed"), session="rtc_9")
    log.close()
    [line] = path.read_text().splitlines()
    record = Record.from_json(json.loads(line), seq=1)
    assert record is not None and record.session == "rtc_9" and record.seq == 1
    assert read(record) == PageLost(reason="the page was closed")
    assert Record.from_json(["not", "a", "record"]) is None
    assert Record.from_json({"dir": "sideways", "type": "x"}) is None
    odd = Record.from_json({"dir": "bridge", "type": "bridge.page_lost", "event": "x", "t": "y"})
    assert odd is not None and odd.event == {} and odd.t == 0.0
