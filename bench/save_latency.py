"""Latency of saving one annotation (atomic, fsync) with 1k / 5k / 20k annotations in the folder.

The folder holds 2,000 articles (corpus copies; generated prose without the
corpus) with the annotations spread evenly over them, created through
``FolderStore.save_annotations``. Each save edits the note of a random
existing annotation and calls ``FolderStore.save_annotation`` (lock, re-read,
write the document's file atomically with fsync). The baseline is stock
TinyDB (``JSONStorage``, one file, no fsync, not crash-safe) holding the same
records in one table, saving with ``table.upsert`` by document id.

Per size: 5 runs of 50 saves each (250 saves), alternating store and
baseline run by run; the figure is the p95 over all 250 saves (p50 and the
median of the per-run p95s are in the note).

    .venv/bin/python -m bench.save_latency [--quick] [--scaling]
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from pathlib import Path

from bench.lib.cli import bench_main
from bench.lib.figures import Figure, print_scaling, print_table
from bench.lib.folders import make_annotated_folder
from bench.lib.timing import median, percentile
from bench.lib.workdirs import isolated_data_dir, temp_dir


def measure(folder: Path, runs: int, saves: int) -> tuple[list[list[float]], list[list[float]]]:
    """Per run, the latencies (ms) of ``saves`` saves: (FolderStore, stock TinyDB)."""
    from tinydb import TinyDB
    from tinydb.table import Document

    from ipreader.core.model import utc_now_iso
    from ipreader.core.store import FolderStore

    store = FolderStore.open(folder)
    annotations = [a for items in store.all_annotations().values() for a in items]
    baseline_file = folder.parent / f"{folder.name}-stock-tinydb.json"
    baseline_file.unlink(missing_ok=True)
    stock = TinyDB(baseline_file)
    table = stock.table("annotations")
    table.insert_multiple(a.to_dict() for a in annotations)
    rng = random.Random(7)
    ours: list[list[float]] = []
    theirs: list[list[float]] = []
    for run in range(runs):
        mine: list[float] = []
        base: list[float] = []
        for save in range(saves):
            number = rng.randrange(len(annotations))
            edited = replace(annotations[number], note=f"edit {run}.{save}", updated=utc_now_iso())
            start = time.perf_counter()
            store.save_annotation(edited)
            mine.append((time.perf_counter() - start) * 1000)
            record = edited.to_dict()
            start = time.perf_counter()
            table.upsert(Document(record, doc_id=number + 1))
            base.append((time.perf_counter() - start) * 1000)
        ours.append(mine)
        theirs.append(base)
    stock.close()
    return ours, theirs


def run(quick: bool = False) -> list[Figure]:
    """Measure the save latency at 20,000 annotations (1,000 with ``--quick``)."""
    total = 1000 if quick else 20000
    articles = 200 if quick else 2000
    runs, saves = (1, 20) if quick else (5, 50)
    with isolated_data_dir(), temp_dir("save-") as tmp:
        folder = tmp / "articles"
        make_annotated_folder(folder, articles, total)
        ours, theirs = measure(folder, runs, saves)
    flat = [v for run_ in ours for v in run_]
    flat_base = [v for run_ in theirs for v in run_]
    figure = Figure(
        f"Save one annotation, {total:,} in the folder: p95",
        percentile(flat, 95),
        unit="ms",
        target=None if quick else 20,
        baseline=percentile(flat_base, 95),
        baseline_name="stock TinyDB JSONStorage p95",
        runs=runs * saves,
        note=f"(p50 {percentile(flat, 50):.1f} ms; median of per-run p95 "
        f"{median([percentile(r, 95) for r in ours]):.1f} ms; baseline p50 "
        f"{percentile(flat_base, 50):.1f} ms)",
    )
    print_table("Save latency", [figure])
    return [figure]


def scaling(quick: bool = False) -> None:
    """Print how the save latency grows with the annotations in the folder."""
    sizes = [200, 1000] if quick else [1000, 5000, 20000]
    articles = 200 if quick else 2000
    runs, saves = (1, 20) if quick else (5, 50)
    rows = []
    with isolated_data_dir(), temp_dir("save-scale-") as tmp:
        for total in sizes:
            folder = tmp / f"n{total}"
            make_annotated_folder(folder, articles, total)
            ours, theirs = measure(folder, runs, saves)
            flat = [v for r in ours for v in r]
            base = [v for r in theirs for v in r]
            rows.append(
                [
                    f"{total:,}",
                    f"{percentile(flat, 50):.1f}",
                    f"{percentile(flat, 95):.1f}",
                    f"{percentile(base, 50):.1f}",
                    f"{percentile(base, 95):.1f}",
                ]
            )
    print_scaling(
        f"save latency (annotations in the folder, over {articles} articles)",
        [
            "Annotations",
            "FolderStore p50 (ms)",
            "FolderStore p95 (ms)",
            "stock TinyDB p50 (ms)",
            "stock TinyDB p95 (ms)",
        ],
        rows,
    )


def main() -> None:
    """Command line: ``--quick``, ``--scaling``."""
    bench_main(__doc__, run, scaling)


if __name__ == "__main__":
    main()
