"""Driving a running bridge from synchronous code: tests, scripts, notebooks.

`BridgeHandle` wraps a BridgeThread: type into the controlled page, speak into its microphone
track, read its DOM, check it (`check_dom`, the `--checks` format), and wait for tool calls
that the bridge verified in the DOM.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Self, TypeVar

from ..audio import Impairments
from ..browser.checks import DEFAULT_TIMEOUT_S as CHECK_TIMEOUT_S
from ..browser.checks import (
    Baseline,
    Check,
    CheckResult,
    ChecksFile,
    DomChecker,
    load_checks,
    parse_check_list,
    parse_checks,
)
from ..events.log import EventLog, Record
from ..events.records import ToolVerified
from ..events.verdicts import Verdict
from .matching import CallMatcher, calls_seen, said_instead
from .outgoing import OutgoingTap
from .speaking import Utterance, speak, synthesize_wav
from .thread import BridgeThread

__all__ = ["BridgeHandle", "VerifiedCall"]

T = TypeVar("T")


@dataclass(frozen=True)
class VerifiedCall(ToolVerified):
    """A tool call as the bridge saw it, read back from the event log: what was asked (`name`,
    `arguments` as a dict, `call_id`), what the DOM showed (`observed`), the `verdict` and the
    `verified` it stands for, the `reason` when not verified, the tool's own `ok`, and `t`,
    when it was logged (on the event log's clock)."""

    t: float = 0.0

    @classmethod
    def from_record(cls, record: Record) -> Self:
        return replace(super().from_record(record), t=record.t)


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
        """Wait until the controlled page is connected (its session answered); BrowserError
        saying what the page did (microphone, peers, channels, requests) if it does not."""
        browser = self.browser
        self.thread.call(lambda: browser.wait_connected(timeout_s), timeout_s=timeout_s + 10)
        return self

    def reload(self, *, timeout_s: float = 30.0) -> None:
        """Reload the controlled page (fresh DOM, new call) and wait until it is connected."""
        browser = self.browser
        mark = self.event_log.last_seq

        self.thread.call(browser.reload, timeout_s=timeout_s)
        self.event_log.wait_for(lambda r: r.dir == "server" and r.type == "session.updated",
                                timeout_s=timeout_s, after=mark)

    def type(self, text: str) -> int:
        """Type `text` into the page and send it; returns the log position before it."""
        mark = self.event_log.last_seq
        browser = self.browser
        self.thread.call(lambda: browser.type_text(text))
        return mark

    def say(self, text: str, voice: str | None = None, *, impair: Impairments | None = None,
            timeout_s: float = 30.0) -> Utterance:
        """Say `text` into the page's live microphone track (espeak-ng; `voice` an espeak-ng
        voice, or `flite` / `flite:NAME`) and return once it has been played.

        `impair` (noise, tempo, pitch, reverb, gain: `bridge.audio.Impairments`, or
        `Impairments.from_mapping` of a scenario's form) changes the speech before it enters
        the track. The result carries `mark` (the event-log position before speaking, for
        `after=`) and `ended_t` (when the words ended, after any change of tempo, on the event
        log's clock).
        """
        data = synthesize_wav(text, voice)
        return self._speak(data, kind="say", text=text, source=None, impair=impair,
                           timeout_s=timeout_s)

    def play(self, wav: str | os.PathLike[str], *, impair: Impairments | None = None,
             timeout_s: float = 30.0) -> Utterance:
        """Play an audio file (WAV, or anything Chromium decodes) into the page's microphone
        track, impaired by `impair` (then decoded here, by FFmpeg); returns like `say`."""
        path = Path(wav)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise FileNotFoundError(f"cannot read the audio file {path}: {err}") from err
        return self._speak(data, kind="play", text=None, source=path, impair=impair,
                           timeout_s=timeout_s)

    def _speak(self, data: bytes, *, kind: Any, text: str | None, source: Path | None,
               impair: Impairments | None, timeout_s: float) -> Utterance:
        browser, log = self.browser, self.event_log
        return self.thread.call(
            lambda: speak(browser.page, log, data, kind=kind, text=text, source=source,
                          impair=impair),
            timeout_s=timeout_s)

    def tap_outgoing(self, *, timeout_s: float = 10.0) -> OutgoingTap:
        """A context manager that captures the page's outgoing mix while its block runs (the
        microphone and what `say`/`play` put into it, never the agent's voice): its `samples`
        (int16 mono at `rate_hz`) once the block has ended. The bridge's own page only."""
        return OutgoingTap(self.thread, self.browser.page, timeout_s=timeout_s)

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        """Evaluate JavaScript in the controlled page."""
        browser = self.browser
        return self.thread.call(lambda: browser.page.evaluate(expression, arg))

    def declare_checks(
        self, checks: Mapping[str, Any] | ChecksFile | str | os.PathLike[str] | None
    ) -> None:
        """What each tool of your page (`--page`) should change in the DOM, from the next call
        on: the `--checks` format as a mapping (`{"tools": {name: {"checks": [...]}}}`), a file,
        or a `ChecksFile` already read; None for none (each call `unchecked`)."""
        if checks is None or isinstance(checks, ChecksFile):
            parsed = checks
        elif isinstance(checks, Mapping):
            parsed = parse_checks(checks, source="declare_checks")
        else:
            parsed = load_checks(Path(checks))
        browser = self.browser
        self.thread.call(lambda: browser.declare_checks(parsed))

    def click(self, selector: str, *, timeout_s: float = 10.0) -> int:
        """Click what `selector` (a Playwright selector) finds in the controlled page; returns
        the log position before it."""
        mark = self.event_log.last_seq
        page = self.browser.page
        self.thread.call(lambda: page.locator(selector).click(timeout=timeout_s * 1000),
                         timeout_s=timeout_s + 5)
        return mark

    def fill(self, selector: str, text: str, *, timeout_s: float = 10.0) -> None:
        """Fill the input or text area `selector` finds with `text`."""
        page = self.browser.page
        self.thread.call(lambda: page.locator(selector).fill(text, timeout=timeout_s * 1000),
                         timeout_s=timeout_s + 5)

    @property
    def page(self) -> Any:
        """The controlled page itself (Playwright's async `Page`, living on the bridge's event
        loop): use it through `run`, e.g. `handle.run(lambda: handle.page.title())`."""
        return self.browser.page

    def run(self, fn: Callable[[], Coroutine[Any, Any, T]], *, timeout_s: float = 30.0) -> T:
        """Run `fn()` (a coroutine function, e.g. on `page`) on the bridge's loop; its result."""
        return self.thread.call(fn, timeout_s=timeout_s)

    def dom_baseline(self, checks: Sequence[Check] | Sequence[Mapping[str, Any]], *,
                     arguments: Mapping[str, Any] | None = None,
                     timeout_s: float = 10.0) -> Baseline:
        """What `checks`' `count_delta` counts from, read now: before whatever should change
        the page (pass it to `check_dom`). `arguments` fill the selectors' `{name}`s."""
        wanted = _as_checks(checks)
        browser = self.browser

        async def read() -> Baseline:
            return await DomChecker(browser.page).baseline(wanted, arguments)

        return self.thread.call(read, timeout_s=timeout_s)

    def check_dom(self, checks: Sequence[Check] | Sequence[Mapping[str, Any]], *,
                  arguments: Mapping[str, Any] | None = None, baseline: Baseline | None = None,
                  timeout_s: float = CHECK_TIMEOUT_S) -> CheckResult:
        """Poll the controlled page until every check holds or `timeout_s` has passed; the
        verdict (`verified` or `not_verified`, with what each check saw and why one failed).

        `checks` are in the `--checks` format (`[{"selector": "body", "style":
        {"color": "{color}"}}]`) or already read; `{name}` takes `arguments[name]`; a
        `count_delta` counts from `baseline` (see `dom_baseline`)."""
        wanted = _as_checks(checks)
        browser = self.browser

        async def check() -> CheckResult:
            return await DomChecker(browser.page).verify(wanted, arguments, baseline,
                                                         timeout_s=timeout_s)

        return self.thread.call(check, timeout_s=timeout_s + 30)

    def wait_for_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        *,
        after: int = 0,
        timeout_s: float = 10.0,
        verified: bool | None = True,
        verdict: Verdict | Iterable[Verdict] | None = None,
    ) -> VerifiedCall:
        """Wait for a call of `name` whose arguments include `arguments` (colours and sizes
        compared after normalisation) and whose verification is `verified` (None: any).

        `verdict` (one of `verified`, `not_verified`, `unchecked`, `unwatched`, or several)
        waits for those verdicts instead of `verified`. On timeout, AssertionError lists the
        calls seen with their verdicts.
        """
        if verdict is None and verified is not None:
            verdict = "verified" if verified else "not_verified"
        wanted = CallMatcher(name, arguments, verdicts=verdict)
        try:
            record = self.event_log.wait_for(wanted, timeout_s=timeout_s, after=after)
        except TimeoutError:
            kinds = "" if wanted.verdicts is None else " or ".join(sorted(wanted.verdicts)) + " "
            records = self.event_log.records(after=after)
            seen, instead = calls_seen(records), said_instead(records)
            raise AssertionError(
                f"no {kinds}call {wanted.describe()} within {timeout_s} s; "
                f"calls seen: {'; '.join(seen) or 'none'}"
                + (f"; instead: {' | '.join(instead)}" if instead else "")) from None
        return VerifiedCall.from_record(record)

    def events(self, *, after: int = 0, type: str | None = None) -> list[Record]:
        return [r for r in self.event_log.records(after=after) if type is None or r.type == type]


def _as_checks(checks: Sequence[Check] | Sequence[Mapping[str, Any]]) -> tuple[Check, ...]:
    if all(isinstance(check, Check) for check in checks):
        return tuple(check for check in checks if isinstance(check, Check))
    return parse_check_list(list(checks), source="check_dom", where="checks")
