"""A folder of 10,000 articles with 20,000 annotations: app, ``list``, export, import.

The folder holds distinct, edited copies of the BBC corpus (``lib.folders``:
833 articles repeated with a varied line each, so every file has its own
hash) and two annotations per article on average, saved through the store.

* app: start to the first frame whose document list holds every article
  *and* whose reading pane shows the first article's text (headless,
  160x48); **warm** = the metadata cache of an earlier run, **cold** = the
  metadata cache file removed (annotations kept; OS file cache warm in both),
  **first** (``--before`` runs) = cold and no list kept by an earlier open
  either (``tui/last_listing.py``: a folder opened for the first time);
  plus the longest event-loop stall meanwhile (a 10 ms ticker);
* ``ipreader list FOLDER`` as a whole process, warm, against
  ``find FOLDER -type f | xargs wc -l`` in the same run, alternating;
* export: ``ipreader export FOLDER -o FILE`` (JSON) as a whole process, and
  in-process ``Library.open`` + ``render_export`` + atomic write;
* import: ``import_file`` of that export into a fresh copy of the articles
  (copy untimed), in-process.

    .venv/bin/python -m bench.folder_scale [--quick] [--scaling] [--app] [--runs N]

``--app`` measures the app figures only (cold and warm alternating, stalls).

``--last-read`` (with ``--before``) names an article in the middle of the folder
as the one last read, as after a user read it: the app then opens that one first
(a user's reopen), not the first by name.

``--app --before TREE`` compares with another version of the code, in the same
run: ``TREE`` is a copy of it (``git archive main | tar -x -C TREE``). Each app
run is then a fresh process of either version (alternating, ABBA), on its own
copy of the folder (the versions' caches may differ in format), and ``ipreader
list`` of both is timed against ``find | xargs wc -l`` in the same rounds.

``--scaling`` prints the same figures at 1,000, 5,000 and 10,000 articles.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.lib.apps import paint_timed, reader_painted, run_app
from bench.lib.corpus import need_corpus
from bench.lib.figures import Figure, print_figures, print_scaling
from bench.lib.folders import make_annotations, make_articles
from bench.lib.process import load_average
from bench.lib.timing import median, time_runs
from bench.lib.workdirs import isolated_data_dir, temp_dir

#: Annotations per article.
PER_ARTICLE = 2


def ipreader_argv(*args: str) -> list[str]:
    """The ``ipreader`` command line, run with this interpreter."""
    return [sys.executable, "-m", "ipreader", *args]


def build(folder: Path, articles: int, last_read: bool = False) -> None:
    """Fill ``folder`` with ``articles`` articles and ``PER_ARTICLE`` annotations each.

    ``last_read``: the store names the middle article as the one last read, as
    after a user read it (the app then opens it first, not the first by name).
    """
    files = make_articles(folder, articles)
    make_annotations(folder, files, PER_ARTICLE * articles)
    if last_read:
        from ipreader.core.store import FolderStore

        middle = sorted(files)[len(files) // 2]
        FolderStore.open(folder).set_last_document(middle.relative_to(folder).as_posix())


def remove_metadata_cache(folder: Path) -> None:
    """Drop the folder's metadata cache (annotations stay): the next open reads every article."""
    from ipreader.core.library import CACHE_FILENAME

    for cache in folder.glob(f".ipreader/{CACHE_FILENAME}"):
        cache.unlink()


def remove_last_listings() -> None:
    """Drop every list kept by earlier opens (the user cache's ``listings/``)."""
    from ipreader.core import paths

    shutil.rmtree(paths.user_cache_dir() / "listings", ignore_errors=True)


def app_once(folder: Path, count: int, cold: bool) -> tuple[float, float]:
    """One app run: (seconds to the list complete with the first article painted, longest stall)."""
    from ipreader.tui.app import IpreaderApp

    if cold:
        remove_metadata_cache(folder)
    cls = paint_timed(IpreaderApp)

    def painted(app: Any) -> bool:
        listed = app.main_screen.document_list.option_list.row_count >= count
        return bool(listed and reader_painted(app))

    timing = run_app(lambda: cls(paths=[folder]), painted, probe_stalls=True)
    return timing.first_paint or 0.0, timing.max_stall


