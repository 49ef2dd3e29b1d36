"""Medians and percentiles, and timing a call or a whole process over several runs."""

from __future__ import annotations

import gc
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def time_runs(
    fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None
) -> list[float]:
    """Run ``fn`` ``runs`` times (``setup`` before each, untimed); return the durations (s)."""
    durations = []
    for _ in range(runs):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return durations


def time_process(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall time of ``argv`` as a whole process, ``runs`` times (output discarded)."""
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        durations.append(time.perf_counter() - start)
    return durations
