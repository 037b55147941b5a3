"""One Chromium per test module for the instrument's tests (see `inpage`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.inpage import ChromiumLoop


@pytest.fixture(scope="module")
def chromium() -> Iterator[ChromiumLoop]:
    loop = ChromiumLoop().start()
    try:
        yield loop
    finally:
        loop.stop()
