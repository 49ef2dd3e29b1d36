"""The BBC corpus (833 articles) that the listing and find figures are defined on."""

from __future__ import annotations

import os
from pathlib import Path

from .paths import REPO

#: The corpus folder; override with IPREADER_BENCH_CORPUS.
CORPUS = Path(os.environ.get("IPREADER_BENCH_CORPUS", REPO.parent / "shared" / "corpus" / "bbc"))


def corpus_files() -> list[Path]:
    """The corpus articles sorted by path, or [] when the corpus is not available."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*.txt") if p.is_file())


def need_corpus(what: str) -> bool:
    """Return True when the corpus exists; else print why ``what`` is skipped."""
    if corpus_files():
        return True
    print(f"note: {CORPUS} not found; skipping {what} (it needs the BBC corpus)")
    return False
