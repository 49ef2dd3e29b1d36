"""A W3C export reads only the articles whose text it needs (issue 14).

W3C takes an article's text only for a highlight that now covers other text
than its quote (``current``); an unchanged article found plain by an earlier
export has none, so it is not read again, and the file is the same as when
every article is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ipreader.core.export.structure as structure
from ipreader.core.documents import DocumentText
from ipreader.core.export import collect, render_export, to_json, to_w3c
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation

ARTICLE = "Title\n\nThe committee approved the budget for the new library on Monday.\n"


def _highlight(library: Library, relpath: str, quote: str) -> None:
    info = next(i for i in library.documents() if i.relpath == relpath)
    text, _ = library.load(info)
    start = text.index(quote)
    annotation = Annotation.create(text, start, start + len(quote), relpath)
    library.store_for(info).save_annotation(annotation)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The articles the export reads, in order (and a fixed export time)."""
    monkeypatch.setattr(structure, "utc_now_iso", lambda: "2000-01-01T00:00:00.000Z")
    seen: list[Path] = []
    read = structure.read_document

    def counted(path: Path) -> DocumentText:
        seen.append(path)
        return read(path)

    monkeypatch.setattr(structure, "read_document", counted)
    return seen


def _every_text_read(root: Path) -> str:
    return to_json(to_w3c(collect(Library.open([root]), texts=True)))


def test_unchanged_articles_are_not_read_and_the_file_is_the_same(
    tmp_path: Path, reads: list[Path]
) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    for name in ("one.txt", "two.txt", "three.txt"):
        (root / name).write_text(ARTICLE, encoding="utf-8")
    library = Library.open([root])
    _highlight(library, "one.txt", "approved the budget")
    _highlight(library, "two.txt", "new library")
    first = render_export(Library.open([root]), "w3c")  # reads both, remembers them plain
    reads.clear()
    second = render_export(Library.open([root]), "w3c")
    assert reads == []
    assert second == first == _every_text_read(root)


def test_an_article_whose_highlight_moved_is_read_for_its_text(
    tmp_path: Path, reads: list[Path]
) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "two.txt").write_text(ARTICLE, encoding="utf-8")
    library = Library.open([root])
    _highlight(library, "one.txt", "approved the budget for the new library")
    _highlight(library, "two.txt", "new library")
    render_export(Library.open([root]), "w3c")
    # An edit inside the quote and just before it: the highlight now covers other
    # text (fuzzy), and its context is no longer the one stored.
    edited = ARTICLE.replace("committee approved the budget for", "panel approved the budgets for")
    (root / "one.txt").write_text(edited, encoding="utf-8")
    reads.clear()
    text = render_export(Library.open([root]), "w3c")
    assert [path.name for path in reads] == ["one.txt"]
    assert '"exact": "approved the budgets for the new library"' in text
    assert '"prefix": "Title\\n\\nThe panel "' in text  # from the text as it is now
    stored = Library.open([root]).collections[0].store.stored_documents()["one.txt"]
    assert stored.annotations[0].status is AnchorStatus.FUZZY
    # The selector's context comes from the text as it is now: the same file as when
    # every article is read.
    reads.clear()
    again = render_export(Library.open([root]), "w3c")
    assert [path.name for path in reads] == ["one.txt"]
    assert again == text == _every_text_read(root)
