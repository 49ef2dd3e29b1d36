"""Rounds of an app benchmark, each in a fresh interpreter, for one or two checkouts.

A round run in the process of the one before it also times that round's app
(its objects kept alive or frozen, ``tui/heap.py``); each launch of the app is a
fresh process, so each round is one too. A benchmark module runs itself as the
child (``--child ...``, printing one JSON object of figures), by path from the
checkout being measured, so one bench file measures two checkouts' ``ipreader``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def child_round(script: Path, tree: Path, args: list[str], pycache: Path) -> dict[str, float]:
    """Run ``script --child ARGS`` in a fresh interpreter with ``tree``'s ``ipreader``;
    return the last JSON object it printed (its figures).

    Its compiled modules are kept in ``pycache``, as an installed app's are (this
    machine's ``PYTHONDONTWRITEBYTECODE=1`` would compile them at every launch).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    # The script run by path from ``tree`` (``-c``: the working directory first on the path).
    code = f"import runpy; runpy.run_path({str(script.resolve())!r}, run_name='__main__')"
    found = subprocess.run(
        [sys.executable, "-c", code, "--child", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in found.stdout.splitlines() if line.startswith("{")]
    if found.returncode != 0 or not lines:
        raise RuntimeError(f"round in {tree} failed:\n{found.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(lines[-1])
    return figures


def paired_rounds(
    script: Path, trees: list[Path], args: list[str], rounds: int, pycache: Path
) -> dict[Path, list[dict[str, float]]]:
    """One uncounted launch per tree (the user's earlier session: compiled modules and
    caches written), then ``rounds`` rounds of each tree, in alternating order."""
    for tree in trees:
        child_round(script, tree, args, pycache)
    found: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
    for number in range(rounds):
        for tree in trees if number % 2 == 0 else trees[::-1]:
            found[tree].append(child_round(script, tree, args, pycache))
    return found


def report(name: str, rounds: list[dict[str, float]]) -> None:
    """Print the medians of ``rounds`` with each round's figure."""
    print(f"{name}, median of {len(rounds)} rounds (ms):")
    for key in rounds[0]:
        values = [r[key] for r in rounds if key in r]
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {key:>8}: {statistics.median(values):7.0f}   (runs: {runs})")


def compare(
    script: Path,
    before: Path | None,
    rounds: int,
    name: str,
    prepare: Callable[[Path], list[str]],
) -> None:
    """Run ``script``'s rounds for this checkout (and ``before``) and print each one's report.

    ``prepare(workspace)`` makes what the rounds use in a temporary directory (the
    app's data directory is in it too) and returns the child's arguments.
    """
    here = script.resolve().parent.parent
    trees = [here] if before is None else [here, before.resolve()]
    with tempfile.TemporaryDirectory(prefix="ipreader-rounds-") as tmp:
        os.environ["IPREADER_DATA_DIR"] = str(Path(tmp) / "data")
        args = prepare(Path(tmp))
        found = paired_rounds(script, trees, args, rounds, Path(tmp) / "pycache")
    for tree in trees:
        report(name if tree == here else f"{name}, {tree}", found[tree])
