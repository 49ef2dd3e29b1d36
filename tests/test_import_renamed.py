"""Import of an export made before its articles were renamed: found by hash or by ids, said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.export import export_data
from ipreader.core.importer import import_file
from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore

TEXT = "Title\n\n" + " ".join(f"word{i}" for i in range(300)) + "\n"
OTHER = "Other\n\n" + " ".join(f"other{i}" for i in range(300)) + "\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT)
    (root / "b.txt").write_text(OTHER)
    return root


def highlight(root: Path, relpath: str, quote: str, note: str = "") -> Annotation:
    store = FolderStore.open(root)
    text = (root / relpath).read_text()
    start = text.index(quote)
    annotation = Annotation.create(text, start, start + len(quote), relpath, note=note)
    store.save_annotation(annotation)
    return annotation


def export(root: Path, file: Path) -> dict[str, Any]:
    data = export_data(Library.open([root]))
    file.write_text(json.dumps(data))
    return data


def by_document(root: Path) -> dict[str, dict[str, Annotation]]:
    stored = FolderStore.open(root).all_annotations()
    return {relpath: {a.id: a for a in items} for relpath, items in stored.items() if items}


def rename_and_edit(root: Path, old: str, new: str) -> None:
    """Rename ``old`` to ``new`` and change a word far from the highlights (new hash)."""
    text = (root / old).read_text()
    (root / old).unlink()
    (root / new).write_text(text.replace("word200 ", "changed200 "))


def test_an_export_made_before_a_rename_and_edit_lands_on_the_renamed_article(
    folder: Path, tmp_path: Path
) -> None:
    """The trial's case: export, rename and edit the file, the app relinks it, import back."""
    first = highlight(folder, "a.txt", "word10 word11", note="kept")
    data = export(folder, tmp_path / "before.json")
    rename_and_edit(folder, "a.txt", "renamed.txt")
    Library.open([folder])  # opening the folder relinks the renamed article (as the app does)
    assert set(by_document(folder)) == {"renamed.txt"}

    report = import_file(tmp_path / "before.json", folder)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (0, 0, 1, 0)
    assert report.renamed == 1
    assert "1 document found under a new name" in report.summary()
    [message] = report.messages
    assert "'a.txt' is now 'renamed.txt'" in message
    assert "highlights' ids" in message

    # A newer edit in the file (a second highlight, an edited note) lands there too, placed
    # by its quote in the new text.
    document = data["documents"][0]
    record = document["annotations"][0]
    edited = {**record, "note": "edited", "revision": record["revision"] + 1}
    start = TEXT.index("word50 word51")
    added = {
        **record,
        "id": "5f0c3a52-3d59-4e4e-9a4e-0c6b7d1f2a10",
        "start": start,
        "end": start + len("word50 word51"),
        "quote": "word50 word51",
    }
    document["annotations"] = [edited, added]
    (tmp_path / "edited.json").write_text(json.dumps(data))
    report = import_file(tmp_path / "edited.json", folder)
    assert (report.added, report.updated, report.rejected, report.renamed) == (1, 1, 0, 1)
    stored = by_document(folder)
    assert set(stored) == {"renamed.txt"}
    assert stored["renamed.txt"][first.id].note == "edited"
    placed = stored["renamed.txt"][added["id"]]
    renamed_text = (folder / "renamed.txt").read_text()
    assert renamed_text[placed.start : placed.end] == "word50 word51"


def test_a_renamed_copy_found_by_its_hash_is_said(folder: Path, tmp_path: Path) -> None:
    highlight(folder, "a.txt", "word10 word11")
    export(folder, tmp_path / "before.json")
    (folder / "a.txt").rename(folder / "moved.txt")
    Library.open([folder])
    report = import_file(tmp_path / "before.json", folder)
    assert (report.unchanged, report.rejected, report.renamed) == (1, 0, 1)
    assert any(
        "'a.txt' is now 'moved.txt' (matched by its content hash" in m for m in report.messages
    )


def test_highlights_spread_over_two_articles_choose_none(folder: Path, tmp_path: Path) -> None:
    """Never attached to one article silently: ids on two articles name no document."""
    one = highlight(folder, "a.txt", "word10 word11")
    two = highlight(folder, "b.txt", "other10 other11")
    text = (folder / "a.txt").read_text()
    records = [
        {**one.to_dict(), "document": "gone.txt"},
        {**two.to_dict(), "document": "gone.txt", "quote": "word20", "start": 0, "end": 0},
    ]
    file = tmp_path / "mixed.json"
    file.write_text(
        json.dumps(
            {
                "format": "ipreader.annotations",
                "version": 1,
                "exported_at": "2024-01-01T00:00:00Z",
                "documents": [{"path": "gone.txt", "annotations": records}],
            }
        )
    )
    before = by_document(folder)
    report = import_file(file, folder)
    assert (report.added, report.updated, report.rejected, report.renamed) == (0, 0, 2, 0)
    [message] = report.messages
    assert "names no article" in message
    assert "ids are on 2 articles ('a.txt', 'b.txt'): none chosen" in message
    assert by_document(folder) == before
    assert text == (folder / "a.txt").read_text()


def test_highlights_stored_for_a_file_not_relinked_yet_say_how_to_relink(
    folder: Path, tmp_path: Path
) -> None:
    highlight(folder, "a.txt", "word10 word11")
    export(folder, tmp_path / "before.json")
    rename_and_edit(folder, "a.txt", "renamed.txt")  # the folder not opened since: not relinked
    report = import_file(tmp_path / "before.json", folder)
    assert (report.added, report.rejected, report.renamed) == (0, 1, 0)
    [message] = report.messages
    assert "its highlights are stored for 'a.txt', which is not in the folder" in message
    assert "ipreader relink" in message
    assert set(by_document(folder)) == {"a.txt"}
