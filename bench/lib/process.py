"""Child interpreters for the benchmarks, and this process's memory and machine load."""

from __future__ import annotations

import os
import resource
import sys

from .paths import VENV_PYTHON


def python_exe() -> str:
    """The interpreter to run child processes with (the venv's when present)."""
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def bench_argv(module: str, *args: str) -> list[str]:
    """The command running benchmark ``module`` (``bench.startup``, ...) in a fresh interpreter.

    The interpreter is this one, so a child measures the same environment as its
    parent. Run it with ``cwd=paths.REPO``, where the ``bench`` package is importable.
    """
    return [sys.executable, "-m", module, *args]


def rss_mb() -> float:
    """Current resident set size of this process in MB (VmRSS from /proc, else ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # Fallback (not Linux): the peak, in KiB on Linux/BSD.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> str:
    """The 1/5/15-minute load averages, as text for the report."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"
