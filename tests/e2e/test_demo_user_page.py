"""`rtc-bridge demo` on a user's own page: the seed-style page, served unmodified from its own
origin on loopback, named by the scenario (`page:`, `start:`, inline `checks:`), driven by a
spoken and a typed command, recorded with both voices; a step's own DOM checks (`expect.dom`)
hold with it, or fail the step and the run with their reason.

Both sessions run through `demo.runner.command`, what `rtc-bridge demo` runs, one after the
other in this process, when the first test needs them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bridge.demo.runner import command
from tests.demo.recorded import SPEECH_RMS, Decoded, decode
from tests.e2e.user_pages.backend import Site

pytestmark = pytest.mark.e2e

CHECKS = """\
checks:
  tools:
    changeBackgroundColor:
      checks:
        - {selector: body, style: {background-color: "{color}"}}
"""
# The seed page never asks for an answer to its tool outputs, so the agent speaks when it is
# spoken to about something else: the last step.
PASSING = """\
name: the seed page, spoken and typed
page: {url}
start: "#toggle"
{checks}
steps:
  - say: change the background color to green
    expect: {{tool: changeBackgroundColor, args: {{color: green}}, timeout_s: 20}}
  - type: make the text white
    expect:
      tool: changeTextColor
      args: {{color: white}}
      dom:
        - {{selector: body, style: {{color: "{{color}}"}}}}
        - {{selector: "#state", text: connected}}
  - type: hello there
"""
FAILING = """\
name: the seed page, a step's checks that cannot hold
page: {url}
start: "#toggle"
{checks}
steps:
  - type: make the background blue
    expect:
      tool: changeBackgroundColor
      timeout_s: 3
      dom: [{{selector: "#state", text: blue}}]
"""


@dataclass
class Demo:
    out: Path
    exit_status: int
    printed: list[str]

    @property
    def output(self) -> str:
        return "\n".join(self.printed)

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.out / "summary.json").read_text())
        return data

    def events(self) -> list[dict[str, Any]]:
        with (self.out / "events.jsonl").open() as lines:
            return [json.loads(line) for line in lines]


@dataclass
class Demos:
    passing: Demo
    failing: Demo


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demos]:
    site = Site("seed")
    root = tmp_path_factory.mktemp("user-page-demos")
    try:
        yield Demos(*(_demo(root, name, text.format(url=site.url, checks=CHECKS))
                      for name, text in (("passing", PASSING), ("failing", FAILING))))
    finally:
        site.close()


def _demo(root: Path, name: str, text: str) -> Demo:
    scenario = root / f"{name}.yaml"
    scenario.write_text(text, encoding="utf-8")
    printed: list[str] = []
    status = command(scenario, root / name, headless=True, upstream="local",
                     progress=printed.append, error=printed.append)
    return Demo(root / name, status, printed)


@pytest.fixture(scope="module")
def passing(demos: Demos) -> Demo:
    return demos.passing


def test_every_step_holds_with_each_calls_verdict(passing: Demo) -> None:
    assert passing.exit_status == 0, passing.output
    summary = passing.summary()
    said, typed, chat = summary["steps"]
    assert summary["passed"] and all(step["ok"] for step in summary["steps"])
    # The spoken command is verified by the declared check on the page's own tool.
    [call] = said["tool_calls"]
    assert (call["name"], call["verdict"]) == ("changeBackgroundColor", "verified")
    assert call["observed"] == {"body background-color": "rgb(0, 128, 0)"}
    assert "background" in said["transcript"] and said["dom"] is None
    # No check is declared for the typed one: unchecked, with what it changed; the step's own
    # checks confirm it.
    [call] = typed["tool_calls"]
    assert (call["name"], call["verdict"], call["verified"]) == ("changeTextColor", "unchecked",
                                                                 None)
    assert call["changes"]["styles"] >= 1 and call["changes"]["added"] == 0
    assert typed["dom"]["verdict"] == "verified" and typed["dom"]["observed"] == {
        "body color": "rgb(255, 255, 255)", "#state text": "connected"}
    assert typed["expected"]["dom"] == ["body color = {color}", '#state text contains "connected"']
    assert chat["tool_calls"] == [] and chat["agent"]
    assert "(local upstream, headless Chromium, your page http://127.0.0.1:" in passing.output
    assert "step 2 of 3: type \"make the text white\" — then waiting up to 10 s for " \
           "changeTextColor {\"color\": \"white\"} and 2 DOM checks" in passing.output


def test_the_recording_has_the_spoken_command_and_the_agents_reply(passing: Demo) -> None:
    summary, events = passing.summary(), passing.events()
    decoded: Decoded = decode(passing.out / summary["recording"], frames=False)
    assert sorted(decoded.streams) == [("audio", "opus"), ("video", "vp8")]
    t0 = summary["recording_started_t"]
    said = summary["steps"][0]
    assert decoded.rms(said["started_t"] - t0, said["turn_ended_t"] - t0) > SPEECH_RMS
    # The agent's voice reaches the recording only through the page's own <audio> element.
    started = next(e["t"] for e in events if e["type"] == "output_audio_buffer.started")
    stopped = next(e["t"] for e in events if e["type"] == "output_audio_buffer.stopped")
    assert decoded.rms(started - t0, stopped - t0) > SPEECH_RMS
    assert decoded.rms(0.0, said["started_t"] - t0) < SPEECH_RMS / 5


def test_the_report_shows_the_verdicts_changes_and_the_steps_checks(passing: Demo) -> None:
    html = (passing.out / "report.html").read_text()
    assert "PASSED" in html and "FAILED" not in html
    assert html.count('<span class="muted">unchecked</span>') == 1
    # Two calls and the second step's own checks.
    assert html.count('<span class="ok">verified</span>') == 2
    assert "<th>step's DOM checks</th>" in html and "body color = rgb(255, 255, 255)" in html
    assert "DOM changes</th><td>1 styles" in html
    assert html.count("data:image/jpeg;base64,") == 2


def test_a_step_whose_dom_checks_fail_fails_the_run_with_the_reason(demos: Demos) -> None:
    failing = demos.failing
    assert failing.exit_status == 1, failing.output
    [step] = failing.summary()["steps"]
    assert step["ok"] is False and step["tool_calls"][0]["verdict"] == "verified"
    assert step["reason"] == ("the step's DOM checks did not hold: text of #state is "
                              '"connected", expected it to contain "blue"')
    assert step["dom"]["verdict"] == "not_verified"
    assert "FAILED: the step's DOM checks did not hold" in failing.output
    assert "FAILED: 0 of 1 steps held" in failing.output
    html = (failing.out / "report.html").read_text()
    assert 'class="step failed"' in html and "expected it to contain &quot;blue&quot;" in html
