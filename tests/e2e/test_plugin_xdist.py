"""A user's voice suite under pytest-xdist: every worker runs its own bridge on a port of its
own and writes its own event log, and every test passes (the plugin as a user installs it, in
a fresh pytest process with `-n 3`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.e2e

USER_TEST = '''
import json
import os
from pathlib import Path


def test_a_typed_command(voice_page):
    mark = voice_page.type("make the text white")
    assert voice_page.wait_for_tool("changeTextColor", {"color": "white"}, after=mark).verified
    seen = {"worker": os.environ["PYTEST_XDIST_WORKER"], "url": voice_page.url,
            "events": str(voice_page.server.settings.events_path)}
    Path("seen", f"{__name__}.json").write_text(json.dumps(seen))
'''


def test_each_worker_has_its_own_bridge_and_event_log(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.mkdir("seen")
    for n in range(3):
        pytester.makepyfile(**{f"test_user_{n}": USER_TEST})
    monkeypatch.setenv("BRIDGE_EVENTS", str(pytester.path / "events.jsonl"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "3",
                                           "--dist", "loadfile", timeout=240)
    result.assert_outcomes(passed=3)
    seen = [json.loads(p.read_text()) for p in sorted((pytester.path / "seen").iterdir())]
    assert len(seen) == 3
    workers = {s["worker"] for s in seen}
    assert len(workers) == 3, seen
    assert len({s["url"] for s in seen}) == 3, seen
    assert {Path(s["events"]).name for s in seen} == {f"events.{w}.jsonl" for w in workers}
    for worker in workers:
        log = (pytester.path / f"events.{worker}.jsonl").read_text().splitlines()
        assert any('"changeTextColor"' in line and '"verified"' in line for line in log)
    assert not (pytester.path / "events.jsonl").exists()
