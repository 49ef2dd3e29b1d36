"""The export front: each format name gives its format, and what a file export says (issue 15)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from export_records import highlight_in

from ipreader.core.export import (
    EXPORT_FORMATS,
    FILE_EXPORT_FORMATS,
    ExportFormatError,
    export_bytes,
    render_export,
)
from ipreader.core.library import Library
from ipreader.core.model import DocumentNotes

ARTICLE = "Title\n\nThe cat sat on the mat.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE)
    highlight_in(root, "a.txt", "cat", tags=["animal"], note="a note")
    return root


def test_each_text_format_is_its_own(folder: Path) -> None:
    assert FILE_EXPORT_FORMATS == ("json", "w3c", "markdown", "csv", "qdc", "qdpx")
    library = Library.open([folder])
    assert json.loads(render_export(library))["format"] == "ipreader.annotations"
    assert json.loads(render_export(library, "json"))["format"] == "ipreader.annotations"
    w3c = json.loads(render_export(library, "w3c"))
    assert w3c["type"] == "AnnotationCollection"
    # W3C selects the text: it reads the article (a quote selector with its context).
    assert w3c["first"]["items"][0]["target"]["selector"][0]["prefix"] == "Title\n\nThe "
    assert render_export(library, "markdown").startswith("# ipreader annotations\n")
    assert render_export(library, "csv").startswith("\ufeffpath,title,")
    assert "<CodeBook" in render_export(library, "qdc")


def test_filters_reach_every_format(folder: Path) -> None:
    (folder / "b.txt").write_text(ARTICLE)
    highlight_in(folder, "b.txt", "mat", tags=["other"])
    library = Library.open([folder])
    assert "b.txt" not in render_export(library, "csv", tags=["animal"])
    assert "b.txt" not in render_export(library, "csv", document_glob="a*")
    assert "b.txt" not in render_export(library, "csv", only={(folder / "a.txt").resolve()})
    assert b"b.txt" not in export_bytes(library, "markdown", tags=["animal"])
    assert b"b.txt" not in export_bytes(library, "markdown", document_glob="a*")
    assert b"b.txt" not in export_bytes(library, "csv", only={(folder / "a.txt").resolve()})


def test_unknown_formats_are_refused_with_the_choices(folder: Path) -> None:
    library = Library.open([folder])
    with pytest.raises(ExportFormatError) as refused:
        render_export(library, "qdpx")  # a zip is no text
    assert str(refused.value) == (
        "unknown export format 'qdpx'; choose one of json, w3c, markdown, csv, qdc"
    )
    with pytest.raises(ExportFormatError) as refused:
        export_bytes(library, "xml")
    assert str(refused.value) == (
        "unknown export format 'xml'; choose one of json, w3c, markdown, csv, qdc, qdpx"
    )


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_file_bytes_are_the_text_in_utf8(folder: Path, fmt: str) -> None:
    library = Library.open([folder])
    if fmt in ("json", "w3c"):
        # These carry the export time and ids derived from it: compare what they say.
        assert json.loads(export_bytes(library, fmt))["documents" if fmt == "json" else "total"]
    else:
        # The Markdown says when it was exported, to the millisecond: that line aside.
        def timeless(text: str) -> str:
            return re.sub(r"Exported \S+\.", "Exported.", text)

        written = export_bytes(library, fmt).decode("utf-8")
        assert timeless(written) == timeless(render_export(library, fmt))
    assert export_bytes(library).startswith(b"{")


def test_a_file_export_keeps_a_note_that_is_not_utf8(folder: Path) -> None:
    library = Library.open([folder])
    info = library.documents()[0]
    library.store_for(info).set_document_notes("a.txt", DocumentNotes(note="bad \udcff byte"))
    for fmt in ("markdown", "json"):  # (the CSV has no document notes)
        data = export_bytes(Library.open([folder]), fmt).decode("utf-8")  # never raises
        assert "bad " in data and " byte" in data and "\udcff" not in data


def _project(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_project_ships_the_texts(folder: Path) -> None:
    files = _project(export_bytes(Library.open([folder]), "qdpx"))
    assert [files[name] for name in files if name.startswith("Sources/")] == [ARTICLE.encode()]


@pytest.mark.parametrize(("count", "listed"), [(1, "d0.txt"), (2, "d0.txt, d1.txt"),
    (5, "d0.txt, d1.txt, d2.txt, d3.txt, d4.txt"),
    (6, "d0.txt, d1.txt, d2.txt, d3.txt, d4.txt, ...")])  # fmt: skip
def test_a_project_says_which_missing_articles_it_left_out(
    folder: Path, count: int, listed: str
) -> None:
    for n in range(count):
        (folder / f"d{n}.txt").write_text(ARTICLE)
        highlight_in(folder, f"d{n}.txt", "mat")
    for n in range(count):
        (folder / f"d{n}.txt").unlink()
    library = Library.open([folder])
    library.notices.take()
    files = _project(export_bytes(library, "qdpx"))
    what = "missing article" if count == 1 else "missing articles"
    assert library.notices.take() == [
        f"{count} {what} left out of the project (no text to ship; its highlights stay in "
        f"the folder): {listed}"
    ]
    assert len([name for name in files if name.startswith("Sources/")]) == 1


def test_a_project_without_missing_articles_says_nothing(folder: Path) -> None:
    library = Library.open([folder])
    library.notices.take()
    export_bytes(library, "qdpx")
    assert library.notices.take() == []


def test_a_project_says_which_unreadable_articles_it_left_out(folder: Path) -> None:
    (folder / "d0.txt").write_text(ARTICLE)
    highlight_in(folder, "d0.txt", "mat")
    library = Library.open([folder])
    library.notices.take()
    (folder / "d0.txt").write_bytes(b"\x00\x01 binary now")  # after the folder was listed
    files = _project(export_bytes(library, "qdpx"))
    notices = library.notices.take()
    assert notices[0].startswith("d0.txt could not be read for the export (")
    assert notices[-1] == (
        "1 unreadable article left out of the project (no text to ship; its highlights "
        "stay in the folder): d0.txt"
    )
    assert len([name for name in files if name.startswith("Sources/")]) == 1
