"""Run every benchmark and print one results table (Markdown), plus a JSON dump in bench/out/.

    .venv/bin/python -m bench.run_all            # full sizes, medians of >= 5 runs (~30 min)
    .venv/bin/python -m bench.run_all --quick    # each once at a small size (CI; < 2 min)
    .venv/bin/python -m bench.run_all --only startup listing --scaling

(from the repository root, where the ``bench`` package is importable).

Without the BBC corpus (``../shared/corpus/bbc``, or IPREADER_BENCH_CORPUS)
the corpus-based figures (listing, find) are skipped with a note. The scripts
owned by other engineers (reading_pane.py, stress_store.py, anchoring
accuracy) run too in the full mode when present; their failures are reported
but do not fail this run. Targets missed never fail the run either: this is
a measurement, the report says what missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date

from bench import (
    cli_export,
    corpus_find,
    export_import,
    folder_scale,
    listing,
    open_document,
    save_latency,
    scaling,
    startup,
)
from bench.lib.figures import Figure, print_table
from bench.lib.paths import BENCH_DIR, OUT_DIR, REPO
from bench.lib.process import bench_argv, load_average

BENCHES: dict[str, Callable[[bool], list[Figure]]] = {
    "startup": startup.run,
    "open": open_document.run,
    "listing": listing.run,
    "save": save_latency.run,
    "export": export_import.run,
    "find": corpus_find.run,
    "cli": cli_export.run,
    "folder": folder_scale.run,
}

#: Scripts of other engineers (modules of ``bench``), with the arguments of a full run.
OTHERS: dict[str, list[str]] = {
    "reading_pane": [],
    "stress_store": [],
    "anchoring_accuracy": [],
}


def machine() -> str:
    """One line describing the machine and the software measured."""
    from importlib.metadata import version

    model = "unknown CPU"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
        f"Textual {version('textual')}, load average at start {load_average()}"
    )


def run_others() -> None:
    """Run the other engineers' bench scripts that exist; report, never fail."""
    for name, args in OTHERS.items():
        if not (BENCH_DIR / f"{name}.py").exists():
            print(f"note: bench/{name}.py not present; skipped")
            continue
        print(f"\n### bench/{name}.py (owned by another engineer)\n", flush=True)
        done = subprocess.run(bench_argv(f"bench.{name}", *args), check=False, cwd=REPO)
        if done.returncode:
            print(f"note: bench/{name}.py exited with {done.returncode}")


def main() -> int:
    """Run the selected benchmarks; exit 0 unless a benchmark crashed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each once at a small size")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    parser.add_argument("--scaling", action="store_true", help="also print the scaling tables")
    parser.add_argument("--others", action="store_true", help="also run others' scripts")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"# ipreader benchmarks, {date.today().isoformat()}")
    print(f"\n{machine()}\n")
    figures: list[Figure] = []
    failed: list[str] = []
    for name, bench in BENCHES.items():
        if args.only and name not in args.only:
            continue
        try:
            figures.extend(bench(args.quick))
        except Exception as error:  # report and carry on: one broken bench hides no other
            failed.append(name)
            print(f"\nerror: benchmark {name} failed: {error!r}", flush=True)
    print_table("All figures", figures)
    if args.scaling:
        scaling.run(args.quick)
    if args.others and not args.quick:
        run_others()
    OUT_DIR.mkdir(exist_ok=True)
    dump = OUT_DIR / ("results-quick.json" if args.quick else "results.json")
    dump.write_text(json.dumps([asdict(f) for f in figures], indent=1, default=str))
    print(
        f"\nload average at end {load_average()}; "
        f"{time.perf_counter() - started:.0f} s in all; JSON in {dump}"
    )
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
