"""Headings of long texts (``ipreader.core.headings.find_headings``): time and recall.

On generated books shaped like War and Peace (``book.make_book``: hard-wrapped
at 70 columns, BOOK / EPILOGUE / CHAPTER divisions): a 3.2 MB one (364
chapters, as War and Peace) and a 20 MB one. Prints the median wall and CPU time
of ``--runs`` scans, the chapters found against those generated, and the
cooperative scan (a worker thread's: GIL released between chunks).

    .venv/bin/python bench/headings.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from book import WAR_AND_PEACE_CHARS, make_book

from ipreader.core.headings import find_headings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for size in (WAR_AND_PEACE_CHARS, 20_000_000):
        text, chapters = make_book(size)
        for cooperative in (False, True):
            walls: list[float] = []
            cpus: list[float] = []
            found = None
            for _ in range(args.runs):
                wall, cpu = time.perf_counter(), time.process_time()
                found = find_headings(text, cooperative=cooperative)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            assert found is not None
            got = sum(heading.title.startswith("CHAPTER ") for heading in found)
            print(
                f"{len(text) / 1e6:5.1f} M chars{' cooperative' if cooperative else '':12s}: "
                f"median {statistics.median(walls) * 1000:6.1f} ms wall, "
                f"{statistics.median(cpus) * 1000:6.1f} ms CPU (n={args.runs}); "
                f"{len(found)} headings, {got} of {chapters} chapters"
            )


if __name__ == "__main__":
    main()
