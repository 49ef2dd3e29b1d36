"""Tag operations over a whole folder: rename (and its undo) on 2,000 documents, 20,000 highlights.

The folder's store is built directly (synthetic articles; the operation never
reads them): every document gets ``highlights / articles`` highlights with
tags from a two-level codebook, so renaming ``policy`` touches about a third
of the highlights (``policy`` and its children) in most documents.

Each run times, round-robin so that load on the shared machine hits all alike:

* ``read``: ``FolderStore.stored_documents()`` -- one read of the index and of
  every annotation file (the baseline: any whole-folder operation reads this);
* ``rename``: ``FolderStore.retag(Rename("policy", "law"))`` -- one lock hold,
  one atomic write per changed file, then the index and the codebook;
* ``undo``: ``FolderStore.retag(Revert(...))`` of that rename;
* ``cli``: ``ipreader tags PATH rename law policy`` as a process (start-up included),
  and ``cli-list``: ``ipreader tags PATH`` (its baseline).

Medians of ``--runs`` runs are printed.

    .venv/bin/python -m bench.codebook [--articles 2000] [--highlights 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ipreader.core.codebook import Rename, Revert
from ipreader.core.model import COLORS, Annotation
from ipreader.core.store import FolderStore

TAGS = ["economy", "economy/growth", "policy", "policy/patents", "policy/tax", "people", "claim"]
TEXT = "Word " * 400


def build(root: Path, articles: int, highlights: int) -> FolderStore:
    """A folder of ``articles`` small files and a store with ``highlights`` highlights."""
    rng = random.Random(20261130)
    for number in range(articles):
        (root / f"a{number:05d}.txt").write_text(f"Article {number}\n\n{TEXT}\n")
    store = FolderStore.open(root)
    made = []
    for number in range(highlights):
        start = rng.randrange(0, len(TEXT) - 50)
        made.append(
            Annotation.create(
                TEXT,
                start,
                start + 20,
                f"a{number % articles:05d}.txt",
                tags=rng.sample(TAGS, rng.randint(1, 2)),
                color=rng.choice(COLORS),
            )
        )
    store.save_annotations(made)
    return store


def process(argv: list[str]) -> None:
    """Run ``argv`` to completion (it must succeed)."""
    subprocess.run(argv, check=True, capture_output=True)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--highlights", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "ipreader"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = build(root, args.articles, args.highlights)
        times: dict[str, list[float]] = {}
        changed = 0
        for _ in range(args.runs):
            fresh = FolderStore.open(root)  # cold cache, as a new process would be
            times.setdefault("read", []).append(timed(fresh.stored_documents))
            done = None

            def rename() -> None:
                nonlocal done, changed
                done = FolderStore.open(root).retag(Rename("policy", "law"))
                changed = len(done.highlights)

            times.setdefault("rename", []).append(timed(rename))
            assert done is not None
            revert = partial(FolderStore.open(root).retag, Revert(done))
            times.setdefault("undo", []).append(timed(revert))
            rename_cli = [*cli, "tags", str(root), "rename", "policy", "law"]
            times.setdefault("cli", []).append(timed(partial(process, rename_cli)))
            process([*cli, "tags", str(root), "rename", "law", "policy"])
            listing = [*cli, "tags", str(root)]
            times.setdefault("cli-list", []).append(timed(partial(process, listing)))
        del store
    print(
        f"{args.articles} articles, {args.highlights} highlights, {changed} renamed; "
        f"median of {args.runs} runs (s)"
    )
    for name, values in times.items():
        print(f"  {name:9s} {statistics.median(values):7.3f}   (min {min(values):.3f})")


if __name__ == "__main__":
    main()
