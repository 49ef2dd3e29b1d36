"""Durability of a batch of atomic writes: one ``syncfs``, or an fsync per file in threads.

``storage.atomic_write_many`` (what an import or a re-anchoring of many
documents writes through) makes a batch of ``SYNCFS_MIN_FILES`` or more
durable with one ``syncfs`` where ``batch_sync`` allows it (temp files written
unsynced in one thread, one flush, renames, a directory fsync); the other way,
kept for small batches and other file systems, writes and fsyncs each temp
file in ``BATCH_SYNC_THREADS`` threads. Both are the library's own code (the
threshold raised for the second), on the same batch of ~2 KB files (the size
of one document's annotation file), alternating, in one process, plus a
sequential ``atomic_write_bytes`` per file for 1,000 files (the naive baseline).

    .venv/bin/python -m bench.batch_write [--quick] [--runs N] [--sizes N ...]
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


def fsync_each(files: list[tuple[Path, bytes]]) -> None:
    """The batch with an fsync per temp file (the path of small batches)."""
    from ipreader.core import storage

    threshold = storage.SYNCFS_MIN_FILES
    storage.SYNCFS_MIN_FILES = len(files) + 1
    try:
        storage.atomic_write_many(files)
    finally:
        storage.SYNCFS_MIN_FILES = threshold


def timed_batches(count: int, runs: int) -> tuple[list[float], list[float]]:
    """(one-flush times, fsync-per-file times), ``runs`` batches of ``count`` each."""
    from ipreader.core.storage import atomic_write_many

    one_flush: list[float] = []
    per_file: list[float] = []
    with temp_dir("batch-") as tmp:
        for round_ in range(runs):
            for name, write, times in (
                ("syncfs", atomic_write_many, one_flush),
                ("fsync", fsync_each, per_file),
            ):
                folder = tmp / name
                folder.mkdir(exist_ok=True)
                start = time.perf_counter()
                write(_batch(folder, count, round_))
                times.append(time.perf_counter() - start)
    return one_flush, per_file


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


def run(quick: bool = False, runs: int = 5, sizes: list[int] | None = None) -> list[Figure]:
    """Time batches of ``sizes`` files (2,000 and 10,000; 200 with ``--quick``)."""
    from ipreader.core.batch_sync import open_sync
    from ipreader.core.storage import BATCH_SYNC_THREADS

    naive = not quick and not sizes  # the sequential baseline with the default sizes only
    sizes = [200] if quick else sizes or [2000, 10_000]
    runs = 1 if quick else runs
    print(f"load average before: {load_average()}", flush=True)
    with temp_dir("batch-probe-") as probe:
        flush = open_sync(probe)
    if flush is None:
        print("no syncfs here: both ways fsync each file")
    else:
        flush.close()
    figures = []
    for count in sizes:
        one_flush, per_file = timed_batches(count, runs)
        figures.append(
            Figure(
                f"Batch of {count:,} files (~2 KB): atomic_write_many, one syncfs",
                median(one_flush),
                baseline=median(per_file),
                baseline_name=f"fsync per file, {BATCH_SYNC_THREADS} threads",
                runs=runs,
                note=f"[{', '.join(f'{t:.2f}' for t in one_flush)}] vs "
                f"[{', '.join(f'{t:.2f}' for t in per_file)}]",
            )
        )
    if naive:
        figures.append(Figure("1,000 files, one atomic_write_bytes each", sequential(1000)))
    print_figures("Batch durability", figures, quick, "quick: 200 files")
    print(f"load average after: {load_average()}", flush=True)
    return figures


def main() -> None:
    """Command line: ``--quick``, ``--runs N``, ``--sizes N ...``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run")
    parser.add_argument("--runs", type=int, default=5, help="batches per size (default 5)")
    parser.add_argument("--sizes", type=int, nargs="*", help="batch sizes (default 2000 10000)")
    args = parser.parse_args()
    run(args.quick, args.runs, args.sizes)


if __name__ == "__main__":
    main()
