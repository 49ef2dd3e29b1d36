"""The CSV export's columns: what a spreadsheet user sorts and filters on (issue 15)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ipreader.core.export import render_export
from ipreader.core.export.csv_table import COLUMNS, to_csv
from ipreader.core.library import Library
from ipreader.core.model import Annotation


def _annotation(n: int, **fields: Any) -> dict[str, Any]:
    base = {
        "quote": f"quote {n}",
        "note": f"note {n}",
        "tags": [],
        "color": "yellow",
        "status": "anchored",
        "creator": f"creator {n}",
        "created": f"2024-01-0{n}T00:00:00Z",
        "updated": f"2024-02-0{n}T00:00:00Z",
        "id": f"id-{n}",
    }
    return base | fields


def _document(path: str, *annotations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return (
        {"path": path, "title": f"Title of {path}", "date": "2024-03-01"}
        | fields
        | {"annotations": list(annotations)}
    )


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_one_folder_has_the_documented_columns_and_one_row_per_highlight() -> None:
    data = {
        "documents": [
            _document("a.txt", _annotation(1, tags=["x", "y", "z"]), _annotation(2)),
            _document("b.txt", _annotation(3, color="blue", status="orphaned")),
        ]
    }
    header, *rows = _rows(to_csv(data))
    assert header == list(COLUMNS)
    assert header == [
        "path", "title", "date", "quote", "note", "tags", "color",
        "status", "creator", "created", "updated", "id",
    ]  # fmt: skip
    assert rows == [
        [
            "a.txt", "Title of a.txt", "2024-03-01", "quote 1", "note 1", "x; y; z", "yellow",
            "anchored", "creator 1", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "id-1",
        ],
        [
            "a.txt", "Title of a.txt", "2024-03-01", "quote 2", "note 2", "", "yellow",
            "anchored", "creator 2", "2024-01-02T00:00:00Z", "2024-02-02T00:00:00Z", "id-2",
        ],
        [
            "b.txt", "Title of b.txt", "2024-03-01", "quote 3", "note 3", "", "blue",
            "orphaned", "creator 3", "2024-01-03T00:00:00Z", "2024-02-03T00:00:00Z", "id-3",
        ],
    ]  # fmt: skip


def test_a_document_without_highlights_has_no_row() -> None:
    data = {"documents": [_document("a.txt"), _document("b.txt", _annotation(1))]}
    _header, *rows = _rows(to_csv(data))
    assert [row[0] for row in rows] == ["b.txt"]


def test_several_folders_put_the_root_first_on_every_row() -> None:
    data = {
        "documents": [
            _document("a.txt", _annotation(1), root="/one"),
            # A document the export did not give a root has an empty cell, not a shifted row.
            _document("a.txt", _annotation(2)),
        ]
    }
    header, *rows = _rows(to_csv(data))
    assert header == ["root", *COLUMNS]
    assert [row[:2] for row in rows] == [["/one", "a.txt"], ["", "a.txt"]]
    assert all(len(row) == len(header) for row in rows)
    assert [row[-1] for row in rows] == ["id-1", "id-2"]


def test_an_empty_export_is_the_header_alone() -> None:
    assert _rows(to_csv({"documents": []})) == [list(COLUMNS)]


def test_two_folders_export_one_row_each_with_its_root(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        root.mkdir()
        (root / "same.txt").write_text(f"Title {root.name}\n\nshared words\n")
    library = Library.open([one, two])
    for collection in library.collections:
        info = collection.documents[0]
        text, _ = library.load(info)
        start = text.index("shared")
        collection.store.save_annotation(
            Annotation.create(text, start, start + 6, "same.txt", tags=["t1", "t2"])
        )
    header, *rows = _rows(render_export(Library.open([one, two]), "csv"))
    assert header[:2] == ["root", "path"]
    got = sorted((row[0], row[1], row[2], row[4], row[6]) for row in rows)
    assert got == [
        (str(one.resolve()), "same.txt", "Title one", "shared", "t1; t2"),
        (str(two.resolve()), "same.txt", "Title two", "shared", "t1; t2"),
    ]
