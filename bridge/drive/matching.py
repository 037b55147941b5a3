"""Which logged tool call a test or a demo step is waiting for: one matcher for both.

    wanted = CallMatcher("changeBackgroundColor", {"color": "#00f"}, verdicts={"verified"})
    record = event_log.wait_for(wanted, timeout_s=10, after=mark)

Arguments are compared by meaning: colours in any spelling (blue = #00f = rgb(0, 0, 255)),
sizes in any unit (24px = 18pt = 1.5em), bigger = larger.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..css.colors import same_color
from ..css.lengths import same_size
from ..events.describe import detail
from ..events.log import Record
from ..events.records import ToolRefused, ToolVerified
from ..events.verdicts import Verdict, verdict_set

__all__ = ["CallMatcher", "arguments_match", "calls_seen", "said_instead"]


class CallMatcher:
    """A logged `bridge.tool_verified` of `name` whose arguments include `arguments` and whose
    verdict is one of `verdicts` (None: any verdict). Call it with a record."""

    def __init__(self, name: str, arguments: Mapping[str, Any] | None = None, *,
                 verdicts: Verdict | Iterable[Verdict] | None = None) -> None:
        self.name = name
        self.arguments = dict(arguments or {})
        self.verdicts = None if verdicts is None else verdict_set(verdicts)

    def __call__(self, record: Record) -> bool:
        if record.dir != "bridge" or record.type != ToolVerified.TYPE:
            return False
        return self.matches(ToolVerified.from_record(record))

    def matches(self, call: ToolVerified) -> bool:
        return (call.name == self.name
                and (self.verdicts is None or call.verdict in self.verdicts)
                and arguments_match(self.arguments, call.arguments))

    def describe(self) -> str:
        """`name {"arg": …}`, as failure messages name what was awaited."""
        return f"{self.name} {json.dumps(self.arguments)}" if self.arguments else self.name


def arguments_match(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> bool:
    """`expected` is a subset of `actual`, compared by meaning (see the module's docstring)."""
    for key, want in expected.items():
        have = actual.get(key)
        if have == want:
            continue
        if isinstance(want, int | float) and not isinstance(want, bool):
            want = f"{want}px"
        if isinstance(want, str) and isinstance(have, str) and (
            want.strip().lower() == have.strip().lower() or same_color(want, have)
            or same_size(want, have)
        ):
            continue
        return False
    return True


def calls_seen(records: Iterable[Record]) -> list[str]:
    """Each tool call among `records`, with its verdict or why it was refused, for messages."""
    seen = []
    for record in records:
        if record.dir != "bridge":
            continue
        if record.type == ToolVerified.TYPE:
            call = ToolVerified.from_record(record)
            reason = f" ({call.reason})" if call.reason else ""
            seen.append(f"{call.name} {call.arguments_json} {call.verdict}{reason}")
        elif record.type == ToolRefused.TYPE:
            refused = ToolRefused.from_record(record)
            seen.append(f"{refused.name} {refused.arguments_json} refused: {refused.reason}")
    return seen


# What else a conversation shows when an awaited call never came: the agent's answers, the
# server's errors and requests the bridge saw refused.
_INSTEAD_TYPES = frozenset({"error", "response.output_audio_transcript.done",
                            "response.output_text.done", "bridge.response_refused"})


def said_instead(records: Iterable[Record]) -> list[str]:
    """The agent's answers, errors and refused requests among `records`, one line each."""
    return [f"{record.type}: {detail(record)}" for record in records
            if record.type in _INSTEAD_TYPES]
