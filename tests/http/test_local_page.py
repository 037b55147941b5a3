"""A user's local page, served by the bridge under its own prefix: everything in the folder,
nothing outside it, no hidden files; the bridge's own routes unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.config import Settings
from bridge.http.app import create_app
from bridge.runtime import Bridge


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    (folder / "js").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>my page</h1>")
    (folder / "js" / "app.js").write_text("console.log('mine')")
    (folder / ".env").write_text("SECRET=1")
    (tmp_path / "outside.txt").write_text("not served")
    return folder


def _get(arun: Callable[..., Any], site: Path, *paths: str) -> list[tuple[int, bytes, str]]:
    settings = Settings(upstream="openai", openai_api_key="k", open_browser=False, page=str(site))
    app = create_app(Bridge(settings))

    async def fetch() -> list[tuple[int, bytes, str]]:
        client = app.test_client()
        out = []
        for path in paths:
            response = await client.get(path)
            out.append((response.status_code, await response.get_data(as_text=False),
                        response.headers.get("Content-Type", "")))
        return out

    return list(arun(fetch()))


def test_the_folder_is_served_under_the_prefix(arun: Callable[..., Any], site: Path) -> None:
    (index, script, root) = _get(arun, site, "/page/index.html", "/page/js/app.js", "/page/")
    assert index[:2] == (200, b"<h1>my page</h1>") and index[2].startswith("text/html")
    assert script[0] == 200 and "javascript" in script[2]
    assert root[:2] == (200, b"<h1>my page</h1>")


@pytest.mark.parametrize("path", ["/page/../outside.txt", "/page/%2e%2e/outside.txt",
                                  "/page/.env", "/page/js/../../outside.txt", "/page/missing.js"])
def test_nothing_outside_the_folder_or_hidden(arun: Callable[..., Any], site: Path,
                                              path: str) -> None:
    [(status, body, _)] = _get(arun, site, path)
    assert status == 404 and b"not served" not in body and b"SECRET" not in body


def test_the_bridges_own_routes_stay(arun: Callable[..., Any], site: Path) -> None:
    [(status, body, _)] = _get(arun, site, "/tools.json")
    assert status == 200 and b"changeBackgroundColor" in body
