"""How well the embedded engine hears spoken commands to the seed's tools.

Synthesises each command with several voices of two synthesisers (espeak-ng and flite), at two
speaking rates, some with noise mixed in; resamples 48 kHz -> 16 kHz as the engine does;
decodes each through the engine's Recognizer with a language model built from
pages/tools.json; and, where the intent matcher exists, checks the tool call it yields.

    python scripts/asr_accuracy.py                 # tuning and held-out sets, JSGF grammar
    python scripts/asr_accuracy.py --model ngram   # the n-gram model instead
    python scripts/asr_accuracy.py --show-errors   # list every miss

The held-out wordings were written with the tuning ones and never used while tuning the
grammar, pronunciations or decoder settings; they are reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bridge.colors import same_color  # noqa: E402
from bridge.engine.asr import DecoderSettings, Recognizer, Transcript  # noqa: E402
from bridge.engine.grammar import LanguageModel, build_language_model  # noqa: E402
from bridge.engine.tts import resample  # noqa: E402
from bridge.speech import Synth, read_wav, synthesize_utterance_wav  # noqa: E402


@dataclass(frozen=True)
class Case:
    """One wording: what is said, and the call it should give (None: not a command)."""

    text: str
    tool: str | None
    arguments: dict[str, str] = field(default_factory=dict)
    held_out: bool = False


def _c(text: str, tool: str | None = None, held_out: bool = False, **arguments: str) -> Case:
    return Case(text, tool, arguments, held_out)


BG, TXT, BTN, HTML = "changeBackgroundColor", "changeTextColor", "changeButtonStyle", "getPageHTML"

CASES: tuple[Case, ...] = (
    # tuning set
    _c("make the background blue", BG, color="blue"),
    _c("change the background color to dark green", BG, color="darkgreen"),
    _c("set the background to light blue", BG, color="lightblue"),
    _c("turn the background red", BG, color="red"),
    _c("please change the background color to orange", BG, color="orange"),
    _c("change the text color to white", TXT, color="white"),
    _c("make the text yellow", TXT, color="yellow"),
    _c("set the text color to purple", TXT, color="purple"),
    _c("turn the text black", TXT, color="black"),
    _c("make the button bigger", BTN, size="bigger"),
    _c("make the button smaller", BTN, size="smaller"),
    _c("change the button color to green", BTN, color="green"),
    _c("make the button red", BTN, color="red"),
    _c("set the button size to twenty four pixels", BTN, size="24px"),
    _c("what is on the page", HTML),
    _c("read the page", HTML),
    _c("get the page html", HTML),
    _c("hello there"),
    _c("thank you"),
    # held out
    _c("could you paint the background pink", BG, True, color="pink"),
    _c("change the color of the background to navy", BG, True, color="navy"),
    _c("switch the background to gray", BG, True, color="gray"),
    _c("make the background dark slate gray", BG, True, color="darkslategray"),
    _c("make the text color dark red", TXT, True, color="darkred"),
    _c("color the text orange", TXT, True, color="orange"),
    _c("change the text to light green", TXT, True, color="lightgreen"),
    _c("make the button larger", BTN, True, size="larger"),
    _c("change the button to blue", BTN, True, color="blue"),
    _c("make the button color pink", BTN, True, color="pink"),
    _c("make the button thirty two pixels", BTN, True, size="32px"),
    _c("what does the page say", HTML, True),
    _c("describe the page", HTML, True),
    _c("tell me what is on the page", HTML, True),
    _c("what is your name", None, True),
    _c("let us go to lunch", None, True),
)


@dataclass(frozen=True)
class Voice:
    synth: Synth
    name: str
    rates_wpm: tuple[int, int]  # normal, and a second rate (slower for espeak-ng, faster for flite)

    @property
    def label(self) -> str:
        return f"{self.synth}:{self.name}"


VOICES: tuple[Voice, ...] = (
    Voice("espeak-ng", "en-us", (175, 140)),
    Voice("espeak-ng", "en+f3", (175, 140)),
    Voice("espeak-ng", "en-gb", (175, 140)),
    Voice("espeak-ng", "en-us+m3", (175, 140)),
    Voice("flite", "kal", (170, 200)),
    Voice("flite", "slt", (170, 200)),
    Voice("flite", "awb", (170, 200)),
    Voice("flite", "rms", (170, 200)),
)


@dataclass(frozen=True)
class Sample:
    case: Case
    voice: Voice
    rate_wpm: int
    snr_db: float | None
    noise: str

    @property
    def condition(self) -> str:
        noise = f"{self.noise} {self.snr_db:g} dB" if self.snr_db is not None else "clean"
        return f"{self.rate_wpm} wpm, {noise}"


def plan(cases: Sequence[Case], voices: Sequence[Voice]) -> list[Sample]:
    """Every case with every voice; rate and noise rotate so each voice gets every condition."""
    samples = []
    for i, case in enumerate(cases):
        for j, voice in enumerate(voices):
            k = i + j
            rate = voice.rates_wpm[k % 2]
            snr = (None, 20.0, None, 15.0)[k % 4]
            noise = "pink" if k % 8 == 3 else "white"
            samples.append(Sample(case, voice, rate, snr, noise))
    return samples


def synthesize(sample: Sample, cache: Path) -> Path:
    ident = json.dumps([sample.case.text, sample.voice.synth, sample.voice.name, sample.rate_wpm,
                        sample.snr_db, sample.noise])  # fmt: skip
    path = cache / (hashlib.sha1(ident.encode()).hexdigest()[:16] + ".wav")
    if not path.exists():
        synthesize_utterance_wav(
            sample.case.text, path, synth=sample.voice.synth, voice=sample.voice.name,
            rate_wpm=sample.rate_wpm, sample_rate_hz=48000, lead_silence_s=0.3,
            tail_silence_s=0.5, noise_snr_db=sample.snr_db, noise=sample.noise,  # type: ignore[arg-type]
        )  # fmt: skip
    return path


def _intent_checker(tools: list[dict[str, Any]]) -> Callable[[str, Case], bool] | None:
    try:
        from bridge.engine.intent import IntentMatcher
    except ImportError:
        return None
    matcher = IntentMatcher(tools)

    def check(text: str, case: Case) -> bool:
        call = matcher.match(text)
        if call is None or case.tool is None:
            return call is None and case.tool is None
        arguments = call.arguments
        if isinstance(arguments, str):
            arguments = json.loads(arguments)
        if call.name != case.tool or set(arguments) != set(case.arguments):
            return False
        for key, want in case.arguments.items():
            got = str(arguments[key])
            if not (same_color(got, want) or _size(got) == _size(want)):
                return False
        return True

    return check


def _size(value: str) -> str:
    """The page applies "larger" exactly as "bigger" (x-bridge.relative in tools.json)."""
    compact = value.replace(" ", "").lower()
    return "bigger" if compact == "larger" else compact


@dataclass
class Tally:
    n: int = 0
    exact: int = 0
    intent: int = 0

    def add(self, exact: bool, intent: bool) -> None:
        self.n += 1
        self.exact += exact
        self.intent += intent


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def _table(title: str, rows: dict[str, Tally], intent: bool) -> None:
    print(f"\n{title}")
    head = f"{'':28} {'utts':>5} {'exact':>7}" + (f" {'intent ok':>10} {'intent %':>8}" if intent else "")
    print(head)
    total = Tally()
    for label, tally in rows.items():
        total.n += tally.n
        total.exact += tally.exact
        total.intent += tally.intent
        line = f"{label:28} {tally.n:5d} {_pct(tally.exact, tally.n):>7}"
        print(line + (f" {tally.intent:10d} {_pct(tally.intent, tally.n):>8}" if intent else ""))
    line = f"{'all':28} {total.n:5d} {_pct(total.exact, total.n):>7}"
    print(line + (f" {total.intent:10d} {_pct(total.intent, total.n):>8}" if intent else ""))


async def decode_all(
    utterances: Sequence[np.ndarray], model: LanguageModel, settings: DecoderSettings
) -> list[Transcript]:
    """Decode one utterance after another through the engine's Recognizer (one worker)."""
    async with Recognizer(workers=1, settings=settings) as recognizer:
        await recognizer.warm_up()
        return [await recognizer.transcribe(pcm, model) for pcm in utterances]


