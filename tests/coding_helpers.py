"""Building coded documents and annotated folders for the report and agreement tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ipreader.core.coding import CodedDocument
from ipreader.core.library import Library
from ipreader.core.model import Annotation


def highlight(
    text: str,
    start: int,
    end: int,
    tags: Iterable[str] = (),
    *,
    creator: str = "",
    document: str = "doc.txt",
    color: str = "yellow",
    created: str = "2024-05-01T12:00:00.000Z",
    ident: str | None = None,
) -> Annotation:
    """A highlight of ``text[start:end]`` with a fixed creation time (and id when given)."""
    made = Annotation.create(text, start, end, document, tags=tags, creator=creator, color=color)
    return replace(made, created=created, id=ident or made.id)


def coded(text: str, highlights: Sequence[Annotation], relpath: str = "doc.txt") -> CodedDocument:
    """A ``CodedDocument`` of ``text`` with ``highlights`` (sorted as the loader sorts them)."""
    ordered = tuple(sorted(highlights, key=lambda a: (a.start, a.id)))
    return CodedDocument(Path("/root"), relpath, relpath, text, ordered)


def annotate(root: Path, marks: Iterable[tuple[str, str, Sequence[str], str]]) -> None:
    """Save a highlight of the first occurrence of each ``(relpath, quote, tags, creator)``."""
    library = Library.open([root])
    texts = {info.relpath: library.load(info)[0] for info in library.documents()}
    store = library.collections[0].store
    saved = []
    for relpath, quote, tags, creator in marks:
        text = texts[relpath]
        start = text.index(quote)
        saved.append(
            Annotation.create(text, start, start + len(quote), relpath, tags=tags, creator=creator)
        )
    store.save_annotations(saved)
