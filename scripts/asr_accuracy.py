"""How well the embedded engine hears spoken commands: prints accuracy per voice and overall.

Every utterance of the corpus in bridge/accuracy.py (wordings for the seed's tools, several
voices of espeak-ng and flite, two speaking rates, a quarter with noise mixed in) is played
into the microphone track of a WebRTC call to the engine, and judged by the tool call the
engine answers with: right tool and arguments, or no call where none was asked for.

    python scripts/asr_accuracy.py                        # everything, 4 calls at a time
    python scripts/asr_accuracy.py --voice flite --show-errors
    python scripts/asr_accuracy.py --direct               # the recogniser alone, no WebRTC

`--direct` decodes the same WAVs with the engine's recogniser in this process, faster than
real time: for tuning the grammar and decoder. Only the WebRTC figures count as accuracy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bridge.browser.tools import ToolRegistry  # noqa: E402
from bridge.drive.synthesis import read_wav  # noqa: E402
from bridge.engine.agent.grammar import build_language_model  # noqa: E402
from bridge.engine.agent.intent import IntentMatcher  # noqa: E402
from bridge.engine.agent.recognition import Recognizer  # noqa: E402
from bridge.engine.agent.tts import resample  # noqa: E402
from bridge.measure.accuracy import CASES, VOICES, Outcome, Sample, hear_over_webrtc, judge, plan, synthesize  # noqa: E402


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def table(title: str, outcomes: Sequence[Outcome], key: str) -> None:
    rows: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        label = outcome.sample.voice.label if key == "voice" else outcome.sample.condition
        rows.setdefault(label, []).append(outcome)
    print(f"\n{title}\n{'':28} {'utts':>5} {'correct':>8} {'accuracy':>9}")
    for label, group in sorted(rows.items()) if key != "voice" else rows.items():
        correct = sum(o.ok for o in group)
        print(f"{label:28} {len(group):5d} {correct:8d} {_pct(correct, len(group)):>9}")
    correct = sum(o.ok for o in outcomes)
    print(f"{'all':28} {len(outcomes):5d} {correct:8d} {_pct(correct, len(outcomes)):>9}")


async def decode_directly(
    samples: Sequence[Sample], cache: Path, tools: list[dict[str, Any]]
) -> list[Outcome]:
    """The recogniser and the intent matcher alone, on the 48 kHz files resampled as the engine does."""
    model = build_language_model(tools)
    matcher = IntentMatcher(tools)
    outcomes = []
    async with Recognizer() as recognizer:
        await recognizer.warm_up()
        for sample in samples:
            pcm = resample(read_wav(synthesize(sample, cache)), 16000).samples
            text = (await recognizer.transcribe(pcm, model)).text
            match = matcher.match(text)
            call = None if match is None else (match.name, json.loads(match.arguments)
                                               if isinstance(match.arguments, str) else match.arguments)
            outcomes.append(Outcome(sample, text, call, judge(sample.case, call), None))
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice", action="append", help="only voices whose label contains this")
    parser.add_argument("--set", choices=("all", "tuning", "held-out"), default="all")
    parser.add_argument("--limit", type=int, help="only the first N utterances of the plan")
    parser.add_argument("--sessions", type=int, default=4, help="concurrent calls (default 4)")
    parser.add_argument("--snr", type=float, default=20.0, help="noise level where mixed in, dB")
    parser.add_argument("--direct", action="store_true", help="decode without WebRTC (tuning)")
    parser.add_argument("--cache", help="keep synthesised WAVs here between runs")
    parser.add_argument("--show-errors", action="store_true", help="list every miss")
    args = parser.parse_args(argv)

    tools = ToolRegistry.load().definitions()
    cases = [c for c in CASES if args.set == "all" or c.held_out == (args.set == "held-out")]
    voices = [v for v in VOICES if not args.voice or any(n in v.label for n in args.voice)]
    samples = plan(cases, voices, noise_snr_db=args.snr)[: args.limit]
    cache = Path(args.cache or tempfile.mkdtemp(prefix="asr-accuracy-"))
    print(f"{len(samples)} utterances ({len(cases)} wordings x {len(voices)} voices), "
          f"{'decoded directly' if args.direct else f'through WebRTC, {args.sessions} calls at a time'}",
          flush=True)  # fmt: skip
    started = time.perf_counter()
    done = 0

    def progress(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        if done % 20 == 0 or done == len(samples):
            print(f"  {done}/{len(samples)} heard", flush=True)

    if args.direct:
        outcomes = asyncio.run(decode_directly(samples, cache, tools))
    else:
        cache.mkdir(parents=True, exist_ok=True)
        outcomes = asyncio.run(hear_over_webrtc(samples, cache, tools, sessions=args.sessions,
                                                progress=progress))  # fmt: skip
    elapsed = time.perf_counter() - started

    for name, held_out in (("tuning", False), ("held-out", True)):
        group = [o for o in outcomes if o.sample.case.held_out == held_out]
        if group:
            table(f"{name} wordings, per voice", group, "voice")
    table("all wordings, per voice", outcomes, "voice")
    table("all wordings, per condition", outcomes, "condition")
    latencies = [o.latency_ms for o in outcomes if o.latency_ms is not None]
    if latencies:
        p50, p90 = np.percentile(latencies, [50, 90])
        print(f"\nend of speech -> function call at the client: p50 {p50:.0f} ms, p90 {p90:.0f} ms "
              f"(silence window 500 ms)")  # fmt: skip
    print(f"{len(outcomes)} utterances in {elapsed:.0f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")  # fmt: skip
    misses = [o for o in outcomes if not o.ok or (args.show_errors and o.transcript != o.sample.case.text)]
    if misses and (args.show_errors or len(misses) <= 40):
        print(f"\nmisses ({sum(not o.ok for o in outcomes)}):")
        for o in misses:
            mark = "WRONG" if not o.ok else "words"
            print(f"  [{mark}] {o.sample.voice.label:18} {o.sample.condition:22} "
                  f"{o.sample.case.text!r} -> {o.transcript!r} {o.call or ''} {o.error or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
