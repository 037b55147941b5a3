"""Through a browser server on loopback: the tool round trip and voice → action of a bridge
whose page lives in a Playwright browser server's Chromium (`--browser-ws`), against the
bench bridge's local Chromium in the same run, as ratios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .stats import ratio, rounded, summary

__all__ = ["remote_figures"]


def remote_figures(rtt: Mapping[str, list[float]], voice: Mapping[str, list[float]],
                   ) -> dict[str, Any]:
    """The figures of both browsers ("local", "remote") and the remote's ratios to the local."""
    figures: dict[str, Any] = {}
    for name in ("local", "remote"):
        figures.update(summary(f"{name}_browser_tool_rtt", rtt[name], 50, 99))
        figures.update(summary(f"{name}_browser_voice_to_action", voice[name], 50, 90))
    figures["remote_browser_tool_rtt_over_local_ratio"] = rounded(ratio(
        figures["remote_browser_tool_rtt_p50_ms"], figures["local_browser_tool_rtt_p50_ms"]))
    figures["remote_browser_voice_over_local_ratio"] = rounded(ratio(
        figures["remote_browser_voice_to_action_p50_ms"],
        figures["local_browser_voice_to_action_p50_ms"]))
    return figures
