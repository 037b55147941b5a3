"""Running declared checks in the page: `DomChecker(page)`.

    checker = DomChecker(page)
    before = await checker.baseline(checks, arguments)   # when the call arrives, before it runs
    ...                                                  # the page runs the tool and answers
    result = await checker.verify(checks, arguments, before, timeout_s=2)
    result.verdict, result.observed, result.reason

`verify` reads every check (one evaluate per selector, all at once), and while one does not
hold, waits for the page's next DOM change (a MutationObserver in the page; at most 100 ms
between reads when nothing changes; at least 16 ms, doubling while the page keeps changing, up to
100 ms) and reads again, until all hold or `timeout_s` has passed
since `started_at`. The verdict is that last read's: `verified`, `not_verified` with what each
failing check saw, or `unchecked` when there is nothing to check. It never raises for what the
page does: a page that navigates, closes or throws gives `not_verified` and says so.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..verify import Verification
from .model import DEFAULT_TIMEOUT_S, Check
from .reads import (
    INVALID_SELECTOR,
    CheckedPage,
    GroupReading,
    GroupSpec,
    count_matches,
    read_group,
    wait_for_change,
)
from .verdicts import Finding, Rendered, judge, render

__all__ = ["Baseline", "CheckResult", "DomChecker", "count_delta_selectors"]

MIN_POLL_S = 0.016  # the least time between reads; doubled for each change in a row
MAX_QUIET_S = 0.1  # a change that moves no node (a style transition ending) shows within this


@dataclass(frozen=True)
class Baseline:
    """The page as the call found it: how many elements each `count_delta` selector matched
    (or why it could not be counted) and the page's URL."""

    counts: Mapping[str, int | str] = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class CheckResult(Verification):
    """A `Verification` (verdict, observed, reason) with how many reads it took and how long
    after `started_at` it was decided."""

    reads: int = 0
    elapsed_ms: float = 0.0


class DomChecker:
    """Declared checks against one page (any Playwright selector; the main frame's URL)."""

    def __init__(self, page: CheckedPage, *, min_poll_s: float = MIN_POLL_S,
                 max_quiet_s: float = MAX_QUIET_S) -> None:
        self._page = page
        self._min_poll_s = min_poll_s
        self._max_quiet_s = max_quiet_s

    async def baseline(self, checks: Sequence[Check],
                       arguments: Mapping[str, Any] | str | None) -> Baseline:
        """What `count_delta` checks start from, read now: call it when the call arrives, before
        the page runs the tool."""
        selectors = count_delta_selectors(checks, arguments)
        url = self._url()
        if not selectors or self._page.is_closed():
            return Baseline({s: "the page was closed" for s in selectors}, url)
        return Baseline(await count_matches(self._page, selectors), url)

    async def verify(self, checks: Sequence[Check], arguments: Mapping[str, Any] | str | None,
                     baseline: Baseline | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                     started_at: float | None = None) -> CheckResult:
        """Poll until every check holds or `timeout_s` has passed since `started_at` (a
        `time.monotonic()` reading; default now); the verdict from the last read."""
        start = time.monotonic() if started_at is None else started_at
        if not checks:
            return CheckResult("unchecked", {}, "no checks declared")
        args = _arguments(arguments)
        rendered = [render(check, args) for check in checks]
        groups = _plan(rendered)
        deadline = start + max(0.0, timeout_s)
        reads = changes = 0
        while True:
            readings = await self._read(groups)
            reads += 1
            findings = self._judge(rendered, readings, baseline)
            failures = [f.failure for f in findings if f.failure]
            hopeless = (any(r.problem for r in rendered) or self._page.is_closed()
                        or any((g.error or "").startswith(INVALID_SELECTOR)
                               for g in readings.values()))
            remaining = deadline - time.monotonic()
            if not failures or hopeless or remaining <= 0:
                break
            # A page that keeps changing is read less and less often, up to the quiet interval.
            gap = min(self._min_poll_s * 2 ** changes, self._max_quiet_s, remaining)
            since = min((g.at for g in readings.values() if g.at is not None), default=None)
            why = await wait_for_change(self._page, since=since, min_s=gap,
                                        max_s=min(self._max_quiet_s, remaining))
            changes = changes + 1 if why == "change" else 0
        observed = {f.key: f.observed for f in findings}
        elapsed_ms = (time.monotonic() - start) * 1000
        if not failures:
            return CheckResult("verified", observed, None, reads, elapsed_ms)
        reason = ("the page closed during the check" if self._page.is_closed()
                  else "; ".join(dict.fromkeys(failures)))
        return CheckResult("not_verified", observed, reason, reads, elapsed_ms)

    async def _read(self, groups: Mapping[str, GroupSpec]) -> dict[str, GroupReading]:
        if not groups:
            return {}
        if self._page.is_closed():
            return dict.fromkeys(groups, GroupReading(error="the page closed"))
        readings = await asyncio.gather(*(read_group(self._page, selector, spec)
                                          for selector, spec in groups.items()))
        return dict(zip(groups, readings, strict=True))

    def _judge(self, rendered: list[Rendered], readings: Mapping[str, GroupReading],
               baseline: Baseline | None) -> list[Finding]:
        url = self._url()
        findings: list[Finding] = []
        for item in rendered:
            before: int | str | None = None
            if item.check.kind == "count_delta" and baseline is not None and item.selector:
                before = baseline.counts.get(item.selector)
            findings += judge(
                item, readings.get(item.selector or ""), url=url,
                base_url=baseline.url if baseline is not None else None,
                before=before if isinstance(before, int) else None,
                before_problem=f"could not count {item.selector} before the call: {before}"
                if isinstance(before, str) else None)
        return findings

    def _url(self) -> str:
        try:
            return self._page.url
        except Exception:  # a closed page may refuse even this
            return ""


def count_delta_selectors(checks: Sequence[Check],
                          arguments: Mapping[str, Any] | str | None) -> list[str]:
    """The selectors (arguments filled in) whose counts a `Baseline` needs: what to count when
    the call arrives, if that is done elsewhere (`Baseline(counts={selector: n}, url=…)`)."""
    args = _arguments(arguments)
    return list(dict.fromkeys(
        r.selector for r in (render(c, args) for c in checks if c.kind == "count_delta")
        if r.problem is None and r.selector is not None))


def _plan(rendered: list[Rendered]) -> dict[str, GroupSpec]:
    """One read spec per selector, for the checks that can be read."""
    groups: dict[str, GroupSpec] = {}
    for item in rendered:
        if item.problem is None and item.selector is not None:
            groups.setdefault(item.selector, GroupSpec()).add(item.check, item.expected)
    return groups


def _arguments(arguments: Mapping[str, Any] | str | None) -> Mapping[str, Any]:
    """The call's arguments as a mapping (a JSON object text is parsed; anything else is none)."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments or "{}")
        except ValueError:
            return {}
    return arguments if isinstance(arguments, Mapping) else {}
