"""The agent's answers as the event log shows them: which one starts to speak, how it ends,
and whether some response was refused because another was active."""

from __future__ import annotations

from bridge.drive.handle import BridgeHandle
from bridge.events.log import Record
from bridge.events.records import ResponseRefused, all_of
from bridge.events.refusals import ACTIVE_RESPONSE_CODE


def spoken_answer(handle: BridgeHandle, *, after: int, timeout_s: float = 15) -> str:
    """The id of the first response after `after` whose audio starts."""
    record = handle.event_log.wait_for(
        lambda r: r.dir == "server" and r.type == "output_audio_buffer.started",
        timeout_s=timeout_s, after=after)
    return str(record.event["response_id"])


def response_end(handle: BridgeHandle, response_id: str, *, timeout_s: float = 15) -> Record:
    """The `response.done` of `response_id`."""
    return handle.event_log.wait_for(
        lambda r: r.dir == "server" and r.type == "response.done"
        and (r.event.get("response") or {}).get("id") == response_id, timeout_s=timeout_s)


def status_of(done: Record) -> str:
    return str(done.event["response"]["status"])


def refusals(records: list[Record]) -> list[str]:
    """Every sign of a lost request: the upstream's errors and the bridge's records of them."""
    errors = [str(r.event) for r in records if r.dir == "server" and r.type == "error"
              and (r.event.get("error") or {}).get("code") == ACTIVE_RESPONSE_CODE]
    return errors + [record.describe() for record in all_of(ResponseRefused, records)]
