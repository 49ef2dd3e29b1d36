"""Durability of a batch of atomic writes: one ``syncfs`` against one ``fsync`` per file.

``storage.atomic_write_many`` (what an import or a re-anchoring of many
documents writes through) makes a batch of ``SYNCFS_MIN_FILES`` or more
files durable with one ``syncfs`` per file system, once every temp file is
written; smaller batches fsync each temp file, in ``BATCH_SYNC_THREADS``
threads. This times both on the same batch of ~2 KB files (the size of one
document's annotation file), alternating, in one process, plus a sequential
``atomic_write_bytes`` per file for 1,000 files (the naive baseline).

    .venv/bin/python -m bench.batch_write [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from bench.lib.figures import Figure, print_figures
from bench.lib.process import load_average
from bench.lib.timing import median
from bench.lib.workdirs import temp_dir


def _batch(folder: Path, count: int, round_: int) -> list[tuple[Path, bytes]]:
    data = b'{"annotations":{' + b"x" * 2000 + b"}}"
    return [(folder / f"doc{n:05d}.json", data + b"%d" % round_) for n in range(count)]


def timed_batches(count: int, runs: int) -> tuple[list[float], list[float]]:
    """(one-flush times, fsync-per-file times) of ``runs`` batches of ``count`` files each."""
    from ipreader.core import storage

    flush: list[float] = []
    per_file: list[float] = []
    threshold = storage.SYNCFS_MIN_FILES
    with temp_dir("batch-") as tmp:
        for round_ in range(runs):
            for mode, times in (("flush", flush), ("fsync", per_file)):
                folder = tmp / mode
                folder.mkdir(exist_ok=True)
                # The fsync-per-file path is what a batch takes below the threshold.
                storage.SYNCFS_MIN_FILES = threshold if mode == "flush" else count + 1
                try:
                    start = time.perf_counter()
                    storage.atomic_write_many(_batch(folder, count, round_))
                    times.append(time.perf_counter() - start)
                finally:
                    storage.SYNCFS_MIN_FILES = threshold
    return flush, per_file


def sequential(count: int) -> float:
    """Seconds for ``count`` files written one ``atomic_write_bytes`` each (one fsync + rename)."""
    from ipreader.core.storage import atomic_write_bytes

    with temp_dir("batch-seq-") as tmp:
        start = time.perf_counter()
        for path, data in _batch(tmp, count, 0):
            atomic_write_bytes(path, data)
        took = time.perf_counter() - start
        shutil.rmtree(tmp, ignore_errors=True)
    return took


def run(quick: bool = False, runs: int = 5) -> list[Figure]:
    """Time batches of 2,000 and 10,000 files (200 with ``--quick``)."""
    from ipreader.core import storage

    if storage._syncfs is None:
        print("note: syncfs is unavailable here (not Linux >= 5.8): both paths fsync per file")
    sizes = [200] if quick else [2000, 10_000]
    runs = 1 if quick else runs
    print(f"load average before: {load_average()}", flush=True)
    figures = []
    for count in sizes:
        flush, per_file = timed_batches(count, runs)
        figures.append(
            Figure(
                f"Batch of {count:,} files (~2 KB): one syncfs",
                median(flush),
                baseline=median(per_file),
                baseline_name=f"fsync per file, {storage.BATCH_SYNC_THREADS} threads",
                runs=runs,
                note=f"[{', '.join(f'{t:.2f}' for t in flush)}] vs "
                f"[{', '.join(f'{t:.2f}' for t in per_file)}]",
            )
        )
    if not quick:
        figures.append(Figure("1,000 files, one atomic_write_bytes each", sequential(1000)))
    print_figures("Batch durability", figures, quick, "quick: 200 files")
    print(f"load average after: {load_average()}", flush=True)
    return figures


def main() -> None:
    """Command line: ``--quick``, ``--runs N``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run")
    parser.add_argument("--runs", type=int, default=5, help="batches per size (default 5)")
    args = parser.parse_args()
    run(args.quick, args.runs)


if __name__ == "__main__":
    main()
