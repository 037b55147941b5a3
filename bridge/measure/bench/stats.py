"""Percentiles and ratios for the benchmark figures."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0..100), linearly interpolated; None when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def summary(prefix: str, values_ms: Sequence[float], *percents: int) -> dict[str, float | None]:
    """`{prefix}_p50_ms: …` for each percent asked."""
    return {f"{prefix}_p{p}_ms": rounded(percentile(values_ms, p)) for p in percents}
