"""Which page the controlled browser opens: the bridge's own voice page, a user's page at a URL,
or a user's local page (an HTML file or a folder) that the bridge serves from its own origin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..config import TypingMode
from ..errors import SettingsError
from .microphone import MicrophonePlan

# Where a local page is served on the bridge's origin; the bridge's own routes stay as they are.
LOCAL_PREFIX = "/page/"
_URL = re.compile(r"https?://", re.I)

TargetKind = Literal["own", "url", "local"]


@dataclass(frozen=True)
class PageTarget:
    """`kind` own: the bridge's voice page; url: `url` as given; local: `entry` inside `folder`,
    served at `LOCAL_PREFIX`."""

    kind: TargetKind
    url: str | None = None
    folder: Path | None = None
    entry: str = "index.html"

    @classmethod
    def from_page(cls, page: str | None) -> PageTarget:
        """`--page`: None for the bridge's own page, an http(s) URL, or a local path."""
        if page is None:
            return cls("own")
        if _URL.match(page):
            return cls("url", url=page)
        path = Path(page).resolve()
        if path.is_dir():
            if not (path / "index.html").is_file():
                raise SettingsError(f"--page {page}: the folder has no index.html; name the file")
            return cls("local", folder=path)
        if path.is_file():
            return cls("local", folder=path.parent, entry=path.name)
        raise SettingsError(f"--page {page!r} is neither an http(s) URL nor a file or folder")

    @property
    def own(self) -> bool:
        return self.kind == "own"

    def url_on(self, base_url: str, *, typing: TypingMode = "interrupt",
               autoconnect: bool = True, microphone: MicrophonePlan | None = None) -> str:
        """The address to open, given the bridge's `base_url` (http://127.0.0.1:PORT). The
        bridge's own page learns what to do with a message typed while the agent answers
        (`typing`) from its query, as it learns to connect by itself (`autoconnect`) and what
        its microphone carries (`microphone`)."""
        if self.kind == "url":
            assert self.url is not None
            return self.url
        if self.kind == "local":
            return f"{base_url}{LOCAL_PREFIX}{self.entry}"
        query = (f"autoconnect={int(autoconnect)}{own_page_query(typing, first=False)}"
                 f"{microphone.own_page_query() if microphone else ''}")
        return f"{base_url}/?{query}"


def own_page_query(typing: TypingMode, *, first: bool = True) -> str:
    """The bridge's own page's query for `typing` (nothing for the page's default)."""
    if typing == "interrupt":
        return ""
    return f"{'?' if first else '&'}type_while_speaking={typing}"
