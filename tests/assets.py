"""What set-up fetched for the tests (`scripts/fetch_test_assets.py`), found in the environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


def agents_sdk_bundle() -> Path:
    """The folder with `@openai/agents-realtime`'s browser bundle (`openai-realtime-agents.mjs`)."""
    found = sorted((Path(sys.prefix) / "test-assets").glob("openai-agents-realtime-*"))
    if not found:
        pytest.fail("OpenAI's Agents SDK bundle is missing: `make setup` fetches it "
                    "(scripts/fetch_test_assets.py)")
    return found[-1]
