"""Memory of an open book with non-ASCII punctuation: 20 MB and 100 MB, over a 2 KB article.

A book with curly quotes and dashes (``’ “ ” —``) is stored by Python as two
bytes per character (one non-Latin-1 character is enough), where an ASCII
book takes one: the case real books are in. The books are the bench's
English prose (corpus paragraphs) with their quotes and dashes made typographic,
saved as cp1252 (how such files often come), so the app also decodes a
legacy encoding. An ASCII book of 20 MB is measured alongside.

Each figure is the resident set (``VmRSS``) of a fresh app process after the
book is opened, wrapped (``ReadingPane.Ready``) and ``gc.collect()``-ed, minus
the same for a 2 KB article, in the same run (``open_document.run_child``).

    .venv/bin/python -m bench.memory [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bench.lib.figures import Figure, print_figures
from bench.lib.process import load_average
from bench.lib.text import MB, make_text
from bench.lib.timing import median
from bench.lib.workdirs import isolated_data_dir, temp_dir
from bench.open_document import run_child

_DOUBLE = re.compile(r'"([^"\n]*)"')


def typographic(text: str) -> str:
    """``text`` with curly quotes, apostrophes and em dashes instead of ASCII ones."""
    text = _DOUBLE.sub("\u201c\\1\u201d", text)
    return text.replace("'", "\u2019").replace(" - ", " \u2014 ")


def write_book(folder: Path, size: int, curly: bool) -> Path:
    """Write a book of about ``size`` bytes (cp1252 when ``curly``, else ASCII UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "book.txt"
    text = make_text(size)
    if curly:
        text = typographic(text)
        if text.isascii():  # the corpus is absent: make sure the text is not ASCII
            text = text.replace(". ", ".\u2019 ", 1)
        path.write_bytes(text.encode("cp1252", errors="replace"))
    else:
        path.write_bytes(text.encode("ascii", errors="replace"))
    return path


def run(quick: bool = False, runs: int = 3) -> list[Figure]:
    """RSS over the 2 KB article: 20 MB curly, 20 MB ASCII, 100 MB curly (1, 1, 2 MB quick)."""
    sizes = [(1, True), (1, False), (2, True)] if quick else [(20, True), (20, False), (100, True)]
    runs = 1 if quick else runs
    print(f"load average before: {load_average()}", flush=True)
    figures = []
    with isolated_data_dir(), temp_dir("memory-") as tmp:
        small = tmp / "small" / "article.txt"
        small.parent.mkdir()
        small.write_text(make_text(2000), encoding="utf-8")
        books = {(s, c): write_book(tmp / f"{s}-{c}", s * MB, c) for s, c in sizes}
        empty: list[float] = []
        full: dict[tuple[int, bool], list[float]] = {key: [] for key in books}
        for _ in range(runs):  # interleaved, so a load change hits every case alike
            empty.append(run_child("app", small)["rss"])
            for key, path in books.items():
                full[key].append(run_child("app", path)["rss"])
    base = median(empty)
    for (size, curly), values in full.items():
        figures.append(
            Figure(
                f"Memory, {size} MB book {'with curly quotes (cp1252)' if curly else '(ASCII)'}: "
                "RSS over the app with a 2 KB article",
                median(values) - base,
                unit="MB",
                target=60 if (size, curly) == (20, True) else None,
                runs=runs,
                note=f"({median(values):.0f} - {base:.0f} MB)",
            )
        )
    print_figures("Memory", figures, quick, "quick: 1-2 MB")
    print(f"load average after: {load_average()}", flush=True)
    return figures


def main() -> None:
    """Command line: ``--quick``, ``--runs N``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small books, one run")
    parser.add_argument("--runs", type=int, default=3, help="runs per book (default 3)")
    args = parser.parse_args()
    run(args.quick, args.runs)


if __name__ == "__main__":
    main()
