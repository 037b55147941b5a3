"""pytest collects scenario files as tests (registered as the pytest11 plugin
`rtc_bridge_scenarios`, installed with `rtc_bridge`, whose fixtures it uses).

Each `*.voice.yaml` / `*.voice.yml` file is one test (`pytest_items`), run like `rtc-bridge
demo` runs it (the same runner, without the recording) on a bridge of its own with the
settings of the `bridge_settings` fixture the file sees: the nearest conftest's if it defines
one, else the environment's (`BRIDGE_…`). The scenario's `page`, `start` and `checks` win.

    # tests/conftest.py
    @pytest.fixture(scope="module")
    def bridge_settings():
        return Settings.from_env(port=0, headless=True, upstream="local")

A failing step fails the test with the step, what it expected and what was seen; under
`--junitxml` each scenario is one testcase whose <system-out> has one line per step.

Nothing of the bridge is imported until such a file is collected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

__all__ = ["SUFFIXES"]

SUFFIXES = (".voice.yaml", ".voice.yml")
_STEPS_TITLE = "Captured voice steps call"  # `pytest_items.STEPS_SECTION` as reports name it
# Characters XML 1.0 cannot hold (a transcript might carry one).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("rtc-bridge").addoption(
        "--voice-repeat", type=_runs, default=None, metavar="N",
        help="run each *.voice.yaml scenario N times (1..1000); it passes when at least its "
             "min_pass_rate of the runs do (default: its own `repeat`, else "
             "BRIDGE_VOICE_REPEAT, else 1)")


def _runs(text: str) -> int:
    import argparse

    try:
        runs = int(text)
    except ValueError:
        runs = 0
    if not 1 <= runs <= 1000:
        raise argparse.ArgumentTypeError(f"a number of runs from 1 to 1000, not {text!r}")
    return runs


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not file_path.name.endswith(SUFFIXES):
        return None
    from .pytest_items import ScenarioFile

    return ScenarioFile.from_parent(parent, path=file_path)


@pytest.hookimpl(trylast=True)  # after junitxml's own pytest_configure has made its writer
def pytest_configure(config: pytest.Config) -> None:
    from _pytest.junitxml import xml_key

    xml = config.stash.get(xml_key, None)
    if xml is not None:
        config.pluginmanager.register(_JunitSteps(xml), "rtc_bridge_scenarios_junit")


class _JunitSteps:
    """Puts each scenario's step lines into its JUnit testcase as a <system-out> (pytest
    writes captured output there only when `junit_logging` says so, and `record_property`
    warns under the default JUnit family)."""

    def __init__(self, xml: Any) -> None:
        self.xml = xml

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        steps = next((text for title, text in report.sections if title == _STEPS_TITLE), None)
        if steps is None:
            return
        import xml.etree.ElementTree as ET

        node = ET.Element("system-out")
        node.text = _NOT_XML.sub("?", steps) + "\n"
        self.xml.node_reporter(report).append(node)
