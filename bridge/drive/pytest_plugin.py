"""pytest fixtures for testing voice pages through the bridge (registered as a pytest11 plugin).

Fixtures:
- `bridge_settings` (module): the Settings the bridge starts with: the environment's
  (`BRIDGE_…` variables), then the module's `rtc_bridge` marker, which points one test module
  at a page: `pytestmark = pytest.mark.rtc_bridge(page="page/", start="#connect",
  checks="checks.yaml")` (any Settings field; paths relative to the test module). Override the
  fixture itself in a module or conftest for anything else.
- `rtc_bridge` (module): a running bridge (embedded engine unless configured otherwise) with its
  controlled Chromium connected; a `bridge.drive.handle.BridgeHandle`.
- `voice_page` (function): the same handle after a page reload, so each test starts from a
  fresh DOM and a new call.

Under pytest-xdist every worker starts its own bridges (each on a port of its own) and writes
its own event log (`BRIDGE_EVENTS=events.jsonl` → `events.gw0.jsonl`, …).

The handle drives the bridge's own controlled page: `type(text)`, `say(text, voice=None)` and
`play(wav)` (into the page's live microphone track, through WebRTC to the upstream), and
`wait_for_tool(name, arguments, after=mark)`, which returns once the bridge verified that call
in the DOM (or fails the test saying which calls it saw, with their verdicts; `verdict=` waits
for another verdict, e.g. `"not_verified"`):

    def test_spoken_command(voice_page):
        said = voice_page.say("change the background color to blue")
        call = voice_page.wait_for_tool("changeBackgroundColor", {"color": "#00f"}, after=said.mark)
        assert call.observed["backgroundColor"] == "rgb(0, 0, 255)"
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..config import Settings
from .handle import BridgeHandle
from .thread import BridgeThread

MARKER = "rtc_bridge"
# Settings fields that name files: relative to the test module when given in the marker.
_PATH_FIELDS = ("page", "checks_path", "storage_state", "mic_file", "events_path")
_MARKER_ALIASES = {"start": "start_selector", "checks": "checks_path"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(**settings): the bridge settings of this module's `rtc_bridge` "
        "fixture, e.g. page=, start=, checks= (paths relative to the module)")


@pytest.fixture(scope="module")
def bridge_settings(request: pytest.FixtureRequest) -> Settings:
    flags: dict[str, Any] = {"port": 0, "headless": True}
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        flags.update(_marker_settings(marker.kwargs, Path(request.node.path).parent))
    flags.setdefault("upstream", "local")
    return per_worker(Settings.from_env(**flags), os.environ.get("PYTEST_XDIST_WORKER"))


def per_worker(settings: Settings, worker: str | None) -> Settings:
    """`settings` for one pytest-xdist worker (`gw0`, `gw1`…): its event log in a file of its
    own (`events.jsonl` → `events.gw0.jsonl`), so that workers never write one file at once.
    Ports are each bridge's own already (port 0); unchanged outside xdist."""
    path = settings.events_path
    if worker is None or path is None:
        return settings
    return settings.replace(events_path=path.with_name(f"{path.stem}.{worker}{path.suffix}"))


def _marker_settings(kwargs: dict[str, Any], folder: Path) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key, value in kwargs.items():
        name = _MARKER_ALIASES.get(key, key)
        if name in _PATH_FIELDS and isinstance(value, str | Path) and not (
                name == "page" and str(value).startswith(("http://", "https://"))):
            value = folder / value
            value = str(value) if name == "page" else value
        settings[name] = value
    return settings


@pytest.fixture(scope="module")
def rtc_bridge(bridge_settings: Settings) -> Iterator[BridgeHandle]:
    thread = BridgeThread(bridge_settings).start()
    try:
        yield BridgeHandle(thread).wait_ready(timeout_s=60)
    finally:
        thread.stop()


@pytest.fixture
def voice_page(rtc_bridge: BridgeHandle) -> BridgeHandle:
    rtc_bridge.reload()
    return rtc_bridge


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The bridges are stopped by now; what they left in reference cycles is finalised here
    # rather than at some later collection. On CPython 3.11 a finaliser that fails during
    # `ast.parse` (pytest compiles plugins it imports late, in its terminal summary) makes that
    # parse raise "AST constructor recursion depth mismatch".
    gc.collect()
