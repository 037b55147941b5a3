"""The pytest plugin's settings per pytest-xdist worker: each writes an event log of its own."""

from __future__ import annotations

from pathlib import Path

from bridge.config import Settings
from bridge.drive.pytest_plugin import per_worker


def test_each_worker_writes_its_own_event_log() -> None:
    settings = Settings.from_env({"BRIDGE_EVENTS": "/logs/events.jsonl"}, port=0)
    assert per_worker(settings, "gw2").events_path == Path("/logs/events.gw2.jsonl")
    assert per_worker(settings, None) is settings
    unlogged = Settings.from_env({}, port=0)
    assert per_worker(unlogged, "gw0") is unlogged
