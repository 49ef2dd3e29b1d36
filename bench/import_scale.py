"""Import 2 annotations per article over a large folder, this checkout against others, interleaved.

The folder is ``folder_scale``'s (distinct, edited copies of the BBC corpus;
10,000 articles, 20,000 annotations by default), exported once as ipreader
JSON. Each sample is one ``importer.import_file`` of that export into a fresh
copy of the articles (copy untimed, no ``.ipreader``), timed inside a new
process of the checkout being measured (its own ``.venv``; interpreter start
and imports untimed), with wall and CPU (user + system, all threads and the
worker processes an import starts). The checkouts take turns, A B B A A B ...,
so a change of machine load hits them alike; read the ratios.

Each sample gets a copy of its own, all deleted at the end: on ext4 without a
journal (this VM's root) creating a file right after ~20,000 were deleted
costs the kernel's inode allocator seconds (it skips inodes deleted in the last
~30 s and reads their table blocks to find out), and deleting the previous
sample's copy just before each import put 2-3 s of that into every sample
(RESULTS.md, "Import: the store's own work"). ``--delete-between`` measures
that way again (stop 23's figures).

The copy is written out (``os.sync``, untimed) before the import: the import's
one ``syncfs`` would otherwise also flush the ~10,000 articles the benchmark
had just copied, 0.1-0.4 s that is not the import's own (RESULTS.md, "Import
under two seconds"); an article a user imports annotations for has long been on
disk. ``--no-sync`` measures that way again (stop 24's figures).

    .venv/bin/python -m bench.import_scale [--articles N] [--rounds N] [--against CHECKOUT ...]
        [--delete-between] [--no-sync]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.folder_scale import build
from bench.lib.corpus import need_corpus
from bench.lib.process import load_average
from bench.lib.timing import median
from bench.lib.workdirs import isolated_data_dir, temp_dir

#: Run in the measured checkout's interpreter: one import, timed; prints wall and CPU seconds.
_SAMPLE = """
import gc, json, os, sys, time
from pathlib import Path
from ipreader.core.importer import import_file
gc.collect()
wall, cpu = time.perf_counter(), os.times()
report = import_file(Path(sys.argv[1]), Path(sys.argv[2]))
after = os.times()
# Worker processes (the import's prefetch) count too: their CPU once they have ended.
print(json.dumps([time.perf_counter() - wall,
                  after.user + after.system + after.children_user + after.children_system
                  - cpu.user - cpu.system - cpu.children_user - cpu.children_system,
                  report.added]))
"""


def sample(
    checkout: Path, export: Path, folder: Path, target: Path, *, sync: bool = True
) -> tuple[float, float]:
    """One import by ``checkout`` into a fresh copy of ``folder``: (wall s, CPU s)."""
    shutil.rmtree(target, ignore_errors=True)  # only with --delete-between: a new name otherwise
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".ipreader"))
    if sync:
        os.sync()  # the copy on disk, as a user's articles are: the import flushes only its own
    python = checkout / ".venv" / "bin" / "python"
    done = subprocess.run(
        [
            str(python if python.exists() else sys.executable),
            "-c",
            _SAMPLE,
            str(export),
            str(target),
        ],
        cwd=checkout,
        check=True,
        capture_output=True,
        text=True,
    )
    wall, cpu, added = json.loads(done.stdout.strip().splitlines()[-1])
    if not added:
        raise SystemExit(f"{checkout}: the import added nothing")
    return wall, cpu


def main() -> None:
    """Command line: ``--articles``, ``--rounds``, ``--against``, ``--delete-between``,
    ``--no-sync``.
    """
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="samples per checkout")
    parser.add_argument("--against", type=Path, nargs="*", default=[], help="other checkouts")
    parser.add_argument(
        "--delete-between",
        action="store_true",
        help="delete the previous sample's copy just before each import (as before stop 24)",
    )
    parser.add_argument(
        "--no-sync",
        action="store_true",
        help="leave the copy unwritten: the import's flush writes it too (as at stop 24)",
    )
    args = parser.parse_args()
    if not need_corpus("the import over a large folder"):
        return
    here = Path(__file__).resolve().parent.parent
    checkouts = [here, *(path.resolve() for path in args.against)]
    print(f"load average before: {load_average()}", flush=True)
    with isolated_data_dir(), temp_dir("import-scale-") as tmp:
        from ipreader.core.export import render_export
        from ipreader.core.library import Library

        folder = tmp / "articles"
        build(folder, args.articles)
        export = tmp / "export.json"
        export.write_text(render_export(Library.open([folder]), "json"), encoding="utf-8")
        results: dict[Path, list[tuple[float, float]]] = {c: [] for c in checkouts}
        samples = 0
        for number in range(args.rounds):
            order = checkouts if number % 2 == 0 else checkouts[::-1]
            for checkout in order:
                samples += 1
                target = tmp / ("target" if args.delete_between else f"target-{samples}")
                results[checkout].append(
                    sample(checkout, export, folder, target, sync=not args.no_sync)
                )
            print(f"round {number + 1}/{args.rounds} done (load {load_average()})", flush=True)
    first = median([wall for wall, _cpu in results[here]])
    print(
        f"\nimport {2 * args.articles:,} annotations over {args.articles:,} articles, "
        f"median of {args.rounds} (wall s; CPU s)\n"
    )
    print("| Checkout | wall median | wall spread | CPU median | wall / this checkout |")
    print("|---|---|---|---|---|")
    for checkout, samples in results.items():
        walls = [wall for wall, _cpu in samples]
        cpus = [cpu for _wall, cpu in samples]
        print(
            f"| {checkout} | {median(walls):.3f} | {min(walls):.3f}-{max(walls):.3f} "
            f"| {median(cpus):.3f} | {median(walls) / first:.2f} |"
        )
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
