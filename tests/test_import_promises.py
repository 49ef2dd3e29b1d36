"""What a user relies on from an import that mutation testing found unpinned.

Offsets are trusted only when they hold the quote (offset 0 included, negative
ones never); an entry without an id gets a new one; times with an offset are
compared as instants; explicit JSON ``null`` means "not given"; a quote found
elsewhere is stored as moved with the context it has there; counts add up.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.importer import ImportReport, import_file
from ipreader.core.model import (
    CONTEXT_CHARS,
    MAX_DOCUMENT_TAGS,
    AnchorStatus,
    Annotation,
    DocumentNotes,
)
from ipreader.core.store import FolderStore

TEXT = "Title\n\nThe cat sat on the mat. The cat ran off.\nSecond line here.\n"
ID = "0b6f3c8e-3a4b-4c1d-9e2f-5a6b7c8d9e0f"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT)
    return root


def entry(quote: str, /, **fields: Any) -> dict[str, Any]:
    start = TEXT.index(quote)
    result: dict[str, Any] = {
        "id": ID,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "created": "2024-01-01T00:00:00.000Z",
        "updated": "2024-01-01T00:00:00.000Z",
    }
    result.update(fields)
    return result


def run(folder: Path, *annotations: dict[str, Any], name: str = "in.json") -> ImportReport:
    data = {
        "format": "ipreader.annotations",
        "version": 1,
        "exported_at": "2024-01-01T00:00:00Z",
        "documents": [{"path": "a.txt", "annotations": list(annotations)}],
    }
    path = folder.parent / name
    path.write_text(json.dumps(data))
    return import_file(path, folder)


def saved(folder: Path) -> list[Annotation]:
    return FolderStore.open(folder).annotations("a.txt")


def test_a_quote_at_offset_zero_is_trusted_where_it_is(folder: Path) -> None:
    report = run(folder, entry("Title"))
    assert report.messages == []
    [annotation] = saved(folder)
    assert (annotation.start, annotation.end, annotation.status) == (0, 5, AnchorStatus.ANCHORED)
    assert (annotation.prefix, annotation.suffix) == ("", TEXT[5 : 5 + CONTEXT_CHARS])


def test_a_negative_start_is_never_trusted(folder: Path) -> None:
    # text[-5:] is the quote: a negative start must not be read from the end.
    quote = TEXT[-5:]
    report = run(folder, entry(quote, start=-5, end=len(TEXT)))
    [annotation] = saved(folder)
    assert (annotation.start, annotation.end) == (len(TEXT) - 5, len(TEXT))
    assert annotation.status is AnchorStatus.MOVED
    [message] = report.messages
    assert message.endswith("offsets do not hold the quote; re-anchored by quote")


def test_a_quote_found_elsewhere_is_stored_as_moved_with_the_context_it_has_there(
    folder: Path,
) -> None:
    quote = "The cat ran off."
    start = TEXT.index(quote)
    report = run(folder, entry(quote, start=1, end=1 + len(quote), prefix="", suffix=""))
    [annotation] = saved(folder)
    assert (annotation.start, annotation.end) == (start, start + len(quote))
    assert annotation.status is AnchorStatus.MOVED
    assert annotation.quote == quote
    assert annotation.prefix == TEXT[max(0, start - CONTEXT_CHARS) : start]
    assert annotation.suffix == TEXT[start + len(quote) : start + len(quote) + CONTEXT_CHARS]
    assert annotation.score is None
    assert report.added == 1 and report.orphaned == 0
    assert any("re-anchored by quote" in message for message in report.messages)


def test_a_quote_with_only_its_prefix_keeps_what_it_was_given(folder: Path) -> None:
    # Offsets that hold the quote are trusted; given context is kept as it is.
    run(folder, entry("cat", prefix="The ", suffix=""))
    [annotation] = saved(folder)
    assert (annotation.prefix, annotation.suffix) == ("The ", "")
    assert annotation.start == TEXT.index("cat")


def test_an_approximate_match_is_kept_with_its_original_quote_and_score(folder: Path) -> None:
    quote = "The cat sat on teh mat."
    start = TEXT.index("The cat sat on the mat.")
    run(folder, entry("Title", quote=quote, start=None, end=None))
    [annotation] = saved(folder)
    assert annotation.status is AnchorStatus.FUZZY
    assert annotation.quote == quote  # what was highlighted, not what is there now
    assert (annotation.start, annotation.end) == (start, start + len(quote))
    assert annotation.score is not None and 80 <= annotation.score < 100


def test_an_orphan_keeps_its_old_offsets_and_a_negative_start_becomes_zero(folder: Path) -> None:
    report = run(
        folder,
        entry("Title", quote="nowhere in the text", start=20, end=39),
        entry("Title", id=str(uuid.uuid4()), quote="also absent", start=-4, end=7),
        entry("Title", id=str(uuid.uuid4()), quote="absent too", start=9, end=3),
    )
    by_quote = {a.quote: a for a in saved(folder)}
    assert all(a.status is AnchorStatus.ORPHANED for a in by_quote.values())
    assert (by_quote["nowhere in the text"].start, by_quote["nowhere in the text"].end) == (20, 39)
    assert (by_quote["also absent"].start, by_quote["also absent"].end) == (0, 7)
    assert (by_quote["absent too"].start, by_quote["absent too"].end) == (9, 9)
    assert report.orphaned == 3 and report.added == 3 and report.rejected == 0


def test_an_entry_stored_as_orphaned_is_not_reported_again(folder: Path) -> None:
    report = run(folder, entry("Title", quote="gone", start=None, end=None, status="orphaned"))
    assert report.messages == []
    [annotation] = saved(folder)
    assert annotation.status is AnchorStatus.ORPHANED


def test_an_entry_stored_as_orphaned_whose_offsets_now_hold_it_is_anchored(folder: Path) -> None:
    report = run(folder, entry("cat sat", status="orphaned"))
    [annotation] = saved(folder)
    assert annotation.status is AnchorStatus.ANCHORED
    assert report.messages == [] and report.orphaned == 0


@pytest.mark.parametrize("given", [None, ""])
def test_an_entry_without_an_id_gets_a_new_uuid(folder: Path, given: str | None) -> None:
    first = entry("Title", id=given)
    second = entry("cat sat", id=given)
    report = run(folder, first, second)
    ids = {a.id for a in saved(folder)}
    assert report.added == 2 and report.rejected == 0
    assert len(ids) == 2 and all(str(uuid.UUID(value)) == value for value in ids)


def test_a_foreign_id_becomes_a_stable_uuid_and_is_kept_as_the_origin(folder: Path) -> None:
    run(folder, entry("Title", id="hyp:abc123"))
    run(folder, entry("Title", id="hyp:abc123"), name="again.json")
    [annotation] = saved(folder)
    assert annotation.origin == "hyp:abc123"
    assert str(uuid.UUID(annotation.id)) == annotation.id


def test_a_braced_urn_uuid_is_the_uuid_itself(folder: Path) -> None:
    run(folder, entry("Title", id="urn:uuid:{" + ID.upper() + "}"))
    [annotation] = saved(folder)
    assert annotation.id == ID and annotation.origin == ""


def _stored_note(folder: Path) -> str:
    [annotation] = saved(folder)
    return annotation.note


def test_times_with_an_offset_are_compared_as_instants(folder: Path) -> None:
    run(folder, entry("Title", note="folder", updated="2024-01-01T10:00:00Z"))
    # 12:00 at +05:00 is 07:00 UTC: older than the folder's 10:00, though it reads later.
    older = run(
        folder,
        entry("Title", note="older", updated="2024-01-01T12:00:00+05:00"),
        name="older.json",
    )
    assert _stored_note(folder) == "folder"
    assert older.updated == 0 and older.conflicts == 1
    # 09:30 at -02:00 is 11:30 UTC: newer than 10:00, though it reads earlier.
    newer = run(
        folder,
        entry("Title", note="newer", updated="2024-01-01T09:30:00-02:00"),
        name="newer.json",
    )
    assert _stored_note(folder) == "newer"
    assert newer.updated == 1 and newer.conflicts == 0


def test_explicit_null_fields_mean_not_given(folder: Path) -> None:
    nulls = dict.fromkeys(
        ("note", "tags", "color", "prefix", "suffix", "status", "revision", "score", "creator",
         "current", "origin", "created"),
    )  # fmt: skip
    report = run(folder, entry("cat sat", **nulls))
    assert report.added == 1 and report.rejected == 0, report.messages
    [annotation] = saved(folder)
    assert annotation.status is AnchorStatus.ANCHORED
    assert (annotation.note, annotation.tags, annotation.origin) == ("", (), "")
    assert annotation.created == annotation.updated == "2024-01-01T00:00:00.000Z"
    start = TEXT.index("cat sat")
    assert annotation.prefix == TEXT[:start]


def test_an_entry_without_times_is_given_now_and_never_replaces_a_stored_one(
    folder: Path,
) -> None:
    report = run(folder, entry("Title", created=None, updated=None, note="first"))
    [annotation] = saved(folder)
    assert annotation.created == annotation.updated
    assert annotation.created > "2025"
    again = run(folder, entry("Title", created=None, updated=None, note="second"), name="b.json")
    assert _stored_note(folder) == "first"
    assert (again.unchanged, again.updated, again.added) == (1, 0, 0)
    assert report.added == 1


def test_only_a_created_time_counts_as_a_time(folder: Path) -> None:
    run(folder, entry("Title", note="first", updated=None, created="2024-01-01T00:00:00Z"))
    [annotation] = saved(folder)
    assert annotation.updated == annotation.created == "2024-01-01T00:00:00.000Z"
    report = run(
        folder,
        entry("Title", note="second", updated=None, created="2024-02-01T00:00:00Z"),
        name="b.json",
    )
    assert _stored_note(folder) == "second" and report.updated == 1


def test_counts_add_up_and_are_never_negative(folder: Path) -> None:
    report = run(
        folder,
        entry("Title"),
        entry("Title", id=str(uuid.uuid4()), quote=""),
        entry("Title", id=str(uuid.uuid4()), start="zero"),
        entry("Title"),  # the same id again
    )
    assert (report.added, report.rejected, report.updated, report.unchanged) == (1, 3, 0, 0)
    assert report.summary() == "added 1, updated 0, unchanged 0, rejected 3"
    assert len(report.messages) == 3
    assert any("duplicate id" in message for message in report.messages)
    assert any("quote is missing or empty" in message for message in report.messages)


def test_a_document_that_cannot_be_found_rejects_each_of_its_entries(folder: Path) -> None:
    data = {
        "format": "ipreader.annotations",
        "version": 1,
        "exported_at": "2024-01-01T00:00:00Z",
        "documents": [
            {"path": "missing.txt", "annotations": [entry("Title"), entry("cat sat")]},
        ],
    }
    path = folder.parent / "in.json"
    path.write_text(json.dumps(data))
    report = import_file(path, folder)
    assert report.rejected == 2 and report.added == 0
    assert len(report.messages) == 1 and "document skipped" in report.messages[0]


def test_an_updated_time_alone_counts_as_a_time(folder: Path) -> None:
    run(folder, entry("Title", note="first"))
    report = run(
        folder,
        entry("Title", note="second", created=None, updated="2024-02-01T00:00:00Z"),
        name="b.json",
    )
    assert _stored_note(folder) == "second" and report.updated == 1


def _with_document(folder: Path, document: dict[str, Any], name: str = "doc.json") -> ImportReport:
    data = {
        "format": "ipreader.annotations",
        "version": 1,
        "exported_at": "2024-01-01T00:00:00Z",
        "documents": [{"path": "a.txt", **document}],
    }
    path = folder.parent / name
    path.write_text(json.dumps(data))
    return import_file(path, folder)


def test_an_id_that_belongs_to_another_document_is_rejected(folder: Path) -> None:
    (folder / "b.txt").write_text("Other words.\n")
    store = FolderStore.open(folder)
    store.save_annotation(Annotation.create("Other words.\n", 0, 5, "b.txt"))
    [theirs] = store.annotations("b.txt")
    report = run(folder, entry("Title", id=theirs.id))
    assert saved(folder) == []
    assert report.rejected == 1 and report.added == 0
    [message] = report.messages
    assert message.endswith(f"id {theirs.id} already belongs to 'b.txt'; skipped")


def test_document_tags_are_merged_and_a_different_note_is_kept_and_reported(
    folder: Path,
) -> None:
    FolderStore.open(folder).set_document_notes("a.txt", DocumentNotes(tags=("old",), note="ours"))
    report = _with_document(folder, {"tags": ["new", "old"], "note": "theirs", "annotations": []})
    notes = FolderStore.open(folder).document_notes("a.txt")
    assert notes.note == "ours"
    assert set(notes.tags) == {"old", "new"}
    assert [m.split(": ", 1)[1] for m in report.messages] == [
        "the folder's document note differs; kept the folder's"
    ]


def test_a_document_note_is_taken_when_the_folder_has_none(folder: Path) -> None:
    report = _with_document(folder, {"note": "theirs"})
    assert FolderStore.open(folder).document_notes("a.txt").note == "theirs"
    assert report.messages == []


def test_document_tags_stop_at_the_limit_and_say_how_many_were_not_added(folder: Path) -> None:
    ours = tuple(f"ours{n}" for n in range(MAX_DOCUMENT_TAGS - 10))
    FolderStore.open(folder).set_document_notes("a.txt", DocumentNotes(tags=ours))
    report = _with_document(folder, {"tags": [f"theirs{n}" for n in range(25)]})
    tags = FolderStore.open(folder).document_notes("a.txt").tags
    assert len(tags) == MAX_DOCUMENT_TAGS and set(ours) <= set(tags)
    [message] = report.messages
    assert message.endswith(f"a document holds at most {MAX_DOCUMENT_TAGS:,} tags; 15 not added")


def test_a_document_not_found_is_named_by_its_first_entries(folder: Path) -> None:
    rows = [
        {
            "id": f"row{n}",
            "uri": "https://example.org/page.html",
            "text": "",
            "target": [{"selector": [{"type": "TextQuoteSelector", "exact": "not in a.txt"}]}],
        }
        for n in range(4)
    ]
    path = folder.parent / "hyp.json"
    path.write_text(json.dumps({"rows": rows}))
    report = import_file(path, folder)
    assert report.rejected == 4
    [message] = report.messages
    assert message.startswith(
        "annotations on 'https://example.org/page.html' (rows[0], rows[1], rows[2], ...): "
    )
    assert message.endswith("; document skipped")
    path.write_text(json.dumps({"rows": rows[:2]}))
    [message] = import_file(path, folder).messages
    assert message.startswith("annotations on 'https://example.org/page.html' (rows[0], rows[1]): ")
