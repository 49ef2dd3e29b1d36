"""`ipreader export` on the seeds as a whole process, against `python -c "import tinydb"`.

Both commands run from the venv (its ``ipreader`` console script and its
python), stdout discarded, alternating run by run; median of 15 runs each
(after one untimed warm-up each, so .pyc files and the OS cache are warm).
The per-user data directory is a temp dir (the seeds' store lives there).

    .venv/bin/python -m bench.cli_export [--quick]
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bench.lib.cli import bench_main
from bench.lib.figures import Figure, print_table
from bench.lib.paths import REPO
from bench.lib.process import python_exe
from bench.lib.timing import median, time_process
from bench.lib.workdirs import isolated_data_dir


def console_script() -> list[str]:
    """The venv's ``ipreader`` script (falls back to ``python -m ipreader``)."""
    script = Path(python_exe()).parent / "ipreader"
    if script.exists():
        return [str(script)]
    found = shutil.which("ipreader")
    return [found] if found else [python_exe(), "-m", "ipreader"]


def run(quick: bool = False) -> list[Figure]:
    """Measure both processes, alternating; print the table."""
    runs = 2 if quick else 15
    ours: list[float] = []
    base: list[float] = []
    export = [*console_script(), "export", str(REPO / "seeds")]
    tinydb = [python_exe(), "-c", "import tinydb"]
    with isolated_data_dir():
        env = dict(os.environ)
        time_process(export, 1, env)
        time_process(tinydb, 1, env)
        for _ in range(runs):
            ours.extend(time_process(export, 1, env))
            base.extend(time_process(tinydb, 1, env))
    figure = Figure(
        "`ipreader export seeds`, whole process",
        median(ours),
        target=0.25,
        baseline=median(base),
        baseline_name='python -c "import tinydb"',
        runs=runs,
        note=f"(min {min(ours):.3f} s)",
    )
    print_table("CLI export", [figure])
    return [figure]


def main() -> None:
    """Command line: ``--quick``."""
    bench_main(__doc__, run)


if __name__ == "__main__":
    main()
