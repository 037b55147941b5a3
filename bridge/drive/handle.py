"""Driving a running bridge from synchronous code: tests, scripts, notebooks.

`BridgeHandle` wraps a BridgeThread: type into the controlled page, speak into its microphone
track, read its DOM, and wait for tool calls that the bridge verified in the DOM.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from ..css.colors import same_color
from ..events.log import EventLog, Record
from .speaking import Utterance, speak, synthesize_wav
from .thread import BridgeThread


@dataclass(frozen=True)
class VerifiedCall:
    """A tool call as the bridge saw it: what was asked, and what the DOM showed."""

    name: str
    arguments: dict[str, Any]
    verified: bool | None
    observed: dict[str, Any]
    reason: str | None
    call_id: str
    t: float

    @classmethod
    def from_record(cls, record: Record, **extra: Any) -> Self:
        """The call a `bridge.tool_verified` record reports (`extra`: a subclass's fields)."""
        event = record.event
        return cls(name=str(event.get("name")), arguments=parse_arguments(event),
                   verified=event.get("verified"), observed=event.get("observed") or {},
                   reason=event.get("reason"), call_id=str(event.get("call_id")), t=record.t,
                   **extra)


class BridgeHandle:
    """The bridge as a test or script sees it."""

    def __init__(self, thread: BridgeThread) -> None:
        assert thread.server is not None
        self.thread = thread
        self.server = thread.server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def event_log(self) -> EventLog:
        return self.server.event_log

    @property
    def browser(self) -> Any:
        browser = self.server.bridge.browser
        if browser is None:
            raise RuntimeError("this bridge has no controlled browser (open_browser=False)")
        return browser

    def wait_ready(self, *, timeout_s: float = 30.0) -> BridgeHandle:
        """Wait until the controlled page has its `session.updated`."""
        browser = self.browser
        self.thread.call(lambda: _wait_event(browser), timeout_s=timeout_s)
        return self

    def reload(self, *, timeout_s: float = 30.0) -> None:
        """Reload the controlled page (fresh DOM, new call) and wait until it is connected."""
        browser = self.browser
        mark = self.event_log.last_seq

        async def reload() -> None:
            browser.ready.clear()
            await browser.page.reload()

        self.thread.call(reload, timeout_s=timeout_s)
        self.event_log.wait_for(lambda r: r.dir == "server" and r.type == "session.updated",
                                timeout_s=timeout_s, after=mark)

    def type(self, text: str) -> int:
        """Type `text` into the page and send it; returns the log position before it."""
        mark = self.event_log.last_seq
        browser = self.browser
        self.thread.call(lambda: browser.type_text(text))
        return mark

    def say(self, text: str, voice: str | None = None, *, timeout_s: float = 30.0) -> Utterance:
        """Say `text` into the page's live microphone track (espeak-ng; `voice` an espeak-ng
        voice, or `flite` / `flite:NAME`) and return once it has been played.

        The result carries `mark` (the event-log position before speaking, for `after=`) and
        `ended_t` (when the words ended, on the event log's clock).
        """
        data = synthesize_wav(text, voice)
        return self._speak(data, kind="say", text=text, source=None, timeout_s=timeout_s)

    def play(self, wav: str | os.PathLike[str], *, timeout_s: float = 30.0) -> Utterance:
        """Play an audio file (WAV, or anything Chromium decodes) into the page's microphone
        track; returns like `say` once it has been played."""
        path = Path(wav)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise FileNotFoundError(f"cannot read the audio file {path}: {err}") from err
        return self._speak(data, kind="play", text=None, source=path, timeout_s=timeout_s)

    def _speak(self, data: bytes, *, kind: Any, text: str | None, source: Path | None,
               timeout_s: float) -> Utterance:
        browser, log = self.browser, self.event_log
        return self.thread.call(
            lambda: speak(browser.page, log, data, kind=kind, text=text, source=source),
            timeout_s=timeout_s)

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        """Evaluate JavaScript in the controlled page."""
        browser = self.browser
        return self.thread.call(lambda: browser.page.evaluate(expression, arg))

    def wait_for_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        *,
        after: int = 0,
        timeout_s: float = 10.0,
        verified: bool | None = True,
    ) -> VerifiedCall:
        """Wait for a call of `name` whose arguments include `arguments` (colours and sizes
        compared after normalisation) and whose verification is `verified` (None: any)."""

        def matches(record: Record) -> bool:
            if record.type != "bridge.tool_verified" or record.event.get("name") != name:
                return False
            if verified is not None and record.event.get("verified") is not verified:
                return False
            return arguments_match(arguments or {}, parse_arguments(record.event))

        try:
            record = self.event_log.wait_for(matches, timeout_s=timeout_s, after=after)
        except TimeoutError:
            seen = [f"{r.event.get('name')} {r.event.get('arguments')} verified="
                    f"{r.event.get('verified')}" for r in self.event_log.records(after=after)
                    if r.type == "bridge.tool_verified"]
            raise AssertionError(
                f"no verified call {name} {arguments or ''} within {timeout_s} s; "
                f"calls seen: {seen or 'none'}") from None
        return VerifiedCall.from_record(record)

    def events(self, *, after: int = 0, type: str | None = None) -> list[Record]:
        return [r for r in self.event_log.records(after=after) if type is None or r.type == type]


def arguments_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """`expected` is a subset of `actual`, compared after normalisation: colours in any spelling
    (blue = #00f = rgb(0, 0, 255)), sizes in any unit (24px = 18pt = 1.5em), bigger = larger."""
    for key, want in expected.items():
        have = actual.get(key)
        if have == want:
            continue
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            want = f"{want}px"
        if isinstance(want, str) and isinstance(have, str) and (
            want.strip().lower() == have.strip().lower() or same_color(want, have)
            or same_size(want, have)
        ):
            continue
        return False
    return True


_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px|pt|em|rem|%)?\s*", re.I)
# Relative lengths are taken against the page's default 16px font.
_PX_PER_UNIT = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "%": 0.16}
_SYNONYMS = {"larger": "bigger", "big": "bigger", "increase": "bigger", "small": "smaller",
             "decrease": "smaller"}


def same_size(a: str, b: str) -> bool:
    """Two CSS sizes that mean the same: lengths in any unit, or the same relative word."""
    a, b = a.strip().lower(), b.strip().lower()
    if _SYNONYMS.get(a, a) == _SYNONYMS.get(b, b):
        return True
    px = [_px(v) for v in (a, b)]
    return px[0] is not None and px[1] is not None and abs(px[0] - px[1]) < 0.01


def _px(value: str) -> float | None:
    match = _LENGTH.fullmatch(value)
    if match is None:
        return None
    return float(match.group(1)) * _PX_PER_UNIT[(match.group(2) or "px").lower()]


def parse_arguments(event: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a logged call as a dict (they travel as a JSON string); {} if unreadable."""
    raw = event.get("arguments")
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


async def _wait_event(browser: Any) -> None:
    await browser.ready.wait()
