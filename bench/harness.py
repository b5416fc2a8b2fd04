"""A tiny benchmark harness: medians of repeated runs, ratios to a floor measured in the same run.

Absolute times on shared machines are noisy; the ratio to a floor that does the same raw work
with the bare underlying library is what we track.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


def median_seconds(fn: Callable[[], object], repeat: int, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass
class Result:
    """One benchmark's line: our median, the floor's median, and the goal."""

    name: str
    median: float
    floor: float
    max_ratio: float | None = None
    max_median: float | None = None

    @property
    def ratio(self) -> float:
        return self.median / self.floor

    @property
    def ok(self) -> bool:
        ratio_ok = self.max_ratio is None or self.ratio <= self.max_ratio
        median_ok = self.max_median is None or self.median <= self.max_median
        return ratio_ok and median_ok

    def line(self) -> str:
        goals = []
        if self.max_ratio is not None:
            goals.append(f"ratio <= {self.max_ratio:g}")
        if self.max_median is not None:
            goals.append(f"median <= {self.max_median * 1000:g} ms")
        return (f"{self.name:<32} median {self.median * 1000:9.3f} ms   "
                f"floor {self.floor * 1000:9.3f} ms   ratio {self.ratio:6.2f}   "
                f"goal {' and '.join(goals):<28} {'ok' if self.ok else 'MISSED'}")
