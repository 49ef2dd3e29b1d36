"""Listing a folder of 2,000 articles: first paint, complete list cold and warm.

The folder is the BBC corpus (833 articles) copied with varied names and one
varied line each (so every file has its own hash) into a temp folder.

* first paint: the app's first frame (the three panes, the list showing its
  "Opening… n/N" progress header);
* complete, cold: the first frame whose document list holds all N articles,
  with no ``.ipreader`` folder (no metadata cache: every article is read,
  decoded, hashed); the OS file cache is warm (the files were just written);
* complete, warm: the same with the metadata cache of the previous run.

The core alone (``Library.open``, no TUI) is timed too, for the diagnosis.

    .venv/bin/python -m bench.listing [--quick] [--scaling]
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bench.lib.apps import paint_timed, run_app
from bench.lib.cli import bench_main
from bench.lib.corpus import need_corpus
from bench.lib.figures import Figure, print_figures, print_scaling
from bench.lib.folders import make_articles
from bench.lib.timing import median, time_runs
from bench.lib.workdirs import isolated_data_dir, temp_dir


def list_once(folder: Path, count: int, cold: bool) -> tuple[float, float]:
    """One app run on ``folder``: (first paint, complete list) in seconds."""
    from ipreader.tui.app import IpreaderApp

    if cold:
        shutil.rmtree(folder / ".ipreader", ignore_errors=True)
    cls = paint_timed(IpreaderApp)
    marks: dict[str, float] = {}

    def make() -> Any:
        app = cls(paths=[folder])
        app.mark_conditions = {
            "complete": lambda app: app.main_screen.document_list.option_list.row_count == count
        }
        return app

    async def wait_complete(app: Any, pilot: Any, timing: Any, readies: list[float]) -> None:
        import asyncio

        while "complete" not in app.marks:
            await asyncio.sleep(0.002)
        marks.update(app.marks)

    start_box: list[float] = []

    def make_timed() -> Any:
        import time

        start_box.append(time.perf_counter())
        return make()

    timing = run_app(make_timed, None, size=(160, 48), then=wait_complete)
    return timing.first_paint or 0.0, marks["complete"] - start_box[0]


def library_open(folder: Path, cold: bool, runs: int) -> list[float]:
    """Time the core's ``Library.open`` alone (cold: the cache removed before each run)."""
    from ipreader.core.library import Library

    def setup() -> None:
        if cold:
            shutil.rmtree(folder / ".ipreader", ignore_errors=True)

    return time_runs(lambda: Library.open([folder]), runs, setup)


def run(quick: bool = False) -> list[Figure]:
    """Measure the listing figures at 2,000 articles (200 with ``--quick``)."""
    if not need_corpus("the listing figures"):
        return []
    count = 200 if quick else 2000
    runs = 1 if quick else 5
    with isolated_data_dir(), temp_dir("list-") as tmp:
        folder = tmp / "articles"
        make_articles(folder, count)
        cold = [list_once(folder, count, cold=True) for _ in range(runs)]
        warm = [list_once(folder, count, cold=False) for _ in range(runs)]
        core_cold = median(library_open(folder, True, runs))
        core_warm = median(library_open(folder, False, runs))
    figures = [
        Figure(
            f"List {count} articles: first paint",
            median([c[0] for c in cold + warm]),
            target=0.5,
            runs=2 * runs,
        ),
        Figure(
            f"List {count} articles: complete, cold (no metadata cache)",
            median([c[1] for c in cold]),
            target=2.0,
            runs=runs,
            note=f"(core Library.open {core_cold:.3f} s)",
        ),
        Figure(
            f"List {count} articles: complete, warm (metadata cache)",
            median([c[1] for c in warm]),
            target=0.3,
            runs=runs,
            note=f"(core Library.open {core_warm:.3f} s)",
        ),
    ]
    print_figures("Listing", figures, quick, "quick: 200 articles")
    return figures


def scaling(quick: bool = False) -> None:
    """Print how the listing grows with the number of articles."""
    if not need_corpus("the listing scaling"):
        return
    counts = [50, 100] if quick else [100, 1000, 5000]
    runs = 1 if quick else 3
    rows = []
    with isolated_data_dir(), temp_dir("list-scale-") as tmp:
        for count in counts:
            folder = tmp / f"a{count}"
            make_articles(folder, count)
            cold = [list_once(folder, count, cold=True) for _ in range(runs)]
            warm = [list_once(folder, count, cold=False) for _ in range(runs)]
            rows.append(
                [
                    str(count),
                    f"{median([c[0] for c in cold + warm]):.3f}",
                    f"{median([c[1] for c in cold]):.3f}",
                    f"{median([c[1] for c in warm]):.3f}",
                    f"{median(library_open(folder, True, runs)):.3f}",
                    f"{median(library_open(folder, False, runs)):.3f}",
                ]
            )
    print_scaling(
        "articles listed",
        [
            "Articles",
            "First paint (s)",
            "Complete cold (s)",
            "Complete warm (s)",
            "Library.open cold (s)",
            "Library.open warm (s)",
        ],
        rows,
    )


def main() -> None:
    """Command line: ``--quick``, ``--scaling``."""
    bench_main(__doc__, run, scaling)


if __name__ == "__main__":
    main()
