"""Shared test helpers.

Async tests do not use pytest-asyncio: pytest-playwright's sync plugin keeps an event loop
running on the main thread, so each coroutine runs on a fresh loop in its own thread instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Playwright

from bridge.browser.chromium import choose_chromium
from bridge.events.log import EventLog
from tests.network_safety import CHROMIUM_SAFETY_ARGS, with_safety_net

with contextlib.suppress(ImportError):  # hypothesis comes with the test extra
    # hypothesis's pytest plugin imports hypothesis in the terminal summary unless a test did;
    # on CPython 3.11, after Playwright's greenlets ran on the main thread, compiling a module
    # that late can fail with "SystemError: AST constructor recursion depth mismatch".
    import hypothesis  # noqa: F401

T = TypeVar("T")


# Chromium's own test microphone (a tone), and getUserMedia granted without a prompt.
FAKE_MICROPHONE_ARGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


def pytest_configure(config: pytest.Config) -> None:
    """Every bridge the tests start from the environment (and every `rtc-bridge` process they
    run, which inherits it) launches its Chromium with the safety net (`network_safety`);
    bridges built from an explicit mapping add `SAFETY_ENV` to it."""
    os.environ["BRIDGE_CHROMIUM_ARGS"] = with_safety_net(os.environ.get("BRIDGE_CHROMIUM_ARGS"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any],
                             playwright: Playwright) -> dict[str, Any]:
    """pytest-playwright's Chromium gets the safety net too, and a fake microphone granted
    without asking; unless told which Chromium, it launches the one the bridge would (its
    default, the headless shell, rejects getUserMedia). Session-wide because the browser is
    launched once per worker, by whichever module asks first."""
    options = {**browser_type_launch_args,
               "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_SAFETY_ARGS,
                        *FAKE_MICROPHONE_ARGS]}
    if not options.get("executable_path") and not options.get("channel"):
        choice = choose_chromium(os.environ.get("BRIDGE_CHROMIUM"),
                                 playwright.chromium.executable_path)
        options.update(choice.launch_options())
    return options


def run_async(coro: Coroutine[Any, Any, T], *, timeout_s: float = 60.0) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout_s)


@pytest.fixture
def arun() -> Callable[[Coroutine[Any, Any, Any]], Any]:
    return run_async


def content_words(transcript: str) -> list[str]:
    """The words that carry a spoken command: articles and the like are heard loosely ("the"
    comes out as "my" or "this") and change nothing the command does."""
    return [w for w in transcript.lower().split() if w not in {"the", "my", "this", "a", "please"}]


def function_call_output(log: EventLog, call_id: str, *, after: int) -> dict[str, Any]:
    """The output the page sent upstream for `call_id` (parsed), as the event log saw it."""
    record = log.wait_for(
        lambda r: r.dir == "client" and (r.event.get("item") or {}).get("call_id") == call_id
        and r.event["item"].get("type") == "function_call_output", timeout_s=10, after=after)
    output: dict[str, Any] = json.loads(record.event["item"]["output"])
    return output


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """No base URL: tests name full URLs. (pytest-base-url's own fixture is written as a method,
    which pytest 9 deprecates with a warning, and this suite treats warnings as errors.)"""
    return None
