"""The running bridge watches its own event log: a request refused for an active response is
marked from the first event on, and no longer once the bridge has stopped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.config import Settings
from bridge.events.log import EventLog
from bridge.events.records import ResponseRefused, all_of
from bridge.events.refusals import ACTIVE_RESPONSE_CODE
from bridge.runtime import Bridge

REFUSED = {"type": "error", "error": {"code": ACTIVE_RESPONSE_CODE, "message": "in progress"}}


def test_the_bridge_marks_refused_requests_in_its_event_log(arun: Callable[..., Any]) -> None:
    log = EventLog()
    bridge = Bridge(Settings.from_env({}, open_browser=False, port=0), event_log=log)
    try:
        log.append(dir="server", type="response.created", event={
            "type": "response.created", "response": {"id": "resp_1"}}, session="rtc_1")
        log.append(dir="server", type="error", event=REFUSED, session="rtc_1")
        [marked] = all_of(ResponseRefused, log.records())
        assert marked.active_response_id == "resp_1"
    finally:
        arun(bridge.aclose())
    log.append(dir="server", type="error", event=REFUSED, session="rtc_1")
    assert len(all_of(ResponseRefused, log.records())) == 1