#: What a child process runs to time one app start (``app_child``): ``app_once``'s
#: measurement, plus the process's CPU time (every thread) from the app's construction
#: to the paint, which a loaded machine inflates far less than the wall time.
_APP_CHILD = """
import json, sys, time
from pathlib import Path
from bench.folder_scale import remove_metadata_cache
from bench.lib.apps import paint_timed, reader_painted, run_app
from ipreader.tui.app import IpreaderApp

folder, count, cold = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "cold"
if cold:
    remove_metadata_cache(folder)
cls = paint_timed(IpreaderApp)
cpu = []

def painted(app):
    listed = app.main_screen.document_list.option_list.row_count >= count
    done = bool(listed and reader_painted(app))
    if done and not cpu:
        cpu.append(time.process_time())
    return done

start = time.process_time()
timing = run_app(lambda: cls(paths=[folder]), painted, probe_stalls=True)
print(json.dumps([timing.first_paint, timing.max_stall, cpu[0] - start]))
"""


def tree_env(tree: Path) -> dict[str, str]:
    """The environment running the code of ``tree`` (first on the import path)."""
    return {**os.environ, "PYTHONPATH": str(tree)}


def app_child(tree: Path, folder: Path, count: int, cold: bool) -> tuple[float, float, float]:
    """``app_once`` in a fresh process running the code of ``tree``: (paint, stall, CPU s)."""
    argv = [sys.executable, "-c", _APP_CHILD, str(folder), str(count), "cold" if cold else "warm"]
    done = subprocess.run(
        argv, cwd=tree, env=tree_env(tree), check=True, capture_output=True, text=True
    )
    paint, stall, cpu = json.loads(done.stdout.strip().splitlines()[-1])
    return float(paint), float(stall), float(cpu)


def timed(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    """Wall seconds of one whole process (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def alternate(first: list[str], second: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall times of ``first`` and ``second`` as whole processes, run in turn (one warm-up each)."""
    times: tuple[list[float], list[float]] = ([], [])
    for number in range(runs + 1):
        for which, argv in enumerate((first, second)):
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if number:  # the first round warms the caches
                times[which].append(time.perf_counter() - start)
    return times


def measure(folder: Path, count: int, runs: int) -> dict[str, list[float]]:
    """Every figure's runs on ``folder`` (``count`` articles)."""
    from ipreader.core.export import render_export
    from ipreader.core.importer import import_file
    from ipreader.core.library import Library
    from ipreader.core.storage import atomic_write_bytes

    result: dict[str, list[float]] = {}
    cold = [app_once(folder, count, cold=True) for _ in range(runs)]
    warm = [app_once(folder, count, cold=False) for _ in range(runs)]
    result["app cold"] = [c[0] for c in cold]
    result["app warm"] = [w[0] for w in warm]
    result["stall"] = [c[1] for c in cold + warm]
    listing = ipreader_argv("list", str(folder))
    baseline = ["sh", "-c", f"find '{folder}' -type f | xargs wc -l"]
    result["list"], result["find wc"] = alternate(listing, baseline, runs)
    out = folder.parent / f"{folder.name}-export.json"
    result["export cli"], result["python"] = alternate(
        ipreader_argv("export", str(folder), "-o", str(out)),
        [sys.executable, "-c", "import tinydb"],
        runs,
    )

    def export() -> None:
        atomic_write_bytes(out, render_export(Library.open([folder]), "json").encode("utf-8"))

    result["export"] = time_runs(export, runs)
    target = folder.parent / f"{folder.name}-import"

    def fresh_copy() -> None:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".ipreader"))

    result["import"] = time_runs(lambda: import_file(out, target), runs, fresh_copy)
    shutil.rmtree(target, ignore_errors=True)
    return result


def figures_of(count: int, runs: int, m: dict[str, list[float]]) -> list[Figure]:
    """The results table rows of one folder size."""
    find_wc = median(m["find wc"])
    return [
        *app_figures(count, runs, m["app cold"], m["app warm"], m["stall"]),
        Figure(
            f"{count:,} articles: `ipreader list`, warm, whole process",
            median(m["list"]) / find_wc,
            unit="x",
            target=1.5,
            runs=runs,
            # "\\|": a bare "|" would end the Markdown table cell.
            note=f"({median(m['list']):.3f} s; `find -type f \\| xargs wc -l` {find_wc:.3f} s)",
        ),
        Figure(
            f"{count:,} articles: export {PER_ARTICLE * count:,} annotations (JSON), in-process",
            median(m["export"]),
            target=1.0,
            runs=runs,
        ),
        Figure(
            f"{count:,} articles: `ipreader export`, whole process",
            median(m["export cli"]),
            baseline=median(m["python"]),
            baseline_name='python -c "import tinydb"',
            runs=runs,
        ),
        Figure(
            f"{count:,} articles: import {PER_ARTICLE * count:,} annotations into a fresh copy",
            median(m["import"]),
            target=2.0,
            runs=runs,
        ),
    ]