def run(args: argparse.Namespace) -> int:
    tools = json.loads((ROOT / "pages" / "tools.json").read_text())["tools"]
    public = [{k: v for k, v in t.items() if k != "x-bridge"} for t in tools]
    cases = [c for c in CASES if args.set == "all" or c.held_out == (args.set == "held-out")]
    voices = [v for v in VOICES if not args.voice or any(name in v.label for name in args.voice)]
    samples = plan(cases, voices)
    cache = Path(args.cache or tempfile.mkdtemp(prefix="asr-accuracy-"))
    cache.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = list(pool.map(lambda s: synthesize(s, cache), samples))
    synth_s = time.perf_counter() - started
    # 48 kHz files, as Chromium's fake microphone plays them, resampled as the engine does
    utterances = [resample(read_wav(path), 16000).samples for path in paths]

    built = time.perf_counter()
    model = build_language_model(public, kind=args.model)
    build_ms = (time.perf_counter() - built) * 1000
    check = _intent_checker(public)
    settings = DecoderSettings(**json.loads(args.settings)) if args.settings else DecoderSettings()
    if args.no_noise_floor:
        settings = replace(settings, noise_floor_db=None)
    transcripts = asyncio.run(decode_all(utterances, model, settings))

    by_voice: dict[str, dict[str, Tally]] = {"tuning": {}, "held-out": {}}
    by_condition: dict[str, Tally] = {}
    decode_ms = [transcript.decode_ms for transcript in transcripts]
    misses: list[str] = []
    for sample, transcript in zip(samples, transcripts, strict=True):
        exact = transcript.text == sample.case.text
        intent_ok = check(transcript.text, sample.case) if check else exact
        group = by_voice["held-out" if sample.case.held_out else "tuning"]
        group.setdefault(sample.voice.label, Tally()).add(exact, intent_ok)
        by_condition.setdefault(sample.condition, Tally()).add(exact, intent_ok)
        if not intent_ok or (args.show_errors and not exact):
            mark = "INTENT" if not intent_ok else "words"
            misses.append(
                f"  [{mark}] {sample.voice.label:18} {sample.condition:24} "
                f"{sample.case.text!r} -> {transcript.text!r}"
            )

    intent = check is not None
    print(f"model: {args.model} ({len(model.text)} chars, {len(model.vocabulary)} words, "
          f"built in {build_ms:.0f} ms); settings: {settings}")  # fmt: skip
    print(f"{len(samples)} utterances ({len(cases)} wordings x {len(voices)} voices), "
          f"synthesised in {synth_s:.1f} s; intent check: "
          f"{'bridge.engine.intent.IntentMatcher' if intent else 'none (exact transcript)'}")  # fmt: skip
    for name, rows in by_voice.items():
        if rows:
            _table(f"{name} set, per voice", rows, intent)
    _table("all, per condition", dict(sorted(by_condition.items())), intent)
    p50, p90 = np.percentile(decode_ms, [50, 90])
    print(f"\ndecode time per utterance: p50 {p50:.0f} ms, p90 {p90:.0f} ms, max {max(decode_ms):.0f} ms "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")  # fmt: skip
    if misses:
        print(f"\nmisses ({len(misses)}):")
        print("\n".join(misses))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("jsgf", "ngram"), default="jsgf")
    parser.add_argument("--set", choices=("all", "tuning", "held-out"), default="all")
    parser.add_argument("--voice", action="append", help="only voices whose label contains this")
    parser.add_argument("--settings", help='DecoderSettings overrides as JSON, e.g. {"lw": 8}')
    parser.add_argument("--no-noise-floor", action="store_true", help="decode the audio as it is")
    parser.add_argument("--cache", help="keep synthesised WAVs here between runs")
    parser.add_argument("--show-errors", action="store_true", help="also list transcript misses")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
