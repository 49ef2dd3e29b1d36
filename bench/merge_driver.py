"""How long ``ipreader merge-driver`` takes on a big annotations file, beside git's own merge.

Builds a common ancestor of ``--records`` highlights (one document's
annotations file) and two coders' versions of it: each edits 10 % of the
highlights (1 % the same ones, so both changed those), adds 5 % and deletes
2 % (different ones). Timed, ``--runs`` times each, medians reported:

* ``merge_tables + encode_tables`` in this process (the driver's work);
* ``ipreader merge-driver O A B P`` as git runs it (a whole process);
* baselines measured in the same run: ``git merge-file`` on the same three
  versions written the way the store writes them (one line per file) and one
  record per line (how the driver writes them), and the interpreter's start
  (``python -c pass``), the floor of any driver written in Python.

The driver's CPU time (user + system) is printed too: on a loaded machine the
wall time is mostly waiting for a core. ``PYTHONDONTWRITEBYTECODE`` makes
every start compile ipreader's modules again; say whether it was set.

    .venv/bin/python -m bench.merge_driver --records 2000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.lib.process import load_average
from bench.lib.timing import median, time_process, time_runs
from bench.lib.workdirs import isolated_data_dir, temp_dir
from ipreader.core.model import Annotation
from ipreader.core.sharing.layout import encode_tables
from ipreader.core.sharing.three_way import merge_tables
from ipreader.core.storage import encode_database

TEXT = "The quick brown fox jumps over the lazy dog; a sentence to highlight. " * 40


def versions(count: int, seed: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The ancestor's, ours and theirs annotations tables."""
    rng = random.Random(seed)
    base = [
        Annotation.create(TEXT, start, start + 20, "a.txt", note=f"note {n}")
        for n, start in enumerate(rng.randrange(0, len(TEXT) - 20) for _ in range(count))
    ]
    order = list(range(count))
    rng.shuffle(order)
    tenth, both = count // 10, count // 100
    ours_edit = set(order[:tenth])
    theirs_edit = set(order[tenth - both : 2 * tenth - both])  # overlaps ours by 1 %
    ours_drop = set(order[2 * tenth : 2 * tenth + count // 50])
    theirs_drop = set(order[2 * tenth + count // 50 : 2 * tenth + count // 25])

    def side(edit: set[int], drop: set[int], who: str) -> dict[str, Any]:
        rows = {}
        for n, annotation in enumerate(base):
            if n in drop:
                continue
            if n in edit:
                annotation = replace(
                    annotation.edited(note=f"{who} {n}"), updated=annotation.updated
                )
            rows[annotation.id] = annotation.to_dict()
        for n in range(count // 20):
            added = Annotation.create(TEXT, n, n + 15, "a.txt", note=f"{who} new {n}")
            rows[added.id] = added.to_dict()
        return {"annotations": rows}

    ancestor = {"annotations": {a.id: a.to_dict() for a in base}}
    return ancestor, side(ours_edit, ours_drop, "ours"), side(theirs_edit, theirs_drop, "theirs")


def git_merge_file(files: list[Path], runs: int) -> tuple[list[float], int]:
    """``git merge-file -p OURS BASE THEIRS``: wall times, and its conflict count (exit status)."""
    times, status = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            ["git", "merge-file", "-q", "-p", str(files[1]), str(files[0]), str(files[2])],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
        status = done.returncode
    return times, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ancestor, ours, theirs = versions(args.records, seed=20261130)
    print(f"load average before: {load_average()}")
    print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}")
    print(
        f"{args.records} highlights in the ancestor; each side edits 10 %, adds 5 %, deletes 2 %; "
        f"1 % edited on both; medians of {args.runs} runs"
    )

    merged = merge_tables(ancestor, ours, theirs, file="annotations/x.json")
    print(f"merged: {len(merged.tables['annotations'])} highlights, {len(merged.conflicts)} logged")
    inproc = time_runs(
        lambda: encode_tables(
            merge_tables(ancestor, ours, theirs, file="annotations/x.json").tables
        ),
        args.runs,
    )
    rows = [("merge_tables + encode_tables (in process)", median(inproc), "")]

    with temp_dir("merge-driver-bench") as folder, isolated_data_dir():
        store_dir = folder / ".ipreader"
        (store_dir / "annotations").mkdir(parents=True)
        for layout, encode in (
            ("store (one line)", encode_database),
            ("per record", encode_tables),
        ):
            files = [folder / name for name in ("O", "A", "B")]
            for path, tables in zip(files, (ancestor, ours, theirs), strict=True):
                path.write_bytes(encode(tables))
            times, status = git_merge_file(files, args.runs)
            what = "clean" if status == 0 else f"{status} conflict(s)"
            rows.append((f"git merge-file, {layout} layout (baseline)", median(times), what))
        files = [folder / name for name in ("O", "A", "B")]
        for path, tables in zip(files, (ancestor, ours, theirs), strict=True):
            path.write_bytes(encode_database(tables))
        argv = [sys.executable, "-m", "ipreader", "merge-driver", *map(str, files)]
        argv.append(".ipreader/annotations/x.json")
        keep = files[1].read_bytes()
        driver, cpu = [], []
        for _ in range(args.runs):
            files[1].write_bytes(keep)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            driver += time_process(argv, 1)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            (store_dir / "conflicts.json").unlink(missing_ok=True)
        result = json.loads(files[1].read_bytes())
        rows.append(
            (
                "ipreader merge-driver (whole process)",
                median(driver),
                f"clean, {len(result['annotations'])} highlights; CPU {median(cpu):.3f} s",
            )
        )
        rows.append(
            (
                "python -c pass (interpreter start, baseline)",
                median(time_process([sys.executable, "-c", "pass"], args.runs)),
                "",
            )
        )
    print()
    print("| what | median s | result |")
    print("|---|---:|---|")
    for name, seconds, what in rows:
        print(f"| {name} | {seconds:.3f} | {what} |")
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
