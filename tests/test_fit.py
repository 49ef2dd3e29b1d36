"""Annotations used as stored for their text, unless a span ends past it (a hand edit)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import annotate

from ipreader.core.fit import fitted
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.store import FolderStore

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"


def test_annotations_that_fit_are_the_very_same_sequence() -> None:
    start = TEXT.index("quick")
    stored = (Annotation.create(TEXT, start, start + 5, "a.txt"),)
    assert fitted(TEXT, stored) is stored
    assert fitted(TEXT, ()) == ()


def test_a_span_past_the_text_is_anchored_again() -> None:
    start = TEXT.index("lazy")
    made = Annotation.create(TEXT, start, start + 4, "a.txt")
    past = made.edited(end=999_999)
    [placed] = fitted(TEXT, [past])
    # Found where it starts: exact again, over the quote and nothing more.
    assert (placed.start, placed.end, placed.status) == (start, start + 4, AnchorStatus.ANCHORED)
    moved = made.edited(start=0, end=999_999)
    [placed] = fitted(TEXT, [moved])
    assert (placed.start, placed.end, placed.status) == (start, start + 4, AnchorStatus.MOVED)


def test_a_hand_edited_span_is_never_shown_counted_or_exported_as_exact(tmp_path: Path) -> None:
    """With the text unchanged, a store's spans were used as stored: an agreement
    computed -11935.6 % from an "end" of 999999, a report showed 0-999999 as exact."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    made = annotate(folder, "a.txt", "lazy")
    [file] = (folder / ".ipreader" / "annotations").glob("*.json")
    tables = json.loads(file.read_text(encoding="utf-8"))
    tables["annotations"][made.id]["end"] = 999_999
    file.write_text(json.dumps(tables), encoding="utf-8")
    library = Library.open([folder])
    [current] = library.current_documents(lambda _info, _stored: True)
    [placed] = current.annotations
    assert (placed.start, placed.end, placed.quote) == (made.start, made.end, "lazy")
    [opened] = library.collections[0].store.reconcile("a.txt", current.version.sha256, TEXT)
    assert (opened.start, opened.end) == (made.start, made.end)
    assert [a.end for a in FolderStore.open(folder).annotations("a.txt")] == [999_999]  # kept
