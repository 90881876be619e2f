"""Small helpers for latency figures."""

from __future__ import annotations

import statistics


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summary(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "p99": percentile(samples, 99)}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
