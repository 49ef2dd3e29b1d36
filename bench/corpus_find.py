"""Find across 2,000 articles: time to first results and to a full scan, against ``grep -ri``.

Uses the core generator the corpus-find screen runs in its thread
(``search.find_in_documents``; the screen posts the first match at once).
Three queries: a common word (first match in the first article), a rare
token planted only in the last article (first result needs a near-full
scan: the worst case) and an absent word (full scan). The baseline is
``grep -ri QUERY FOLDER`` run to completion on the same folder
(``--exclude-dir=.ipreader`` so both read the same files).

    .venv/bin/python -m bench.corpus_find [--quick] [--scaling]
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench.lib.cli import bench_main
from bench.lib.corpus import need_corpus
from bench.lib.figures import Figure, print_figures, print_scaling
from bench.lib.folders import make_articles
from bench.lib.timing import median
from bench.lib.workdirs import isolated_data_dir, temp_dir

RARE = "zyzzogeton"
ABSENT = "qwxvbnmkj"


def first_and_all(docs: list[object], query: str) -> tuple[float, float, int]:
    """(time to the first match, time to the end, matches) of one search."""
    from ipreader.core.search import find_in_documents

    start = time.perf_counter()
    first = None
    found = 0
    for _ in find_in_documents(docs, query, limit=10**9):  # type: ignore[arg-type]
        if first is None:
            first = time.perf_counter() - start
        found += 1
    total = time.perf_counter() - start
    return (first if first is not None else total), total, found


def prepare(folder: Path, count: int) -> list[object]:
    """Make the articles, plant the rare token in the last one, return the documents."""
    from ipreader.core.library import Library

    files = make_articles(folder, count)
    last = max(files)
    last.write_text(last.read_text(encoding="utf-8") + f"\nA {RARE} appears.\n", "utf-8")
    return list(Library.open([folder]).documents())


def grep(folder: Path, query: str, runs: int) -> list[float]:
    """Wall time of ``grep -ri`` over the folder (exit status 1 = no match is fine)."""
    argv = ["grep", "-ri", "--exclude-dir=.ipreader", query, str(folder)]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def run(quick: bool = False) -> list[Figure]:
    """Measure the find figures at 2,000 articles (200 with ``--quick``)."""
    if not need_corpus("the corpus find figures"):
        return []
    count = 200 if quick else 2000
    runs = 1 if quick else 7
    figures = []
    with isolated_data_dir(), temp_dir("find-") as tmp:
        folder = tmp / "articles"
        docs = prepare(folder, count)
        for label, query in (
            ("common word", "government"),
            ("rare, last article", RARE),
            ("absent", ABSENT),
        ):
            results = []
            base = []
            for _ in range(runs):  # interleaved with the baseline: same load for both
                results.append(first_and_all(docs, query))
                base.extend(grep(folder, query, 1))
            figures.append(
                Figure(
                    f"Find in {count} articles, {label}: first results",
                    median([r[0] for r in results]),
                    target=0.3,
                    baseline=median(base),
                    baseline_name="grep -ri, full run",
                    runs=runs,
                    note=f"(full scan {median([r[1] for r in results]):.3f} s, "
                    f"{results[0][2]} matches)",
                )
            )
    print_figures("Find across articles", figures, quick, "quick")
    return figures


def scaling(quick: bool = False) -> None:
    """Print how a full scan (absent word) grows with the number of articles."""
    if not need_corpus("the find scaling"):
        return
    counts = [50, 100] if quick else [100, 1000, 5000]
    runs = 1 if quick else 3
    rows = []
    with isolated_data_dir(), temp_dir("find-scale-") as tmp:
        for count in counts:
            folder = tmp / f"a{count}"
            docs = prepare(folder, count)
            scans = [first_and_all(docs, ABSENT)[1] for _ in range(runs)]
            rare = [first_and_all(docs, RARE)[0] for _ in range(runs)]
            base = grep(folder, ABSENT, runs)
            rows.append(
                [str(count), f"{median(rare):.3f}", f"{median(scans):.3f}", f"{median(base):.3f}"]
            )
    print_scaling(
        "find across articles",
        [
            "Articles",
            "First result, rare word in the last article (s)",
            "Full scan (s)",
            "grep -ri full scan (s)",
        ],
        rows,
    )


def main() -> None:
    """Command line: ``--quick``, ``--scaling``."""
    bench_main(__doc__, run, scaling)


if __name__ == "__main__":
    main()