def app_figures(
    count: int, runs: int, cold: list[float], warm: list[float], stalls: list[float]
) -> list[Figure]:
    """The app rows of the results table (seconds to the paint; longest stalls)."""
    return [
        Figure(
            f"{count:,} articles: app, list + first article painted, warm",
            median(warm),
            target=0.6,
            runs=runs,
        ),
        Figure(
            f"{count:,} articles: app, list + first article painted, cold (no metadata cache)",
            median(cold),
            target=2.0,
            runs=runs,
        ),
        Figure(
            f"{count:,} articles: longest input stall until then (cold and warm runs)",
            1000 * max(stalls),
            unit="ms",
            target=50,
            runs=2 * runs,
            note=f"(median of the runs' longest {1000 * median(stalls):.0f} ms)",
        ),
    ]


def run_app_only(quick: bool = False, runs: int = 3) -> list[Figure]:
    """The app figures alone at 10,000 articles (200 with ``--quick``), cold and warm in turn."""
    if not need_corpus("the 10,000-article folder"):
        return []
    count = 200 if quick else 10_000
    runs = 1 if quick else runs
    print(f"load average before: {load_average()}", flush=True)
    with isolated_data_dir(), temp_dir("folder-") as tmp:
        folder = tmp / "articles"
        build(folder, count)
        app_once(folder, count, cold=False)  # a warm-up: the OS file cache, the .pyc files
        cold: list[tuple[float, float]] = []
        warm: list[tuple[float, float]] = []
        for _ in range(runs):
            cold.append(app_once(folder, count, cold=True))
            warm.append(app_once(folder, count, cold=False))
        stalls = [run[1] for run in cold + warm]
        figures = app_figures(count, runs, [c[0] for c in cold], [w[0] for w in warm], stalls)
    print_figures(f"{count:,}-article folder, app", figures, quick, "quick: 200 articles")
    print(f"load average after: {load_average()}", flush=True)
    return figures


def run_app_against(
    before: Path, quick: bool = False, runs: int = 3, last_read: bool = False
) -> None:
    """The app figures and ``list`` of this checkout and of ``before``, interleaved (ABBA).

    ``last_read``: the folder has an article read before (``build``).
    """
    if not need_corpus("the 10,000-article folder"):
        return
    count = 200 if quick else 10_000
    runs = 1 if quick else runs
    here = Path(__file__).resolve().parent.parent
    trees = {"before": before.resolve(), "after": here}
    from ipreader.core.paths import CACHE_DIR_ENV

    # The user cache inside the isolated data directory: "first" runs empty its listings.
    os.environ.pop(CACHE_DIR_ENV, None)
    print(f"load average before: {load_average()}", flush=True)
    with isolated_data_dir(), temp_dir("folder-") as tmp:
        build(tmp / "after", count, last_read)
        shutil.copytree(tmp / "after", tmp / "before", symlinks=True)
        results: dict[str, list[float]] = {}
        for number in range(runs + 1):  # round 0 warms up (OS cache, .pyc, caches)
            order = list(trees) if number % 2 else list(reversed(trees))
            for name in order:
                folder, tree = tmp / name, trees[name]
                for mode in ("first", "cold", "warm"):
                    if mode == "first":
                        remove_last_listings()
                    paint, stall, cpu = app_child(tree, folder, count, mode != "warm")
                    if number:
                        results.setdefault(f"{name} {mode}", []).append(paint)
                        results.setdefault(f"{name} {mode} cpu", []).append(cpu)
                        results.setdefault(f"{name} stall", []).append(stall)
                listing = [sys.executable, "-m", "ipreader", "list", str(folder)]
                seconds = timed(listing, tree, tree_env(tree))
                find_wc = timed(["sh", "-c", f"find '{folder}' -type f | xargs wc -l"])
                if number:
                    results.setdefault(f"{name} list", []).append(seconds)
                    results.setdefault(f"{name} find wc", []).append(find_wc)
            print(f"round {number}: load {load_average()}", flush=True)
    print(f"\n### {count:,}-article folder, this checkout against {before} (same run)\n")
    print("| What | Target | before | after | after/before | runs |")
    print("|---|---|---|---|---|---|")
    for what, key, target in (
        ("app, list + first article painted, warm", "warm", "<= 0.6 s"),
        ("app, list + first article painted, cold", "cold", "<= 2 s"),
        ("the same, a first open (cold, no list kept)", "first", "—"),
        ("the same, process CPU to the paint, warm", "warm cpu", "—"),
        ("the same, process CPU to the paint, cold", "cold cpu", "—"),
        ("the same, process CPU to the paint, first open", "first cpu", "—"),
    ):
        b, a = median(results[f"before {key}"]), median(results[f"after {key}"])
        print(f"| {what} (s) | {target} | {b:.3f} | {a:.3f} | {a / b:.2f} | {runs} |")
    b, a = max(results["before stall"]), max(results["after stall"])
    print(
        f"| longest input stall, first, cold and warm (ms) | <= 50 | {1000 * b:.0f} "
        f"| {1000 * a:.0f} | {a / b:.2f} | {3 * runs} |"
    )
    # The two folders are copies: every find run of the round is the same baseline.
    find_wc = median(results["before find wc"] + results["after find wc"])
    b, a = (median(results[f"{name} list"]) / find_wc for name in trees)
    print(
        f"| `ipreader list` / `find \\| xargs wc -l` (x) | <= 1.5 | {b:.2f} | {a:.2f} "
        f"| {a / b:.2f} | {runs} |"
    )
    for key, values in sorted(results.items()):
        print(f"  {key}: {', '.join(f'{v:.3f}' for v in values)}")
    print(f"load average after: {load_average()}", flush=True)


