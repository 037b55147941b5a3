"""A scenario's own voice page: the top-level keys `page`, `start` and `checks`.

    page: ../my-app/              # an http(s) URL, or a path relative to the scenario file:
                                  # a folder with index.html, or an HTML file
    start: "#connect"             # what to click once the page has loaded
    checks: checks.yaml           # or inline: {tools: {name: {timeout_s, checks: [...]}}}

Each wins over its environment variable (BRIDGE_PAGE, BRIDGE_START, BRIDGE_CHECKS); what the
scenario leaves out comes from the environment (`ScenarioPage.settings_for`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..browser.checks import ChecksFile, load_checks, parse_checks
from ..config import Settings
from ..documents import LocatedMap
from ..errors import ScenarioError

__all__ = ["PAGE_KEYS", "ScenarioPage", "read_page_keys"]

PAGE_KEYS = ("page", "start", "checks")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HTML_SUFFIXES = (".html", ".htm")
_PAGE_HELP = ("an http(s) URL, or a path relative to the scenario file: a folder with "
              "index.html, or an HTML file")

Fail = Callable[[int | None, str], ScenarioError]


@dataclass(frozen=True)
class ScenarioPage:
    """What a scenario says about its page: `location` (an http(s) URL, or an absolute path to
    an HTML file or a folder), `start` (a Playwright selector to click once it has loaded) and
    `checks` (read from `checks_file`, or written inline when that is None)."""

    location: str | None = None
    start: str | None = None
    checks: ChecksFile | None = None
    checks_file: Path | None = None

    @property
    def inline_checks(self) -> ChecksFile | None:
        """The checks when they were written in the scenario itself (declared on the handle
        once the page is connected, since Settings name only a checks file)."""
        return self.checks if self.checks_file is None else None

    def settings_for(self, settings: Settings) -> Settings:
        """`settings` with what the scenario says about its page in place of theirs."""
        changes: dict[str, Any] = {}
        if self.location is not None:
            changes["page"] = self.location
        if self.start is not None:
            changes["start_selector"] = self.start
        if self.checks is not None:
            changes["checks_path"] = self.checks_file
        return settings.replace(**changes) if changes else settings


def read_page_keys(data: LocatedMap, *, path: Path, fail: Fail,
                   user_page: bool) -> ScenarioPage:
    """The page keys of a scenario's top level; `user_page` says the environment already names a
    page of the user's (BRIDGE_PAGE), which `start` and `checks` may then apply to."""
    location = _location(data, path.parent, fail) if "page" in data else None
    has_page = user_page or location is not None
    start = None
    if "start" in data:
        start = data["start"]
        if not isinstance(start, str) or not start.strip():
            raise fail(data.line_of("start"), "`start` must be a Playwright selector such as "
                                              "\"#connect\" (what to click once the page loaded)")
        start = start.strip()
        if not has_page:
            raise fail(data.line_of("start"), "`start` needs `page`: the bridge's own page "
                                              "connects by itself")
    checks, checks_file = None, None
    if "checks" in data:
        if not has_page:
            raise fail(data.line_of("checks"), "`checks` needs `page`: the bridge's own page "
                                               "verifies its tools itself")
        checks, checks_file = _checks(data, path, fail)
    return ScenarioPage(location, start, checks, checks_file)


def _location(data: LocatedMap, base: Path, fail: Fail) -> str:
    value, line = data["page"], data.line_of("page")
    if not isinstance(value, str) or not value.strip():
        raise fail(line, f"`page` must be {_PAGE_HELP}")
    value = value.strip()
    if _SCHEME.match(value):
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https"):
            raise fail(line, f"`page` must be an http(s) URL or a path, not a {parts.scheme}: URL")
        if not parts.hostname:
            raise fail(line, f"`page` {value!r} has no host")
        return value
    found = (base / value).resolve()
    if found.is_dir():
        if not (found / "index.html").is_file():
            raise fail(line, f"`page` {value!r} is a folder with no index.html (looked in "
                             f"{found}); name the HTML file")
        return str(found)
    if found.is_file():
        if found.suffix.lower() not in _HTML_SUFFIXES:
            raise fail(line, f"`page` {value!r} is not an HTML file (.html or .htm)")
        return str(found)
    raise fail(line, f"`page` {value!r}: no such file or folder (looked for {found}); it must "
                     f"be {_PAGE_HELP}")


def _checks(data: LocatedMap, path: Path, fail: Fail) -> tuple[ChecksFile, Path | None]:
    value, line = data["checks"], data.line_of("checks")
    if isinstance(value, Mapping):
        # Lines come from the scenario itself, so errors name the scenario file.
        return parse_checks(value, source=str(path)), None
    if not isinstance(value, str) or not value.strip():
        raise fail(line, "`checks` must be a checks file (relative to the scenario) or a "
                         "mapping such as {tools: {addTodo: {checks: [...]}}}")
    file = (path.parent / value.strip()).resolve()
    if not file.is_file():
        raise fail(line, f"`checks`: no such checks file {value.strip()!r} (looked for {file})")
    return load_checks(file), file
