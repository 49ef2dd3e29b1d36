"""Start-up of several checkouts' apps, paired round by round with the three-pane app.

``bench.startup`` quotes medians of each series; on a machine whose speed
wanders between runs (this VM: its file cache paged out, its CPU shared), a
few slow rounds move one series' median and not the other's. Here every round
runs the three-pane baseline, then each checkout's app (in alternating order,
so neither always comes first), and the figures are **medians of per-round
ratios**: each app against the baseline of its own round, and against the
first checkout's app of its own round. The children are ``bench.startup``'s
(``--child app`` run from each checkout; ``--child baseline`` from this one),
with compiled modules kept, as there.

    .venv/bin/python -m bench.startup_paired [--rounds N] CHECKOUT [CHECKOUT ...]

A checkout is a directory holding ``ipreader/`` and ``bench/`` (e.g. a
``git archive`` of a commit); ``.`` is this one. The first is the reference.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.lib.timing import median
from bench.lib.workdirs import isolated_data_dir, temp_dir
from bench.startup import one_run


def paired(checkouts: list[Path], rounds: int) -> list[str]:
    """Run ``rounds`` rounds; return one line per checkout (and one for the baseline)."""
    wall: dict[Path, list[float]] = {c: [] for c in checkouts}
    cpu: dict[Path, list[float]] = {c: [] for c in checkouts}
    base_wall: list[float] = []
    base_cpu: list[float] = []
    with isolated_data_dir(), temp_dir("pycache-") as pycache:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
        for checkout in checkouts:  # warm the file cache and compile; not counted
            one_run("app", env, checkout)
        one_run("baseline", env)
        for number in range(rounds):
            elapsed, report = one_run("baseline", env)
            base_wall.append(elapsed)
            base_cpu.append(report["cpu"])
            for checkout in checkouts if number % 2 == 0 else checkouts[::-1]:
                elapsed, report = one_run("app", env, checkout)
                wall[checkout].append(elapsed)
                cpu[checkout].append(report["cpu"])
    first = checkouts[0]
    lines = [f"3 panes: wall {median(base_wall):.3f} s, CPU {median(base_cpu):.3f} s"]
    for checkout in checkouts:
        to_base = [a / b for a, b in zip(wall[checkout], base_wall, strict=True)]
        cpu_to_base = [a / b for a, b in zip(cpu[checkout], base_cpu, strict=True)]
        to_first = [a / b for a, b in zip(wall[checkout], wall[first], strict=True)]
        lines.append(
            f"{checkout}: wall {median(wall[checkout]):.3f} s, "
            f"{median(to_base):.3f}x the 3 panes (CPU {median(cpu_to_base):.3f}x), "
            f"{median(to_first):.3f} of {first.name or first}'s"
        )
    return lines


def main() -> None:
    """Command line: ``--rounds``, then the checkouts."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("checkouts", type=Path, nargs="+")
    args = parser.parse_args()
    checkouts = [path.resolve() for path in args.checkouts]
    print(f"{args.rounds} rounds, medians of per-round ratios")
    for line in paired(checkouts, args.rounds):
        print(line)


if __name__ == "__main__":
    main()