def run(quick: bool = False, runs: int = 3) -> list[Figure]:
    """Measure every figure at 10,000 articles (200 with ``--quick``, one run)."""
    if not need_corpus("the 10,000-article folder"):
        return []
    count = 200 if quick else 10_000
    runs = 1 if quick else runs
    print(f"load average before: {load_average()}", flush=True)
    with isolated_data_dir(), temp_dir("folder-") as tmp:
        folder = tmp / "articles"
        build(folder, count)
        figures = figures_of(count, runs, measure(folder, count, runs))
    print_figures(f"{count:,}-article folder", figures, quick, "quick: 200 articles")
    print(f"load average after: {load_average()}", flush=True)
    return figures


def scaling(quick: bool = False, runs: int = 3) -> None:
    """Print how every figure grows with the number of articles."""
    if not need_corpus("the folder scaling"):
        return
    counts = [50, 100] if quick else [1000, 5000, 10_000]
    runs = 1 if quick else runs
    rows = []
    print(f"load average before: {load_average()}", flush=True)
    with isolated_data_dir(), temp_dir("folder-scale-") as tmp:
        for count in counts:
            folder = tmp / f"a{count}"
            build(folder, count)
            m = measure(folder, count, runs)
            shutil.rmtree(folder)
            rows.append(
                [
                    f"{count:,}",
                    f"{median(m['app warm']):.3f}",
                    f"{median(m['app cold']):.3f}",
                    f"{1000 * max(m['stall']):.0f}",
                    f"{median(m['list']):.3f}",
                    f"{median(m['find wc']):.3f}",
                    f"{median(m['export']):.3f}",
                    f"{median(m['export cli']):.3f}",
                    f"{median(m['import']):.3f}",
                ]
            )
            print(f"{count}: {rows[-1]} (load {load_average()})", flush=True)
    print_scaling(
        f"articles in the folder ({PER_ARTICLE} annotations each), median of {runs} runs",
        [
            "Articles",
            "App warm (s)",
            "App cold (s)",
            "Longest stall (ms)",
            "`list` (s)",
            "find \\| xargs wc -l (s)",
            "Export in-process (s)",
            "`export` process (s)",
            "Import (s)",
        ],
        rows,
    )


def main() -> None:
    """Command line: ``--quick``, ``--scaling``, ``--app``, ``--runs N``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run, for CI")
    parser.add_argument("--scaling", action="store_true", help="1k / 5k / 10k articles")
    parser.add_argument("--app", action="store_true", help="the app figures only")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument(
        "--before", type=Path, help="with --app: a copy of the code to compare with (same run)"
    )
    parser.add_argument(
        "--last-read",
        action="store_true",
        help="with --before: the folder has an article read before (a user's reopen)",
    )
    args = parser.parse_args()
    if args.app and args.before is not None:
        run_app_against(args.before, args.quick, args.runs, args.last_read)
    elif args.app:
        run_app_only(args.quick, args.runs)
    elif args.scaling:
        scaling(args.quick, args.runs)
    else:
        run(args.quick, args.runs)


if __name__ == "__main__":
    main()
