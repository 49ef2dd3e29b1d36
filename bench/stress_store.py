"""Stress and latency figures for the FolderStore (full counts; the tests run reduced ones).

    .venv/bin/python -m bench.stress_store            # 1,000 kills, 4 x 500 writers, 1k/5k/20k
    .venv/bin/python -m bench.stress_store --kills 100 --ops 100 --sizes 1000
    .venv/bin/python -m bench.stress_store --kills 0 --sizes   # only the 4 x 500 writers
    .venv/bin/python -m bench.stress_store --bucket-max 4 --sizes   # the same over bucket files

Prints: SIGKILL rounds survived (acknowledged writes kept), concurrent writers
(nothing lost; by default one of them runs ``ipreader import`` for each of its
operations, the others the TUI's core calls), and save latency p50/p95 with
1k/5k/20k annotations in the folder, against stock TinyDB ``JSONStorage`` (one
file, no fsync) in the same run. Run from the repository root: the kill and
writer rounds are those of ``tests/reliability`` (imported as ``tests.reliability``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from tests.reliability.test_concurrent_writers import run_writers
from tests.reliability.test_kill import kill_rounds

TEXT = "Quis autem vel eum iure reprehenderit qui in ea voluptate velit esse quam. " * 40
PER_DOCUMENT = 100  # annotations per document in the latency folders


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def make_annotations(count: int, rng: random.Random) -> list[Annotation]:
    notes = []
    for i in range(count):
        start = rng.randrange(0, len(TEXT) - 40)
        relpath = f"doc{i // PER_DOCUMENT:04d}.txt"
        notes.append(
            Annotation.create(TEXT, start, start + 30, relpath, note=f"note {i}", tags=["t"])
        )
    return notes


def latency_ipreader(
    base: Path, notes: list[Annotation], saves: int, rng: random.Random
) -> dict[str, float]:
    root = base / f"ipreader-{len(notes)}"
    root.mkdir()
    store = FolderStore.open(root)
    store.save_annotations(notes)  # one write per document
    times = []
    for _ in range(saves):
        target = rng.choice(notes).edited(note=f"edited {rng.random()}")
        started = time.perf_counter()
        store.save_annotation(target)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    fresh = FolderStore.open(root)
    loaded = sum(len(v) for v in fresh.all_annotations().values())
    cold = time.perf_counter() - started
    assert loaded == len(notes)
    time.sleep(2.1)  # past the racy window, so the read cache may be used
    fresh.all_annotations()
    started = time.perf_counter()
    fresh.all_annotations()
    warm = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(100):
        fresh.change_token()
    token = (time.perf_counter() - started) / 100
    return {
        "p50": statistics.median(times) * 1000,
        "p95": percentile(times, 0.95) * 1000,
        "open_all_cold": cold * 1000,
        "all_warm": warm * 1000,
        "change_token": token * 1000,
    }


def latency_stock(
    base: Path, notes: list[Annotation], saves: int, rng: random.Random
) -> dict[str, float]:
    path = base / f"stock-{len(notes)}.json"
    db = TinyDB(path, storage=JSONStorage)
    table = db.table("annotations")
    ids = table.insert_multiple(a.to_dict() for a in notes)
    times = []
    for _ in range(saves):
        doc_id = rng.choice(ids)
        started = time.perf_counter()
        table.update({"note": f"edited {rng.random()}"}, doc_ids=[doc_id])
        times.append(time.perf_counter() - started)
    db.close()
    return {"p50": statistics.median(times) * 1000, "p95": percentile(times, 0.95) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument(
        "--importers", type=int, default=1, help="writers that run `ipreader import` (default 1)"
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument(
        "--bucket-max",
        type=int,
        default=0,
        help="split documents at this many records a bucket (e.g. 4: the kills and writers "
        "then land in splits and re-shards; forked children inherit it)",
    )
    args = parser.parse_args()
    if args.bucket_max:
        from ipreader.core.store import buckets, catalog

        catalog.BUCKET_MAX = args.bucket_max
        buckets.BUCKET_TARGET = max(1, args.bucket_max // 2)
        print(f"documents split at {args.bucket_max} records a bucket")
    rng = random.Random(2024)
    with tempfile.TemporaryDirectory(prefix="ipreader-bench-") as tmp:
        base = Path(tmp)
        os.environ["IPREADER_DATA_DIR"] = str(base / "userdata")
        print(f"machine: {os.cpu_count()} cpus, python {sys.version.split()[0]}, dir {base}")

        if args.kills:
            root = base / "kill"
            root.mkdir()
            started = time.perf_counter()
            stats = kill_rounds(root, args.kills, seed=1)
            print(
                f"SIGKILL: {stats.rounds} rounds in {time.perf_counter() - started:.1f} s, "
                f"{stats.acked} acknowledged writes all present; in-flight write applied "
                f"{stats.in_flight_applied}x / absent {stats.in_flight_missing}x; "
                f"0 corrupt opens"
            )

        if args.ops:
            root = base / "writers"
            root.mkdir()
            wstats = run_writers(root, args.writers, args.ops, importers=args.importers)
            print(
                f"writers: {wstats.writers} x {args.ops} ops ({args.importers} writer(s) "
                f"running `ipreader import`: {wstats.imports} imports, {wstats.imported} "
                f"annotations acknowledged added/updated) in {wstats.seconds:.1f} s "
                f"({wstats.operations / wstats.seconds:.0f} ops/s), {wstats.annotations} "
                f"annotations at the end, 0 lost, 0 duplicates, {wstats.reads} full "
                f"concurrent reads all parsed"
            )

        for size in args.sizes:
            notes = make_annotations(size, rng)
            mine = latency_ipreader(base, notes, args.saves, rng)
            stock = latency_stock(base, notes, args.saves, rng)
            print(
                f"save latency, {size:>6} annotations ({size // PER_DOCUMENT} docs): "
                f"ipreader p50 {mine['p50']:.2f} ms p95 {mine['p95']:.2f} ms | "
                f"stock JSONStorage (no fsync) p50 {stock['p50']:.2f} ms "
                f"p95 {stock['p95']:.2f} ms | open+all_annotations {mine['open_all_cold']:.0f} ms, "
                f"all_annotations cached {mine['all_warm']:.1f} ms, "
                f"change_token {mine['change_token'] * 1000:.0f} us"
            )


if __name__ == "__main__":
    main()
