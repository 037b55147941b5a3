"""How well the embedded engine understands spoken and typed commands (`make accuracy`).

The corpus (scripts/accuracy/) has a tuning part and held-out parts: tool sets, wordings,
off-topic speech and voices the engine was never tuned on. Each spoken utterance is one
wording said by a voice drawn at random (seeded) with one transform (pitch, tempo, reverb,
noise), played into a WebRTC call to the engine (Opus), one call at a time, and judged by the
function call it answers with; every wording is also typed.

    python scripts/asr_accuracy.py                    # the held-out parts, over WebRTC
    python scripts/asr_accuracy.py --quick            # tuning: one utterance a wording, direct
    python scripts/asr_accuracy.py --part tuning --show-errors

`--quick` and `--show-errors` use the tuning part only and never open a held-out folder.
`--direct` decodes the WAVs with the engine's recogniser in this process, without WebRTC or
turn detection: faster, for tuning; only WebRTC figures count.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bridge.engine.agent.voice import RECOGNITION_KINDS  # noqa: E402
from bridge.measure.accuracy import (  # noqa: E402
    PARTS,
    Heard,
    Item,
    OffTopic,
    PartResult,
    format_part,
    hear_directly,
    hear_over_webrtc,
    load,
    misses,
    plan,
    read_typed,
    synthesize_all,
)

HELD_OUT = tuple(part for part in PARTS if part != "tuning")


def run_part(part: str, args: argparse.Namespace, cache: Path) -> PartResult:
    corpus = load(part)
    utterances = plan(corpus, repeats=args.repeats, seed=args.seed)
    if args.limit:
        utterances = utterances[: args.limit]
    started = time.perf_counter()
    done = 0

    def progress(_: Heard) -> None:
        nonlocal done
        done += 1
        if done % 50 == 0 or done == len(utterances):
            elapsed = time.perf_counter() - started
            print(f"  {part}: {done}/{len(utterances)} heard ({elapsed:.0f} s)", flush=True)

    async def hear() -> list[Heard]:
        paths = await synthesize_all(utterances, cache)
        listen = hear_directly if args.direct else hear_over_webrtc
        return await listen(utterances, paths, corpus.toolsets, progress=progress,
                            kind=RECOGNITION_KINDS[args.recognition])

    if not args.typed:
        print(f"{part}: synthesising and hearing {len(utterances)} utterances "
              f"({'directly' if args.direct else 'over WebRTC'})", flush=True)  # fmt: skip
    spoken = [] if args.typed else asyncio.run(hear())
    typed_items: list[tuple[Item, str]] = [(c, c.toolset) for c in corpus.commands]
    typed_items += [(u.item, u.toolset) for u in utterances if isinstance(u.item, OffTopic)]
    typed = read_typed(typed_items, corpus.toolsets)
    mode = "decoded directly (no WebRTC)" if args.direct else "over WebRTC (Opus), one call at a time"
    return PartResult(corpus, tuple(spoken), tuple(typed), mode, time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--part", action="append", choices=PARTS,
                        help="corpus part (repeatable; default: the held-out parts)")
    parser.add_argument("--quick", action="store_true",
                        help="tuning part, one utterance per wording, decoded directly")
    parser.add_argument("--direct", action="store_true", help="decode without WebRTC (tuning)")
    parser.add_argument("--typed", action="store_true", help="typed wordings only, nothing spoken")
    parser.add_argument("--repeats", type=int, default=2, help="utterances per command wording")
    parser.add_argument("--seed", type=int, default=14, help="the draw of voices and transforms")
    parser.add_argument("--limit", type=int, help="only the first N utterances of each part")
    parser.add_argument("--cache", help="keep synthesised WAVs here between runs")
    parser.add_argument("--show-errors", action="store_true", help="list the tuning part's misses")
    parser.add_argument("--recognition", choices=sorted(RECOGNITION_KINDS), default="grammar",
                        help="the engine's recogniser: its command grammar (default) or the open "
                             "n-gram model")
    args = parser.parse_args(argv)
    if args.quick:
        args.part, args.repeats, args.direct = ["tuning"], 1, True
    parts = args.part or ([*HELD_OUT] if not args.show_errors else ["tuning"])
    if args.show_errors and any(part != "tuning" for part in parts):
        parser.error("--show-errors lists tuning misses only: use it with --part tuning or --quick")
    parts = [part for part in parts if part == "tuning" or (ROOT / "scripts" / "accuracy" / part).is_dir()]
    cache = Path(args.cache or tempfile.mkdtemp(prefix="asr-accuracy-"))
    for part in parts:
        result = run_part(part, args, cache)
        print("\n" + format_part(result), flush=True)
        if args.show_errors:
            print("\n" + misses(result))
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
