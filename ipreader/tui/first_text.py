"""The article painted before the library is open: read as soon as its folder's store is.

``Session.open`` calls ``read_first`` for each folder as its store opens (a
single folder's before it is walked), until one gives the article it will most
likely open first (a named file, the last
one read, else the first); the main screen paints it (``FirstTextRead``) while
the rest of the library is read. Textual-free, like the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.discovery import walk_lists
from ipreader.core.documents import DocumentText, read_document
from ipreader.core.errors import IpreaderError
from ipreader.core.fit import fitted
from ipreader.core.model import Annotation
from ipreader.tui.pending import ordered_off_the_ui
from ipreader.tui.reader.reflow import looks_hard_wrapped

if TYPE_CHECKING:
    from ipreader.core.store import FolderStore

#: The first article's highlights are read through the user's read cache (the whole
#: folder's) only while the folder's store indexes at most this many documents.
READ_CACHE_FIRST_MAX = 100


@dataclass(frozen=True, slots=True)
class FirstText:
    """The first article, read as soon as its store was open (before the library is).

    Only made when what the reading pane shows from it is final: the
    annotations stored for it were anchored against this very text (or it has
    none and none can be moved to it by a relink).
    """

    path: Path
    """The article's file (absolute)."""
    document: DocumentText
    """What was read (``Session.load`` reuses it while the file is unchanged)."""
    annotations: tuple[Annotation, ...]
    """Its stored annotations (anchored against ``document``)."""
    position: int
    """Its stored reading position."""
    hard_wrapped: bool
    """True when the text looks hard-wrapped."""


def read_first(
    root: Path,
    files: list[Path] | None,
    store: FolderStore,
    named: set[Path],
    alone: bool,
    tried: set[Path],
) -> FirstText | None:
    """Read the article ``Session.open`` will most likely open first, if it is in ``root``.

    ``files`` are the folder's articles, ``None`` before it is walked (then only
    the last one read can be told). ``alone``: ``root`` is the only path
    opened. ``None`` when it cannot be told yet, cannot be read, or its
    annotations may still change when the library is open (re-anchored, relinked).
    ``tried``: the articles an earlier call read and gave ``None`` for (this one
    adds to it); they are not read again: the walk between two calls changes none
    of the reasons (a 20 MB book would be read, hashed and decoded once more).
    """
    path: Path | None
    if named:
        if files is None:
            return None
        path = next((file for file in files if file.resolve() in named), None)
        if path is None:
            return None  # the named file is in another collection
    else:
        try:
            last = store.last_document()
        except IpreaderError:
            return None
        if last is None:
            path = None
        elif files is None:
            path = root / last if walk_lists(root, last) else None
        else:
            path = root / last if root / last in files else None
        if path is None and alone and files:
            path = files[0]
        if path is None:
            return None
    if path in tried:
        return None
    tried.add(path)
    relpath = path.relative_to(root).as_posix()
    try:
        document = read_document(path)
        indexed = store.indexed_paths()
        if relpath in indexed:
            if store.anchored_sha256(relpath) != document.sha256:
                return None  # its highlights are re-anchored first
        elif any(not (root / known).exists() for known in indexed):
            return None  # a renamed article's highlights may be moved to it
        # Through the read cache when the folder indexes few documents: the library's
        # pass over every store (stored_documents) follows at once and saves it, and a
        # book's 20,000 highlights are not checked again. That cache holds the whole
        # folder's highlights: with thousands of articles, loading it costs far more
        # than reading this one's file, and it is loaded after the first paint anyway.
        persist = len(indexed) <= READ_CACHE_FIRST_MAX
        found = store.annotations(relpath, persist=persist) if relpath in indexed else []
        annotations = ordered_off_the_ui(fitted(document.text, found))
        position = store.reading_position(relpath)
    except (IpreaderError, ValueError):
        return None
    return FirstText(path, document, annotations, position, looks_hard_wrapped(document.text))
