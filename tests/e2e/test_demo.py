"""`rtc-bridge demo`: the shipped scenario records a passing session with sound; failed
expectations exit non-zero and say which step and why; bad invocations exit 2 at once.

Two demo sessions run, each in its own process, when the first test needs them: the shipped
scenario, then one that fails on purpose (one after the other, so that neither's recording
competes with the other's for the CPU). The tests check what they wrote.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from playwright.async_api import async_playwright

from bridge.browser.chromium import choose_chromium, launch_args
from bridge.drive.synthesis import synthesize_utterance_wav
from tests.conftest import run_async
from tests.demo.recorded import SPEECH_RMS, Decoded, decode
from tests.network_safety import CHROMIUM_SAFETY_ARGS

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_SCENARIO = ROOT / "scripts" / "demo-scenario.yaml"

# Fails on purpose: the first call runs but its DOM effect is suppressed by a stylesheet the
# runner adds before the session, the second is never called; the third (a WAV played, its
# path relative to the scenario) must still pass.
FAILING_SCENARIO = """\
name: failing on purpose
steps:
  - type: change the background color to blue
    expect: {tool: changeBackgroundColor, args: {color: blue}}
  - type: hello there
    expect: {tool: changeTextColor, timeout_s: 3}
  - play: bigger.wav
    expect: {tool: changeButtonStyle, args: {size: larger}}
"""
FAILING_RUNNER = """\
import sys
from pathlib import Path

from bridge.demo.runner import command

SUPPRESS = '''() => {
    const style = document.createElement("style");
    style.textContent = "body { background-color: rgb(255, 255, 255) !important; }";
    document.head.append(style);
}'''

if __name__ == "__main__":
    here = Path(__file__).parent
    sys.exit(command(here / "failing.yaml", here / "out",
                     prepare=lambda handle: handle.evaluate(SUPPRESS)))
