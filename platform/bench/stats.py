"""Latency percentiles by the nearest-rank method (no interpolation: every reported value was observed)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from singlewindow.platform.bench.report import Figure

PERCENTILES = (50, 95, 99)


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_figures(label: str, seconds: Sequence[float]) -> tuple[Figure, ...]:
    """p50/p95/p99/max of ``seconds`` as milliseconds; None values when nothing was measured."""
    names = [*(f"p{p}" for p in PERCENTILES), "max"]
    if not seconds:
        return tuple(Figure(f"{label} {n}", None, "ms") for n in names)
    values = [percentile(seconds, p) for p in PERCENTILES] + [max(seconds)]
    return tuple(Figure(f"{label} {n}", v * 1000, "ms") for n, v in zip(names, values, strict=True))


def rate(count: int, seconds: float) -> float | None:
    return count / seconds if seconds > 0 else None
