"""The export structure: which documents and highlights an export holds, and how (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from export_records import highlight_in

from ipreader.core.export.structure import (
    EXPORT_FORMAT_NAME,
    EXPORT_VERSION,
    collect,
    creator_uuid,
    document_iri,
    export_data,
)
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store.formats import SCHEMA_VERSION

ARTICLE = "Title\n\nThe cat sat on the mat. The dog sat too.\n"


def _notes(root: Path, relpath: str, notes: DocumentNotes) -> None:
    library = Library.open([root])
    info = next(i for i in library.documents() if i.relpath == relpath)
    library.store_for(info).set_document_notes(relpath, notes)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt", "Upper.txt"):
        (root / name).write_text(ARTICLE)
    return root


def _paths(data: dict[str, Any]) -> list[str]:
    return [document["path"] for document in data["documents"]]


def test_the_top_level_fields(folder: Path) -> None:
    data = export_data(Library.open([folder]))
    assert (data["format"], data["version"]) == (EXPORT_FORMAT_NAME, EXPORT_VERSION)
    assert (EXPORT_FORMAT_NAME, EXPORT_VERSION) == ("ipreader.annotations", 1)
    assert data["exported_at"].endswith("Z") and data["documents"] == []


def test_a_document_is_exported_for_a_highlight_a_tag_or_a_note(folder: Path) -> None:
    highlight_in(folder, "a.txt", "cat")
    _notes(folder, "b.txt", DocumentNotes(note="only a note"))
    _notes(folder, "sub/c.txt", DocumentNotes(tags=("only-a-tag",)))
    data = export_data(Library.open([folder]))
    assert _paths(data) == ["a.txt", "b.txt", "sub/c.txt"]
    a, b, c = data["documents"]
    assert (b["note"], b["tags"], b["annotations"]) == ("only a note", [], [])
    assert (c["note"], c["tags"]) == ("", ["only-a-tag"])
    assert a["title"] == "Title" and a["sha256"] and a["encoding"]
    assert "missing" not in a and "root" not in a


def test_highlights_are_in_text_order(folder: Path) -> None:
    dog = highlight_in(folder, "a.txt", "dog")
    cat = highlight_in(folder, "a.txt", "cat")
    (document,) = export_data(Library.open([folder]))["documents"]
    assert [a["id"] for a in document["annotations"]] == [cat.id, dog.id]


def test_the_tag_filter_keeps_tagged_highlights_and_everything_of_a_tagged_document(
    folder: Path,
) -> None:
    kept = highlight_in(folder, "a.txt", "cat", tags=["Policy/Patents"])
    highlight_in(folder, "a.txt", "dog", tags=["other"])
    highlight_in(folder, "b.txt", "cat")
    highlight_in(folder, "b.txt", "dog")
    _notes(folder, "b.txt", DocumentNotes(tags=("policy",)))
    highlight_in(folder, "sub/c.txt", "cat", tags=["other"])
    data = export_data(Library.open([folder]), tags=["policy"])
    assert _paths(data) == ["a.txt", "b.txt"]
    assert [a["id"] for a in data["documents"][0]["annotations"]] == [kept.id]
    assert len(data["documents"][1]["annotations"]) == 2
    # A blank tag asks for nothing: no filter.
    assert _paths(export_data(Library.open([folder]), tags=["  "])) == [
        "a.txt",
        "b.txt",
        "sub/c.txt",
    ]


def test_a_tagged_document_without_highlights_is_kept_by_the_tag_filter(folder: Path) -> None:
    _notes(folder, "b.txt", DocumentNotes(tags=("policy",)))
    highlight_in(folder, "a.txt", "cat")
    assert _paths(export_data(Library.open([folder]), tags=["policy"])) == ["b.txt"]


def test_glob_and_only_select_documents(folder: Path) -> None:
    for name in ("a.txt", "b.txt", "sub/c.txt", "Upper.txt"):
        highlight_in(folder, name, "cat")
    library = Library.open([folder])
    assert _paths(export_data(library, document_glob="sub/*")) == ["sub/c.txt"]
    assert _paths(export_data(library, document_glob="upper.txt")) == []  # case-sensitive
    only = {(folder / "b.txt").resolve(), (folder / "Upper.txt").resolve()}
    assert _paths(export_data(Library.open([folder]), only=only)) == ["Upper.txt", "b.txt"]
    both = export_data(Library.open([folder]), document_glob="*.txt", only=only)
    assert _paths(both) == ["Upper.txt", "b.txt"]


def test_a_deleted_articles_highlights_are_exported_as_missing(folder: Path) -> None:
    annotation = highlight_in(folder, "b.txt", "dog", note="keep me")
    highlight_in(folder, "a.txt", "cat")
    (folder / "b.txt").unlink()
    export = collect(Library.open([folder]), texts=True)
    assert _paths(export.data) == ["a.txt", "b.txt"]
    gone = export.data["documents"][1]
    assert gone["missing"] is True
    (record,) = gone["annotations"]
    assert (record["id"], record["status"], record["note"]) == (annotation.id, "missing", "keep me")
    assert export.texts == (ARTICLE, None)
    assert "missing" not in export.data["documents"][0]
    # The glob applies to missing articles too.
    assert _paths(export_data(Library.open([folder]), document_glob="a*")) == ["a.txt"]


def test_an_edited_article_exports_where_its_highlights_are_now(folder: Path) -> None:
    cat = highlight_in(folder, "a.txt", "cat")
    (folder / "a.txt").write_text("Title\n\nNews first. " + ARTICLE.removeprefix("Title\n\n"))
    export = collect(Library.open([folder]), texts=True)
    (record,) = export.data["documents"][0]["annotations"]
    (text,) = export.texts or ()
    assert record["id"] == cat.id and text[record["start"] : record["end"]] == "cat"
    assert record["start"] == cat.start + len("News first. ")
    assert "current" not in record


def test_texts_and_roots_follow_the_documents(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        root.mkdir()
        (root / "z.txt").write_text(f"{root.name}\n\nshared words\n")
        (root / "a.txt").write_text(f"{root.name} a\n\nshared words\n")
    for root in (two, one):
        for name in ("z.txt", "a.txt"):
            highlight_in(root, name, "shared")
    export = collect(Library.open([two, one]), texts=True)
    got = [(d["path"], d["root"]) for d in export.data["documents"]]
    r1, r2 = str(one.resolve()), str(two.resolve())
    assert got == sorted(got) == [("a.txt", r1), ("a.txt", r2), ("z.txt", r1), ("z.txt", r2)]
    assert [str(root) for root in export.roots] == [r1, r2, r1, r2]
    assert export.texts == ("one a\n\nshared words\n", "two a\n\nshared words\n",
                            "one\n\nshared words\n", "two\n\nshared words\n")  # fmt: skip
    assert collect(Library.open([one])).texts is None


def test_document_iri_is_a_valid_distinct_file_uri(tmp_path: Path) -> None:
    iri = document_iri(tmp_path / "my folder", "sub/a #1 100% é.txt")
    assert iri.startswith("file:///") and " " not in iri and "é" not in iri
    assert iri.endswith("/my%20folder/sub/a%20%231%20100%25%20%C3%A9.txt")
    assert document_iri(tmp_path / "one", "a.txt") != document_iri(tmp_path / "two", "a.txt")


def test_creator_ids_join_the_spellings_of_a_name() -> None:
    assert creator_uuid("Ann Lee") == creator_uuid("  ann  LEE ")
    assert creator_uuid("Ann Lee") != creator_uuid("Ann")
    assert creator_uuid("Ann").version == 5


def test_a_second_export_says_the_same_and_remembers_the_plain_documents(folder: Path) -> None:
    highlight_in(folder, "a.txt", "cat", note="n")
    first = export_data(Library.open([folder]))
    assert (folder / ".ipreader" / "verified.json").exists()
    second = export_data(Library.open([folder]))
    assert first["documents"] == second["documents"]


def test_a_highlight_carries_what_its_colour_means_in_its_folder(folder: Path) -> None:
    claim = highlight_in(folder, "a.txt", "cat", color="yellow")
    plain = highlight_in(folder, "a.txt", "dog", color="blue")
    library = Library.open([folder])
    library.collections[0].store.update_codebook(lambda book: book.with_meaning("yellow", "Claim"))
    (document,) = export_data(Library.open([folder]))["documents"]
    by_id = {a["id"]: a for a in document["annotations"]}
    assert by_id[claim.id]["meaning"] == "Claim"
    assert "meaning" not in by_id[plain.id]


def test_offsets_that_do_not_hold_their_quote_are_found_again_in_the_export(
    folder: Path,
) -> None:
    library = Library.open([folder])
    info = next(i for i in library.documents() if i.relpath == "a.txt")
    text, _ = library.load(info)
    good = Annotation.create(text, text.index("dog"), text.index("dog") + 3, "a.txt")
    # Stored with the offsets of "sat": the store's checks would normally never let this by.
    slipped = Annotation(good.id, "a.txt", text.index("sat"), text.index("sat") + 3, "dog")
    library.store_for(info).save_annotation(slipped)
    (document,) = export_data(Library.open([folder]))["documents"]
    (record,) = document["annotations"]
    assert text[record["start"] : record["end"]] == "dog"
    assert record["quote"] == "dog"


def test_documents_without_anything_to_export_do_not_stop_the_export(folder: Path) -> None:
    # a.txt and b.txt (first in any order) have no record at all; the later ones do.
    highlight_in(folder, "sub/c.txt", "cat")
    highlight_in(folder, "Upper.txt", "dog")
    assert _paths(export_data(Library.open([folder]))) == ["Upper.txt", "sub/c.txt"]


def test_same_paths_of_two_folders_sort_by_folder_not_by_text(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root, title in ((one, "Zulu"), (two, "Alpha")):
        root.mkdir()
        (root / "a.txt").write_text(f"{title}\n\nshared words\n")
        highlight_in(root, "a.txt", "shared")
    export = collect(Library.open([two, one]), texts=True)
    assert [d["title"] for d in export.data["documents"]] == ["Zulu", "Alpha"]


def test_a_store_that_refuses_writes_gets_no_cache_file(folder: Path) -> None:
    highlight_in(folder, "a.txt", "cat")
    index = next(folder.rglob("index.json"))
    data = json.loads(index.read_text(encoding="utf-8"))
    data["_meta"]["schema"]["version"] = SCHEMA_VERSION + 1  # a newer ipreader's store
    index.write_text(json.dumps(data), encoding="utf-8")
    before = sorted(path.name for path in index.parent.iterdir())
    (document,) = export_data(Library.open([folder]))["documents"]
    assert document["path"] == "a.txt"
    assert sorted(path.name for path in index.parent.iterdir()) == before


def test_an_article_that_fails_to_read_keeps_its_highlights_in_the_export_and_says_so(
    folder: Path,
) -> None:
    cat = highlight_in(folder, "a.txt", "cat")
    highlight_in(folder, "b.txt", "dog")
    library = Library.open([folder])
    (folder / "a.txt").write_bytes(b"\x00\x01 binary now")  # after the folder was listed
    data = export_data(library)
    assert _paths(data) == ["a.txt", "b.txt"]
    unreadable = data["documents"][0]
    assert [a["id"] for a in unreadable["annotations"]] == [cat.id]
    assert unreadable["annotations"][0]["quote"] == "cat" and "missing" not in unreadable
    [notice] = library.notices.take()
    assert notice.startswith("a.txt could not be read for the export (")
    assert notice.endswith("its highlights are kept as stored, not checked against its text")


def test_an_article_unreadable_when_listed_keeps_its_highlights_in_the_export_and_says_so(
    folder: Path,
) -> None:
    cat = highlight_in(folder, "a.txt", "cat")
    (folder / "a.txt").write_bytes(b"\x00\x01 binary now")  # before the folder is listed
    library = Library.open([folder])
    library.notices.take()
    data = export_data(library)
    assert _paths(data) == ["a.txt"]
    assert [a["id"] for a in data["documents"][0]["annotations"]] == [cat.id]
    assert "missing" not in data["documents"][0]
    [notice] = library.notices.take()
    assert notice.startswith("a.txt could not be read for the export (")
