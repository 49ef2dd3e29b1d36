"""Run ``ipreader`` in a child process and measure the child's own peak memory.

VmHWM (Linux), not ``ru_maxrss``: after fork + exec ``ru_maxrss`` still counts
the parent's pages, so a child of pytest would report pytest's size. VmHWM
belongs to the new process image alone. Elsewhere ``ru_maxrss`` is the fallback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import resource, sys
from ipreader.cli import main
code = main(sys.argv[1:])
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"peak_rss_kb={peak}", file=sys.stderr)
raise SystemExit(code)
"""


def run_with_peak(*argv: str | Path, timeout: float = 120) -> tuple[int, str, str, int]:
    """``ipreader ARGV`` in a child: (exit code, stdout, stderr, peak resident bytes)."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *[str(arg) for arg in argv]],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    peak = int(done.stderr.rsplit("peak_rss_kb=", 1)[1].split()[0]) * 1024
    return done.returncode, done.stdout, done.stderr, peak
