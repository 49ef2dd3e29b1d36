"""Run every benchmark and print one results table (Markdown), plus a JSON dump in bench/out/.

    .venv/bin/python bench/run_all.py            # full sizes, medians of >= 5 runs (~30 min)
    .venv/bin/python bench/run_all.py --quick    # each once at a small size (CI; < 2 min)
    .venv/bin/python bench/run_all.py --only startup listing --scaling

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# bench/ is put on the path first so the sibling scripts import as modules.
import cli_export
import common
import corpus_find
import export_import
import listing
import open_document
import save_latency
import scaling
import startup

BENCHES: dict[str, Callable[[bool], list[common.Figure]]] = {
    "startup": startup.run,
    "open": open_document.run,
    "listing": listing.run,
    "save": save_latency.run,
    "export": export_import.run,
    "find": corpus_find.run,
    "cli": cli_export.run,
}

#: Scripts of other engineers, with the arguments of a full run.
OTHERS: dict[str, list[str]] = {
    "reading_pane.py": [],
    "stress_store.py": [],
    "anchoring_accuracy.py": [],
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
        f"Textual {version('textual')}, load average at start {common.load_average()}"
    )


def run_others() -> None:
    """Run the other engineers' bench scripts that exist; report, never fail."""
    for script, args in OTHERS.items():
        path = common.BENCH_DIR / script
        if not path.exists():
            print(f"note: {script} not present; skipped")
            continue
        print(f"\n### {script} (owned by another engineer)\n", flush=True)
        done = subprocess.run([common.python_exe(), str(path), *args], check=False)
        if done.returncode:
            print(f"note: {script} exited with {done.returncode}")


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
    figures: list[common.Figure] = []
    failed: list[str] = []
    for name, bench in BENCHES.items():
        if args.only and name not in args.only:
            continue
        try:
            figures.extend(bench(args.quick))
        except Exception as error:  # report and carry on: one broken bench hides no other
            failed.append(name)
            print(f"\nerror: benchmark {name} failed: {error!r}", flush=True)
    common.print_table("All figures", figures)
    if args.scaling:
        scaling.run(args.quick)
    if args.others and not args.quick:
        run_others()
    common.OUT_DIR.mkdir(exist_ok=True)
    dump = common.OUT_DIR / ("results-quick.json" if args.quick else "results.json")
    dump.write_text(json.dumps([asdict(f) for f in figures], indent=1, default=str))
    print(
        f"\nload average at end {common.load_average()}; "
        f"{time.perf_counter() - started:.0f} s in all; JSON in {dump}"
    )
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
