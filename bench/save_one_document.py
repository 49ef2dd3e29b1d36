"""Latency of saving one annotation with 1k / 10k / 50k annotations all in one document.

The folder holds one article with every annotation on it (created through
``FolderStore.save_annotations``, so a big document is split into bucket
files, ``core/store/buckets.py``). Each save edits the note of a random
existing annotation and calls ``FolderStore.save_annotation`` (lock, re-read
the bucket, write it atomically with fsync). Two baselines in the same run,
interleaved save by save:

* **one file**: the same store with the split threshold raised out of reach,
  so the document stays one file (the layout before buckets; with this
  version's sorted one-record-per-line encoding);
* **stock TinyDB**: ``TinyDB(JSONStorage)``, the same records in one table,
  ``table.upsert(Document(..., doc_id))`` (no fsync, not crash-safe).

The baselines rewrite the whole document on every save (seconds at 50k), so
they are timed on every fourth save at 10k and every tenth at 50k. Before each
timed save ``os.sync()`` runs untimed, so no save's fsync pays for another's
dirty pages (stock TinyDB does not fsync: its 25 MB would land in ours).

    .venv/bin/python -m bench.save_one_document [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from bench.lib.figures import print_scaling
from bench.lib.folders import make_annotations, make_articles
from bench.lib.timing import median, percentile
from bench.lib.workdirs import isolated_data_dir, temp_dir


@contextmanager
def one_file_per_document() -> Iterator[None]:
    """Raise the bucket split threshold out of reach (the layout before buckets)."""
    from ipreader.core.store import catalog

    saved = catalog.BUCKET_MAX
    catalog.BUCKET_MAX = 10**9
    try:
        yield
    finally:
        catalog.BUCKET_MAX = saved


def build(folder: Path, total: int, *, one_file: bool) -> None:
    """One article holding ``total`` annotations."""
    files = make_articles(folder, 1)
    if one_file:
        with one_file_per_document():
            make_annotations(folder, files, total)
    else:
        make_annotations(folder, files, total)


def measure(
    folders: tuple[Path, Path], runs: int, saves: int, every: int
) -> dict[str, list[list[float]]]:
    """Per run, the save latencies (ms) of the bucket store and both baselines."""
    from tinydb import TinyDB
    from tinydb.table import Document

    from ipreader.core.model import utc_now_iso
    from ipreader.core.store import FolderStore

    buckets, single = folders
    store = FolderStore.open(buckets)
    one_file = FolderStore.open(single)
    annotations = [a for items in store.all_annotations().values() for a in items]
    single_annotations = [a for items in one_file.all_annotations().values() for a in items]
    stock_path = buckets.parent / f"{buckets.name}-stock-tinydb.json"
    stock = TinyDB(stock_path)
    table = stock.table("annotations")
    table.insert_multiple(a.to_dict() for a in annotations)
    rng = random.Random(7)
    times: dict[str, list[list[float]]] = {"buckets": [], "one file": [], "stock TinyDB": []}
    for run in range(runs):
        current: dict[str, list[float]] = {name: [] for name in times}
        for save in range(saves):
            number = rng.randrange(len(annotations))
            note = f"edit {run}.{save}"
            edited = replace(annotations[number], note=note, updated=utc_now_iso())
            os.sync()  # untimed: nobody's dirty pages (a baseline's 25 MB) in the next fsync
            start = time.perf_counter()
            store.save_annotation(edited)
            current["buckets"].append((time.perf_counter() - start) * 1000)
            if save % every:
                continue
            other = replace(single_annotations[number], note=note, updated=utc_now_iso())
            os.sync()
            with one_file_per_document():
                start = time.perf_counter()
                one_file.save_annotation(other)
                current["one file"].append((time.perf_counter() - start) * 1000)
            os.sync()
            start = time.perf_counter()
            table.upsert(Document(edited.to_dict(), doc_id=number + 1))
            current["stock TinyDB"].append((time.perf_counter() - start) * 1000)
        for name, values in current.items():
            times[name].append(values)
    stock.close()
    return times


def scaling(quick: bool = False, runs: int = 5, sizes: list[int] | None = None) -> None:
    """Print the table: save p50 / p95 per size, the bucket store against both baselines."""
    sizes = sizes or ([200, 1000] if quick else [1000, 10000, 50000])
    runs, saves = (1, 20) if quick else (runs, 40)
    rows = []
    with isolated_data_dir(), temp_dir("save-one-") as tmp:
        for total in sizes:
            pair = (tmp / f"buckets{total}", tmp / f"single{total}")
            build(pair[0], total, one_file=False)
            build(pair[1], total, one_file=True)
            files = len(list((pair[0] / ".ipreader" / "annotations").rglob("*.json")))
            times = measure(pair, runs, saves, 1 if total < 10000 else 4 if total < 50000 else 10)
            row = [f"{total:,}", str(files)]
            for name in ("buckets", "one file", "stock TinyDB"):
                flat = [v for r in times[name] for v in r]
                per_run = median([percentile(r, 95) for r in times[name]])
                row.append(
                    f"{percentile(flat, 50):.1f} / {percentile(flat, 95):.1f} "
                    f"({per_run:.1f}; n={len(flat)})"
                )
            rows.append(row)
    print_scaling(
        "save one annotation, all in one document: p50 / p95 ms "
        "(median of per-run p95; saves timed)",
        ["Annotations", "Files", "FolderStore, buckets", "one file per document", "stock TinyDB"],
        rows,
    )


def main() -> None:
    """Command line: ``--quick`` (200 / 1,000), ``--runs N`` (x 40 saves), ``--sizes N...``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*")
    args = parser.parse_args()
    scaling(args.quick, args.runs, args.sizes)


if __name__ == "__main__":
    main()
