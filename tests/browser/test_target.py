"""Which page the controlled browser opens, from `--page`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.browser.target import LOCAL_PREFIX, PageTarget
from bridge.errors import SettingsError

BASE = "http://127.0.0.1:8765"


def test_no_page_is_the_bridges_own() -> None:
    target = PageTarget.from_page(None)
    assert target.own and target.url_on(BASE) == f"{BASE}/?autoconnect=1"
    # The page hears of a message typed while the agent answers being queued from its query.
    assert target.url_on(BASE, typing="queue") == (
        f"{BASE}/?autoconnect=1&type_while_speaking=queue")
    assert PageTarget.from_page("http://127.0.0.2/").url_on(BASE, typing="queue") == (
        "http://127.0.0.2/")


def test_a_url_is_opened_as_given() -> None:
    target = PageTarget.from_page("http://127.0.0.2:3000/app?x=1")
    assert target.kind == "url" and target.url_on(BASE) == "http://127.0.0.2:3000/app?x=1"


def test_a_folder_is_served_under_the_bridges_prefix(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>hi</h1>")
    target = PageTarget.from_page(str(tmp_path))
    assert (target.kind, target.folder, target.entry) == ("local", tmp_path.resolve(), "index.html")
    assert target.url_on(BASE) == f"{BASE}{LOCAL_PREFIX}index.html"


def test_a_file_is_served_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "voice.html").write_text("<h1>hi</h1>")
    target = PageTarget.from_page(str(tmp_path / "voice.html"))
    assert (target.folder, target.entry) == (tmp_path.resolve(), "voice.html")


def test_a_folder_without_an_index_names_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no index.html"):
        PageTarget.from_page(str(tmp_path))


def test_neither_url_nor_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="neither"):
        PageTarget.from_page(str(tmp_path / "missing.html"))
