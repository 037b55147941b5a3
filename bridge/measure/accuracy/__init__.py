"""How well the embedded engine understands: spoken and typed commands to tool sets it was
tuned on and tool sets it never saw, in voices it never heard (`make accuracy`).

    corpus   the corpus on disk (scripts/accuracy/): tool sets, wordings, off-topic, voices
    slots    what kind of value a parameter takes, read independently of the engine
    scoring  whether a call is right, arguments compared by type
    plan     which voice says which wording, impaired how (seeded)
    voices   utterances synthesised (espeak-ng, flite, festival), impaired, cached
    hearing  the engine hearing them: over WebRTC, straight to the recogniser, or typed
    report   the tables, held-out first
"""

from .corpus import PARTS, Command, Corpus, Item, OffTopic, Voice, load
from .hearing import Heard, Typed, hear_directly, hear_over_webrtc, read_typed, synthesize_all
from .plan import TRANSFORMS, Utterance, plan
from .report import PartResult, format_part, misses
from .scoring import judge

__all__ = [
    "PARTS",
    "TRANSFORMS",
    "Command",
    "Corpus",
    "Heard",
    "Item",
    "OffTopic",
    "PartResult",
    "Typed",
    "Utterance",
    "Voice",
    "format_part",
    "hear_directly",
    "hear_over_webrtc",
    "judge",
    "load",
    "misses",
    "plan",
    "read_typed",
    "synthesize_all",
]
