"""Export 20,000 annotations to JSON and import them into a fresh copy of the folder.

The folder holds 2,000 articles (corpus copies; generated prose without the
corpus) with 20,000 annotations spread evenly, created through
``FolderStore.save_annotations``.

* export: ``Library.open`` (warm metadata cache) + ``render_export(..., "json")``
  + the atomic write of the file: what ``ipreader export -o FILE`` does in-process;
* import: ``importer.import_file`` into a copy of the articles with no
  ``.ipreader`` (every annotation is new), the copy made untimed before each run.

    .venv/bin/python -m bench.export_import [--quick] [--scaling]
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.lib.cli import bench_main
from bench.lib.figures import Figure, print_scaling, print_table
from bench.lib.folders import make_annotated_folder
from bench.lib.timing import median, time_runs
from bench.lib.workdirs import isolated_data_dir, temp_dir


def measure(folder: Path, runs: int) -> tuple[list[float], list[float], int]:
    """(export times, import times, size of the export in bytes)."""
    from ipreader.core.export import render_export
    from ipreader.core.importer import import_file
    from ipreader.core.library import Library
    from ipreader.core.storage import atomic_write_bytes

    out = folder.parent / f"{folder.name}-export.json"
    Library.open([folder])  # fills the metadata cache: exports run on an opened folder

    def export() -> None:
        atomic_write_bytes(out, render_export(Library.open([folder]), "json").encode("utf-8"))

    exports = time_runs(export, runs)
    target = folder.parent / f"{folder.name}-import"

    def fresh_copy() -> None:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".ipreader"))

    reports = []
    imports = time_runs(lambda: reports.append(import_file(out, target)), runs, fresh_copy)
    shutil.rmtree(target, ignore_errors=True)
    return exports, imports, out.stat().st_size


def run(quick: bool = False) -> list[Figure]:
    """Measure export and import of 20,000 annotations (1,000 with ``--quick``)."""
    total = 1000 if quick else 20000
    articles = 200 if quick else 2000
    runs = 1 if quick else 5
    with isolated_data_dir(), temp_dir("export-") as tmp:
        folder = tmp / "articles"
        make_annotated_folder(folder, articles, total)
        exports, imports, size = measure(folder, runs)
    figures = [
        Figure(
            f"Export {total:,} annotations to JSON ({articles} articles)",
            median(exports),
            target=None if quick else 1.0,
            runs=runs,
            note=f"({size / 1e6:.1f} MB file)",
        ),
        Figure(
            f"Import {total:,} annotations (fresh folder copy)",
            median(imports),
            target=None if quick else 2.0,
            runs=runs,
        ),
    ]
    print_table("Export / import", figures)
    return figures


def scaling(quick: bool = False) -> None:
    """Print how export and import grow with the number of annotations."""
    sizes = [200, 1000] if quick else [1000, 5000, 20000]
    articles = 200 if quick else 2000
    runs = 1 if quick else 3
    rows = []
    with isolated_data_dir(), temp_dir("export-scale-") as tmp:
        for total in sizes:
            folder = tmp / f"n{total}"
            make_annotated_folder(folder, articles, total)
            exports, imports, size = measure(folder, runs)
            rows.append(
                [
                    f"{total:,}",
                    f"{median(exports):.3f}",
                    f"{median(imports):.3f}",
                    f"{size / 1e6:.1f}",
                ]
            )
    print_scaling(
        f"export / import (annotations over {articles} articles)",
        ["Annotations", "Export JSON (s)", "Import (s)", "Export size (MB)"],
        rows,
    )


def main() -> None:
    """Command line: ``--quick``, ``--scaling``."""
    bench_main(__doc__, run, scaling)


if __name__ == "__main__":
    main()