"""


@dataclass
class DemoRun:
    """One demo process: its output directory, its console output and its exit status."""

    out: Path
    log: Path
    process: subprocess.Popen[bytes]

    def wait(self, timeout_s: float = 300.0) -> int:
        return self.process.wait(timeout=timeout_s)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class DemoRuns:
    shipped: DemoRun
    failing: DemoRun


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRuns]:
    root = tmp_path_factory.mktemp("demos")
    shipped = _start(root / "shipped", [sys.executable, "-m", "bridge", "demo",
                                        str(SHIPPED_SCENARIO), "--out", str(root / "shipped")])
    work = root / "failing"
    work.mkdir()
    (work / "failing.yaml").write_text(FAILING_SCENARIO, encoding="utf-8")
    (work / "run.py").write_text(textwrap.dedent(FAILING_RUNNER), encoding="utf-8")
    synthesize_utterance_wav("make the button bigger", work / "bigger.wav",
                             lead_silence_s=0.3, tail_silence_s=0.5)
    with contextlib.suppress(subprocess.TimeoutExpired):  # the tests report what it printed
        shipped.wait()
    failing = _start(work / "out", [sys.executable, str(work / "run.py")])
    try:
        yield DemoRuns(shipped=shipped, failing=failing)
    finally:
        for run in (shipped, failing):
            if run.process.poll() is None:
                run.process.send_signal(signal.SIGINT)  # the demo stops its bridge and Chromium
                try:
                    run.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    run.process.kill()


def _start(out: Path, command: list[str]) -> DemoRun:
    log = out.parent / f"{out.name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    return DemoRun(out=out, log=log, process=process)


@pytest.fixture(scope="module")
def shipped(runs: DemoRuns) -> DemoRun:
    runs.shipped.wait()
    return runs.shipped


@pytest.fixture(scope="module")
def summary(shipped: DemoRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shipped.out / "summary.json").read_text())
    return data


@pytest.fixture(scope="module")
def events(shipped: DemoRun) -> list[dict[str, Any]]:
    with (shipped.out / "events.jsonl").open() as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def decoded(shipped: DemoRun, summary: dict[str, Any]) -> Decoded:
    """The recording decoded with PyAV: its streams, frames (time, RGB) and mono samples."""
    return decode(shipped.out / summary["recording"])


def test_shipped_scenario_passes_with_progress(shipped: DemoRun, summary: dict[str, Any]) -> None:
    assert shipped.wait() == 0, shipped.output
    steps = summary["steps"]
    assert summary["passed"] is True and len(steps) == 4
    assert [s["kind"] for s in steps] == ["say", "type", "say", "type"]
    for step in steps:
        assert step["ok"] and step["reason"] is None
        assert step["tool_calls"] and all(c["verified"] for c in step["tool_calls"])
        assert all(c["verdict"] == "verified" for c in step["tool_calls"])
        assert all(c["latency_ms"] is not None and c["latency_ms"] > 0 for c in step["tool_calls"])
    assert {c["name"] for s in steps for c in s["tool_calls"]} == {
        "changeBackgroundColor", "changeTextColor", "changeButtonStyle", "getPageHTML"}
    assert "background" in steps[0]["transcript"] and "blue" in steps[0]["transcript"]
    for n in range(1, 5):
        assert f"step {n} of 4" in shipped.output
    assert (shipped.out / "events.jsonl").stat().st_size > 0


def test_recording_is_webm_with_one_video_and_one_audio_stream(
    summary: dict[str, Any], decoded: Decoded
) -> None:
    assert summary["recording"].endswith(".webm")
    assert sorted(decoded.streams) == [("audio", "opus"), ("video", "vp8")]
    assert decoded.duration_s == pytest.approx(summary["duration_s"], rel=0.10)
    assert decoded.samples.size / decoded.rate == pytest.approx(summary["duration_s"], rel=0.10)


def test_audio_is_heard_where_speech_was_said_and_the_agent_answered(
    summary: dict[str, Any], decoded: Decoded, events: list[dict[str, Any]]
) -> None:
    t0 = summary["recording_started_t"]
    for step in summary["steps"]:
        if step["kind"] == "say":
            said = decoded.rms(step["started_t"] - t0, step["turn_ended_t"] - t0)
            assert said > SPEECH_RMS, f"step {step['index']}: the spoken command is silent"
        # The agent's spoken answer, from when the engine started sending it until it stopped.
        started = next(e["t"] for e in events if e["type"] == "output_audio_buffer.started"
                       and e["t"] > step["tool_calls"][0]["t"])
        stopped = next(e["t"] for e in events if e["type"] == "output_audio_buffer.stopped"
                       and e["t"] > started)
        answer = decoded.rms(started - t0, stopped - t0)
        assert answer > SPEECH_RMS, f"step {step['index']}: the agent's answer is silent"
    assert decoded.rms(0.0, summary["steps"][0]["started_t"] - t0) < SPEECH_RMS / 5


def test_picture_and_sound_are_in_sync_with_the_session(
    summary: dict[str, Any], decoded: Decoded, events: list[dict[str, Any]]
) -> None:
    t0 = summary["recording_started_t"]
    first = summary["steps"][0]
    call = first["tool_calls"][0]
    # The page turns blue between the function call's arrival and its verification. Frames are
    # stamped with the time Chromium painted them, which on a busy machine comes a little after
    # the DOM changed (184 ms after verification was seen with the whole suite running): a
    # frame can be late, never early.
    arrived = next(e["t"] for e in events if e["type"] == "response.function_call_arguments.done"
                   and e["event"].get("call_id") == call["call_id"]) - t0
    blue_at = next(t for t, rgb in decoded.frames if _is_blue(rgb[8, 8]))
    assert arrived - 0.1 <= blue_at <= call["t"] - t0 + 0.3
    # The spoken command starts where the session log says it was played.
    onset = _onset(decoded.samples, decoded.rate, first["started_t"] - t0 - 0.5)
    assert onset == pytest.approx(first["started_t"] - t0 + 0.1, abs=0.1)  # 0.1 s lead silence


def test_report_shows_every_step_verified_with_screenshots(
    shipped: DemoRun, summary: dict[str, Any]
) -> None:
    html = (shipped.out / "report.html").read_text()
    assert "PASSED" in html and "FAILED" not in html
    assert f'src="{summary["recording"]}"' in html
    calls = [c for s in summary["steps"] for c in s["tool_calls"]]
    assert html.count("data:image/jpeg;base64,") == len(calls)
    assert html.count('<span class="ok">verified</span>') == len(calls)
    for n in range(1, 5):
        assert f'id="step-{n}"' in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_recording_plays_with_sound_in_chromium(
    shipped: DemoRun, summary: dict[str, Any]
) -> None:
    data = (shipped.out / summary["recording"]).read_bytes()
    played = run_async(_play_in_chromium(data), timeout_s=120)
    assert played["canPlay"] in ("probably", "maybe")
    assert played["duration"] == pytest.approx(summary["duration_s"], rel=0.10)
    assert (played["width"], played["height"]) == (1280, 720)
    assert played["audioDuration"] == pytest.approx(summary["duration_s"], rel=0.10)
    assert played["rms"] > SPEECH_RMS / 2 and played["peak"] > 0.1


def test_failed_expectations_exit_1_and_say_which_step_and_why(runs: DemoRuns) -> None:
    failing = runs.failing
    assert failing.wait() == 1, failing.output
    summary = json.loads((failing.out / "summary.json").read_text())
    first, second, third = summary["steps"]
    assert summary["passed"] is False
    assert first["ok"] is False and "did not confirm" in first["reason"]
    assert first["tool_calls"][0]["verified"] is False
    assert first["tool_calls"][0]["verdict"] == "not_verified"
    assert first["tool_calls"][0]["observed"]["backgroundColor"] == "rgb(255, 255, 255)"
    assert second["ok"] is False
    assert second["reason"].startswith("no verified call of changeTextColor within 3 s")
    assert third["ok"] is True and third["kind"] == "play"  # the run goes on after a failure
    assert "step 2 of 3: type" in failing.output and "FAILED: 1 of 3 steps held" in failing.output
    html = (failing.out / "report.html").read_text()
    assert html.count('class="step failed"') == 2
    assert "did not confirm" in html and "no verified call of changeTextColor" in html
    assert (failing.out / "session.webm").stat().st_size > 0


@pytest.mark.parametrize("problem, text, expected", [
    ("unknown key", "steps:\n  - say: hi\n    expct: {tool: getPageHTML}\n",
     r"bad\.yaml:3: unknown key `expct` in step 1"),
    ("missing file", "steps:\n  - type: hi\n  - play: nowhere.wav\n",
     r"bad\.yaml:3: step 2: no such audio file 'nowhere.wav'"),
])
def test_bad_scenario_exits_2_before_anything_starts(
    tmp_path: Path, problem: str, text: str, expected: str
) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(text)
    done = _cli("demo", str(scenario), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert re.search(expected, done.stderr), done.stderr
    assert not (tmp_path / "out").exists()
    assert "starting the bridge" not in done.stdout


def test_existing_out_dir_is_refused_without_force(tmp_path: Path) -> None:
    done = _cli("demo", str(SHIPPED_SCENARIO), "--out", str(tmp_path))
    assert done.returncode == 2 and "--force" in done.stderr
    assert list(tmp_path.iterdir()) == []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)


def _onset(samples: npt.NDArray[np.float64], rate: int, from_s: float) -> float:
    """Start of the first 10 ms window louder than the speech threshold after `from_s`."""
    start = max(0, round(from_s * rate))
    size = rate // 100
    windows = samples[start : start + (samples.size - start) // size * size].reshape(-1, size)
    loud = np.flatnonzero(np.sqrt((windows**2).mean(axis=1)) > SPEECH_RMS)
    assert loud.size, "no sound after the step started"
    return (start + int(loud[0]) * size) / rate


def _is_blue(rgb: npt.NDArray[np.uint8]) -> bool:
    red, green, blue = (int(v) for v in rgb)
    return blue > 200 and red < 60 and green < 60


async def _play_in_chromium(data: bytes) -> dict[str, Any]:
    async with async_playwright() as playwright:
        choice = choose_chromium(None, playwright.chromium.executable_path)
        browser = await playwright.chromium.launch(
            **choice.launch_options(),
            args=launch_args(fake_mic=None, extra=CHROMIUM_SAFETY_ARGS))
        try:
            page = await browser.new_page()
            result: dict[str, Any] = await page.evaluate(PLAY_WEBM,
                                                         base64.b64encode(data).decode())
            return result
        finally:
            await browser.close()


PLAY_WEBM = """async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const video = document.createElement("video");
    video.muted = true;
    video.src = URL.createObjectURL(new Blob([bytes], { type: "video/webm" }));
    await new Promise((ok, fail) => {
        video.onloadedmetadata = ok;
        video.onerror = () => fail(new Error(`video error: ${video.error?.message}`));
    });
    const context = new OfflineAudioContext(1, 48000, 48000);
    const audio = await context.decodeAudioData(bytes.buffer.slice(0));
    const channel = audio.getChannelData(0);
    let sum = 0, peak = 0;
    for (const x of channel) { sum += x * x; peak = Math.max(peak, Math.abs(x)); }
    return {
        canPlay: video.canPlayType('video/webm; codecs="vp8, opus"'),
        duration: video.duration, width: video.videoWidth, height: video.videoHeight,
        audioDuration: audio.duration, rms: Math.sqrt(sum / channel.length), peak,
    };
}"""
