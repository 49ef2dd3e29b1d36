"""How each figure grows with the work: document size, annotations, articles.

Runs the ``scaling`` function of each bench script:

* document size 1, 5, 20, 50 MB (open_document.py): first paint cold/warm,
  full wrap, resize re-wrap, RSS;
* annotations 1k, 5k, 20k over 2,000 articles (save_latency.py,
  export_import.py): save p50/p95 vs stock TinyDB, export, import;
* annotations 1k, 10k, 50k all in one document (save_one_document.py): save
  p50/p95, bucket files vs one file per document vs stock TinyDB;
* articles 100, 1k, 5k (listing.py, corpus_find.py): list first paint and
  complete cold/warm, ``Library.open``, find first result / full scan vs grep.

    .venv/bin/python -m bench.scaling [--quick] [--only NAME ...]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bench import (
    corpus_find,
    export_import,
    listing,
    open_document,
    save_latency,
    save_one_document,
)

SCALINGS: dict[str, Callable[[bool], None]] = {
    "document": open_document.scaling,
    "save": save_latency.scaling,
    "save-one-document": save_one_document.scaling,
    "export": export_import.scaling,
    "listing": listing.scaling,
    "find": corpus_find.scaling,
}


def run(quick: bool = False, only: list[str] | None = None) -> None:
    """Print every scaling table (or only the named ones)."""
    for name, scaling in SCALINGS.items():
        if only and name not in only:
            continue
        scaling(quick)


def main() -> None:
    """Command line: ``--quick`` (tiny sizes), ``--only NAME...``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=sorted(SCALINGS))
    args = parser.parse_args()
    run(args.quick, args.only)


if __name__ == "__main__":
    main()
