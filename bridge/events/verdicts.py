"""The verdict on a tool call: what the bridge could say about its effect in the DOM.

- `verified`: the bridge read the DOM after the call and it showed the change;
- `not_verified`: it did not (or the page failed under the call);
- `unchecked`: the tool declares nothing for the bridge to check (no `x-bridge` style or read);
- `unwatched`: no Playwright watched the page (a page in the user's own browser, without the
  bridge's binding), so nobody checked; the page itself says so in its output.

The `verified` field that outputs and records have always had is derived: True, False, or None
for the last two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeAlias, get_args

__all__ = ["VERDICTS", "Verdict", "verdict_set", "verified_of"]

Verdict: TypeAlias = Literal["verified", "not_verified", "unchecked", "unwatched"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)


def verified_of(verdict: Verdict) -> bool | None:
    """The `verified` field a verdict stands for: True, False, or None (nobody checked)."""
    return {"verified": True, "not_verified": False}.get(verdict)


def verdict_set(wanted: Verdict | Iterable[Verdict]) -> frozenset[Verdict]:
    """One verdict or several as a set; ValueError for a word that is not a verdict."""
    chosen = frozenset((wanted,) if isinstance(wanted, str) else wanted)
    unknown = sorted(str(v) for v in chosen if v not in VERDICTS)
    if unknown:
        raise ValueError(f"not a verdict: {', '.join(unknown)}; verdicts: {', '.join(VERDICTS)}")
    return chosen
