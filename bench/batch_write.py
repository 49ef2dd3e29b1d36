"""Durability of a batch of atomic writes: an fsync per file in threads, or one ``syncfs``.

``storage.atomic_write_many`` (what an import or a re-anchoring of many
documents writes through) writes and fsyncs each temp file in
``BATCH_SYNC_THREADS`` threads, then renames each and fsyncs each directory
once. The alternative measured here (not in the library: it was no faster on
the shared bench machine, see bench/RESULTS.md) writes every temp file
unsynced, in the same threads, makes them durable with one ``syncfs`` of the
file system, then renames them. Both run on the same batch of ~2 KB files
(the size of one document's annotation file), alternating, in one process,
plus a sequential ``atomic_write_bytes`` per file for 1,000 files (the naive
baseline).

    .venv/bin/python -m bench.batch_write [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.lib.figures import Figure, print_figures
from bench.lib.process import load_average
from bench.lib.timing import median
from bench.lib.workdirs import temp_dir


def _batch(folder: Path, count: int, round_: int) -> list[tuple[Path, bytes]]:
    data = b'{"annotations":{' + b"x" * 2000 + b"}}"
    return [(folder / f"doc{n:05d}.json", data + b"%d" % round_) for n in range(count)]


def syncfs_batch(files: list[tuple[Path, bytes]]) -> None:
    """The alternative: unsynced temp files (threads), one ``syncfs``, renames, a dir fsync."""
    from ipreader.core.storage import BATCH_SYNC_THREADS

    syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    directory = files[0][0].parent
    dir_fd = os.open(directory, os.O_RDONLY)  # before the writes: syncfs reports their errors

    def write(item: tuple[Path, bytes]) -> Path:
        temp = item[0].with_name(f".tmp-{item[0].name}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            os.write(fd, item[1])
        finally:
            os.close(fd)
        return temp

    try:
        with ThreadPoolExecutor(BATCH_SYNC_THREADS) as pool:
            temps = list(pool.map(write, files))
        if syncfs(dir_fd) != 0:
            raise OSError(ctypes.get_errno(), "syncfs failed")
        for temp, (path, _data) in zip(temps, files, strict=True):
            os.replace(temp, path)
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def timed_batches(count: int, runs: int) -> tuple[list[float], list[float]]:
    """(``atomic_write_many`` times, ``syncfs_batch`` times), ``runs`` batches of ``count``."""
    from ipreader.core.storage import atomic_write_many

    library: list[float] = []
    one_flush: list[float] = []
    with temp_dir("batch-") as tmp:
        for round_ in range(runs):
            for name, write, times in (
                ("fsync", atomic_write_many, library),
                ("syncfs", syncfs_batch, one_flush),
            ):
                folder = tmp / name
                folder.mkdir(exist_ok=True)
                start = time.perf_counter()
                write(_batch(folder, count, round_))
                times.append(time.perf_counter() - start)
    return library, one_flush


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
    from ipreader.core.storage import BATCH_SYNC_THREADS

    sizes = [200] if quick else [2000, 10_000]
    runs = 1 if quick else runs
    print(f"load average before: {load_average()}", flush=True)
    figures = []
    for count in sizes:
        library, one_flush = timed_batches(count, runs)
        figures.append(
            Figure(
                f"Batch of {count:,} files (~2 KB): atomic_write_many "
                f"(fsync per file, {BATCH_SYNC_THREADS} threads)",
                median(library),
                baseline=median(one_flush),
                baseline_name="one syncfs",
                runs=runs,
                note=f"[{', '.join(f'{t:.2f}' for t in library)}] vs "
                f"[{', '.join(f'{t:.2f}' for t in one_flush)}]",
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
