"""The tests' safety net (`tests/network_safety.py`) is on every Chromium the tests start:
pytest-playwright's, and every bridge's, through BRIDGE_CHROMIUM_ARGS; loopback addresses still
work under it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from bridge.browser.chromium import launch_args
from bridge.config import Settings
from tests.e2e.routed_browser import StaticSite, free_port
from tests.network_safety import CHROMIUM_SAFETY_ARGS, RESOLVER_RULES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sites() -> Iterator[list[StaticSite]]:
    sites = [StaticSite(host=host).start() for host in ("127.0.0.1", "127.0.0.2")]
    yield sites
    for site in sites:
        site.stop()


def test_pytest_playwrights_chromium_resolves_nothing_but_loopback(
        page: Page, sites: list[StaticSite]) -> None:
    page.goto("chrome://version")
    assert f"--host-resolver-rules={RESOLVER_RULES}" in page.locator("#command_line").inner_text()
    for site in sites:
        assert page.goto(site.url()) is not None and page.title() == "user page"
    closed = free_port("127.0.0.3")
    for url in (f"http://localhost:{closed}/", f"http://127.0.0.3:{closed}/"):  # resolved, refused
        with pytest.raises(Exception, match="ERR_CONNECTION_REFUSED"):
            page.goto(url)
    with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED"):
        page.goto("https://example.com/")


def test_every_bridge_the_tests_start_from_the_environment_has_it(tmp_path: Path) -> None:
    settings = Settings.from_env(port=0)
    assert settings.chromium_args[-1:] == CHROMIUM_SAFETY_ARGS
    args = launch_args(fake_mic=None, extra=settings.chromium_args)
    assert args[-1] == CHROMIUM_SAFETY_ARGS[0]
