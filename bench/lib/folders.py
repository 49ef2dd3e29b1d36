"""Folders of articles for the benchmarks, with annotations saved through the store."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from .corpus import corpus_files
from .text import WORDS, english_paragraphs


def make_articles(folder: Path, count: int) -> list[Path]:
    """Fill ``folder`` with ``count`` articles made from the corpus (varied names and text).

    Without the corpus the articles are generated prose (the listing and find
    figures skip instead, being defined on the corpus).

    Copies are spread over sub-folders by topic, renamed with a serial number
    and get one varied line so every file has its own content hash (the
    metadata cache and the store key on the sha256).
    """
    files = corpus_files()
    rng = random.Random(count)
    synthetic = english_paragraphs(count)
    made = []
    for serial in range(count):
        if files:
            source = files[serial % len(files)]
            round_ = serial // len(files)
            sub = folder / source.parent.name / f"batch{round_}"
            text = source.read_text(encoding="utf-8", errors="replace")
        else:
            # No corpus (fresh clone): ~2 KB of generated prose per article.
            source = Path(f"article-{serial}.txt")
            sub = folder / f"batch{serial // 800}"
            text = f"Article {serial}\n\n" + "\n\n".join(next(synthetic) for _ in range(4))
        sub.mkdir(parents=True, exist_ok=True)
        lines = text.split("\n")
        # A varied line after the title: different bytes, same shape of article.
        lines.insert(1, f"Edition {serial} ({rng.choice(WORDS)} {rng.randint(1, 999)})")
        path = sub / f"{serial:05d}-{source.stem}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        made.append(path)
    return made


def make_annotated_folder(folder: Path, articles: int, annotations: int) -> None:
    """Fill ``folder`` with ``articles`` articles and ``annotations`` annotations over them."""
    files = make_articles(folder, articles)
    make_annotations(folder, files, annotations)


def make_annotations(root: Path, files: Sequence[Path], total: int, seed: int = 3) -> int:
    """Create ``total`` annotations spread evenly over ``files`` through FolderStore.

    Uses ``FolderStore.save_annotations`` (one write per document), as the
    importer and the app do. Returns the number created.
    """
    from ipreader.core.documents import document_key, read_document
    from ipreader.core.model import COLORS, Annotation
    from ipreader.core.store import FolderStore

    rng = random.Random(seed)
    store = FolderStore.open(root)
    per_file, extra = divmod(total, len(files))
    batch: list[Annotation] = []
    made = 0
    for number, path in enumerate(files):
        want = per_file + (1 if number < extra else 0)
        if not want:
            continue
        document = read_document(path)
        text, sha256 = document.text, document.sha256
        relpath = document_key(root, path)
        # As the app does: a document is reconciled (its hash noted) when it is
        # opened, before it gets annotations; else its record has no hash and
        # the first export/open would re-anchor and rewrite every document.
        store.reconcile(relpath, sha256, text)
        for _ in range(want):
            length = rng.randint(10, 80)
            start = rng.randrange(0, max(1, len(text) - length))
            batch.append(
                Annotation.create(
                    text,
                    start,
                    min(len(text), start + length),
                    relpath,
                    color=rng.choice(COLORS),
                    note=f"note {made}" if rng.random() < 0.5 else "",
                    tags=[rng.choice(("policy", "economy", "tech", "people"))],
                )
            )
            made += 1
        if len(batch) >= 2000:
            store.save_annotations(batch)
            batch = []
    if batch:
        store.save_annotations(batch)
    return made
