"""Import: round trip, merge rules, quote-only anchoring and every rejection path."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipreader.core.errors import ImportFileError
from ipreader.core.export import export_data
from ipreader.core.importer import import_file, reading
from ipreader.core.library import Library
from ipreader.core.model import MAX_TEXT_CHARS, AnchorStatus, Annotation, DocumentNotes
from ipreader.core.store import FolderStore

TEXT = "Title\n\nThe cat sat on the mat. The cat ran off.\nSecond line here.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(TEXT)
    (root / "sub" / "b.txt").write_text("Other\n\nSome other words.\n")
    return root


def write_export(path: Path, documents: list[Any], **top: Any) -> Path:
    data = {"format": "ipreader.annotations", "version": 1, "exported_at": "2024-01-01T00:00:00Z"}
    data.update(top)
    data["documents"] = documents
    path.write_text(json.dumps(data))
    return path


def entry(quote: str, /, **fields: Any) -> dict[str, Any]:
    start = TEXT.index(quote)
    result: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "updated": "2024-01-01T00:00:00.000Z",
        "created": "2024-01-01T00:00:00.000Z",
    }
    result.update(fields)
    return result


def stored(root: Path) -> dict[str, Annotation]:
    store = FolderStore.open(root)
    return {a.id: a for items in store.all_annotations().values() for a in items}


def test_round_trip_reproduces_the_export(folder: Path, tmp_path: Path) -> None:
    library = Library.open([folder])
    text, _ = library.load(library.documents()[0])
    store = library.collections[0].store
    store.save_annotation(Annotation.create(text, 7, 14, "a.txt", note="n", tags=["T", "u"]))
    store.save_annotation(Annotation.create(text, 4, 6, "a.txt", color="pink"))
    # A moved one and an orphan must keep their status through the round trip.
    start = text.index("mat")
    moved = Annotation.create(text, start, start + 3, "a.txt")
    store.save_annotation(replace(moved, status=AnchorStatus.MOVED))
    orphan = Annotation.create(text, 1, 3, "a.txt")
    store.save_annotation(replace(orphan, quote="zzz gone", status=AnchorStatus.ORPHANED))
    store.set_document_notes("sub/b.txt", DocumentNotes(tags=("doc",), note="doc note"))
    first = export_data(Library.open([folder]))
    export_file = tmp_path / "export.json"
    export_file.write_text(json.dumps(first))

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".ipreader"))
    report = import_file(export_file, copy)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (4, 0, 0, 0)
    second = export_data(Library.open([copy]))
    first.pop("exported_at"), second.pop("exported_at")
    assert second == first

    again = import_file(export_file, copy)
    assert (again.added, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 0)


def test_same_revision_newer_updated_wins_older_is_a_reported_conflict(
    folder: Path, tmp_path: Path
) -> None:
    old = entry("cat", note="old", updated="2024-01-01T00:00:00.000Z")
    import_file(
        write_export(tmp_path / "1.json", [{"path": "a.txt", "annotations": [old]}]), folder
    )
    newer = {**old, "note": "new", "updated": "2024-06-01T00:00:00.000Z"}
    report = import_file(
        write_export(tmp_path / "2.json", [{"path": "a.txt", "annotations": [newer]}]), folder
    )
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    assert stored(folder)[old["id"]].note == "new"
    older = {**old, "note": "older", "updated": "2023-01-01T00:00:00+00:00"}
    report = import_file(
        write_export(tmp_path / "3.json", [{"path": "a.txt", "annotations": [older]}]), folder
    )
    assert (report.added, report.updated, report.unchanged, report.conflicts) == (0, 0, 0, 1)
    assert stored(folder)[old["id"]].note == "new"
    assert "1 conflicts not applied" in report.summary()
    assert any("conflict" in m and "not applied" in m for m in report.messages)


def test_a_higher_revision_replaces_whatever_its_clock(folder: Path, tmp_path: Path) -> None:
    old = entry("cat", note="old", updated="2024-06-01T00:00:00.000Z")
    import_file(
        write_export(tmp_path / "1.json", [{"path": "a.txt", "annotations": [old]}]), folder
    )
    edited = {**old, "note": "edited", "revision": 2, "updated": "2024-01-01T00:00:00.000Z"}
    report = import_file(
        write_export(tmp_path / "2.json", [{"path": "a.txt", "annotations": [edited]}]), folder
    )
    assert (report.updated, report.conflicts) == (1, 0)
    assert stored(folder)[old["id"]].note == "edited"


def test_an_import_from_2099_never_reverts_a_later_edit(folder: Path, tmp_path: Path) -> None:
    """The issue's case: re-importing an export dated 2099 after the user edited."""
    old = entry("cat", note="old")
    import_file(
        write_export(tmp_path / "1.json", [{"path": "a.txt", "annotations": [old]}]), folder
    )
    future = {**old, "note": "from 2099", "revision": 2, "updated": "2099-01-01T00:00:00.000Z"}
    future_file = write_export(tmp_path / "2.json", [{"path": "a.txt", "annotations": [future]}])
    report = import_file(future_file, folder)
    assert report.updated == 1
    assert any("in the future: set to now" in m for m in report.messages)
    applied = stored(folder)[old["id"]]
    assert not applied.updated.startswith("2099")
    store = FolderStore.open(folder)
    store.save_annotation(applied.edited(note="the user's later edit"))
    again = import_file(future_file, folder)
    assert (again.updated, again.unchanged) == (0, 1)
    assert stored(folder)[old["id"]].note == "the user's later edit"


def test_quote_only_is_anchored_with_context(folder: Path, tmp_path: Path) -> None:
    second_cat = TEXT.index("cat", TEXT.index("cat") + 1)
    items = [
        {"quote": "cat", "prefix": "mat. The ", "suffix": " ran"},
        {"quote": "Second line"},
        {"quote": "not in the text at all", "id": str(uuid.uuid4())},
    ]
    report = import_file(
        write_export(tmp_path / "q.json", [{"path": "a.txt", "annotations": items}]), folder
    )
    assert (report.added, report.rejected, report.orphaned) == (3, 0, 1)
    assert any("kept as orphaned" in m for m in report.messages)
    by_quote = {a.quote: a for a in stored(folder).values()}
    assert by_quote["cat"].start == second_cat
    assert TEXT[by_quote["Second line"].start :].startswith("Second line")
    assert by_quote["not in the text at all"].status is AnchorStatus.ORPHANED
    for annotation in by_quote.values():
        uuid.UUID(annotation.id)  # generated ids are UUIDs


@pytest.mark.parametrize(
    ("start", "end"),
    [(-5, 3), (10, 10), (12, 4), (0, 10_000), (0, 3)],
    ids=["negative", "empty", "reversed", "beyond", "wrong-text"],
)
def test_invalid_offsets_are_reanchored_by_quote(
    folder: Path, tmp_path: Path, start: int, end: int
) -> None:
    item = entry("sat on", start=start, end=end)
    report = import_file(
        write_export(tmp_path / "o.json", [{"path": "a.txt", "annotations": [item]}]), folder
    )
    assert report.added == 1 and report.rejected == 0
    assert any("re-anchored" in m for m in report.messages)
    annotation = stored(folder)[item["id"]]
    assert TEXT[annotation.start : annotation.end] == "sat on"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../outside.txt", "escapes"),
        ("/etc/passwd", "absolute"),
        ("sub\\b.txt", "absolute or not a relative POSIX path"),
        ("missing.txt", "names no article"),
        (42, "must be a non-empty string"),
        ("link.txt", "outside"),
    ],
)
def test_bad_document_paths_are_rejected(
    folder: Path, tmp_path: Path, path: Any, reason: str
) -> None:
    (tmp_path / "outside.txt").write_text("The cat outside\n")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    documents = [
        {"path": path, "annotations": [entry("cat")]},
        {"path": "a.txt", "annotations": [entry("mat")]},
    ]
    report = import_file(write_export(tmp_path / "p.json", documents), folder)
    assert (report.added, report.rejected) == (1, 1)
    assert any(reason in m for m in report.messages), report.messages
    assert [a.quote for a in stored(folder).values()] == ["mat"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"start": "7"}, "start must be an integer"),
        ({"quote": 5}, "quote must be a string"),
        ({"quote": ""}, "quote is missing"),
        ({"tags": "a,b"}, "tags must be a list"),
        ({"note": "x" * (MAX_TEXT_CHARS + 1)}, "too long"),
        ({"color": "octarine"}, "color 'octarine' is not one of"),
        ({"id": 7}, "id must be a string"),
        ({"updated": "yesterday"}, "ISO-8601"),
        ({"status": "lost"}, "status 'lost' is not a known status"),
    ],
)
def test_bad_annotation_fields_are_rejected(
    folder: Path, tmp_path: Path, changes: dict[str, Any], reason: str
) -> None:
    items = [entry("cat", **changes), entry("mat")]
    report = import_file(
        write_export(tmp_path / "f.json", [{"path": "a.txt", "annotations": items}]), folder
    )
    assert (report.added, report.rejected) == (1, 1)
    assert any(reason in m for m in report.messages), report.messages


def test_non_object_entries_and_duplicates(folder: Path, tmp_path: Path) -> None:
    duplicate = entry("cat")
    documents = [
        "not a document",
        {"path": "a.txt", "annotations": [duplicate, ["no"], dict(duplicate, note="again")]},
        {"path": "sub/b.txt", "annotations": "nope"},
    ]
    report = import_file(write_export(tmp_path / "d.json", documents), folder)
    assert report.added == 1
    assert report.rejected == 4
    text = "\n".join(report.messages)
    assert "duplicate id" in text and "not an object" in text and "must be a list" in text


def test_document_notes_merge(folder: Path, tmp_path: Path) -> None:
    FolderStore.open(folder).set_document_notes("a.txt", DocumentNotes(("mine",), "my note"))
    documents = [
        {"path": "a.txt", "tags": ["Mine", "theirs"], "note": "their note", "annotations": []},
        {"path": "sub/b.txt", "tags": [], "note": "fresh", "annotations": []},
    ]
    report = import_file(write_export(tmp_path / "n.json", documents), folder)
    store = FolderStore.open(folder)
    assert store.document_notes("a.txt") == DocumentNotes(("mine", "theirs"), "my note")
    assert store.document_notes("sub/b.txt").note == "fresh"
    assert any("note differs" in m for m in report.messages)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "malformed JSON"),
        ("[]", "not an ipreader export"),
        ('{"format": "other", "version": 1, "documents": []}', "not an ipreader export"),
        ('{"format": "ipreader.annotations", "version": 2, "documents": []}', "newer"),
        ('{"format": "ipreader.annotations", "version": "1", "documents": []}', "version"),
        ('{"format": "ipreader.annotations", "version": 1, "documents": {}}', "must be a list"),
        ("\xff\xfe", "not UTF-8"),
        ("[" * 5_000 + "]" * 5_000, "nested too deeply"),
        ("[" * 100_000 + "]" * 100_000, "far more entries than an annotation file holds"),
        # Over int max str digits: json.loads raises a plain ValueError, not JSONDecodeError.
        ('{"format": "ipreader.annotations", "version": 1' + "0" * 5000 + "}", "too many digits"),
    ],
    ids=[
        "malformed",
        "list",
        "format",
        "version",
        "version-type",
        "docs",
        "binary",
        "deep",
        "dense",
        "huge-int",
    ],
)
def test_whole_file_errors_write_nothing(
    folder: Path, tmp_path: Path, content: str, reason: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content.encode("latin-1") if reason == "not UTF-8" else content.encode())
    with pytest.raises(ImportFileError, match=reason):
        import_file(bad, folder)
    assert not (folder / ".ipreader").exists()


def test_size_limit(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_IMPORT_BYTES", 100)
    big = write_export(tmp_path / "big.json", [{"path": "a.txt", "annotations": [entry("cat")]}])
    with pytest.raises(ImportFileError, match="too large"):
        import_file(big, folder)
    with pytest.raises(ImportFileError, match="cannot read"):
        import_file(tmp_path / "absent.json", folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_not_waited_on(folder: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # nobody writes to it: a blocking open would never return
    with pytest.raises(ImportFileError, match="not a regular file"):
        import_file(fifo, folder)
    assert not (folder / ".ipreader").exists()


def test_one_write_per_document(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = FolderStore.save_annotations

    def counting(self: FolderStore, annotations: Any, **options: Any) -> None:
        items = list(annotations)
        calls.append(len(items))
        original(self, items, **options)

    monkeypatch.setattr(FolderStore, "save_annotations", counting)
    items = [entry(q) for q in ("The", "cat", "sat", "mat", "Second")]
    import_file(
        write_export(tmp_path / "w.json", [{"path": "a.txt", "annotations": items}]), folder
    )
    assert calls == [5]


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.text(max_size=30),
    st.sampled_from(["cat", "The cat", "mat.", "yellow", "anchored", "2024-01-01T00:00:00Z"]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_FIELDS = ["id", "start", "end", "quote", "prefix", "suffix", "color", "note", "tags"]
_FIELDS += ["created", "updated", "status", "document"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(
        st.one_of(st.dictionaries(st.sampled_from(_FIELDS), _VALUES, max_size=13), _VALUES),
        max_size=6,
    ),
    path=st.sampled_from(["a.txt", "sub/b.txt", "../a.txt", "", "a.txt/.."]),
)
def test_any_entries_are_merged_or_reported_never_raised(
    entries: list[Any], path: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "a.txt").write_text(TEXT)
    (root / "sub").mkdir()
    (root / "sub" / "b.txt").write_text("Other\n\nSome other words.\n")
    export = write_export(
        root.parent / f"{root.name}.json", [{"path": path, "annotations": entries}]
    )
    report = import_file(export, root)
    counted = report.added + report.updated + report.unchanged + report.rejected
    if path in ("a.txt", "sub/b.txt"):
        assert counted == len(entries)
    else:
        assert report.added == 0 and report.rejected == max(len(entries), 1)
    assert bool(report.messages) or report.rejected == 0
    for annotation in stored(root).values():
        text = (root / annotation.document).read_text()
        if annotation.is_anchored:
            assert text[annotation.start : annotation.end] == annotation.quote


def test_notes_and_annotations_are_saved_in_batches(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes_calls: list[dict[str, DocumentNotes]] = []
    original = FolderStore.set_documents_notes

    def counting(self: FolderStore, notes: Any) -> None:
        notes_calls.append(dict(notes))
        original(self, notes)

    monkeypatch.setattr(FolderStore, "set_documents_notes", counting)
    documents = [
        {"path": "a.txt", "tags": ["one"], "annotations": [entry("cat")]},
        {"path": "sub/b.txt", "note": "b note", "annotations": []},
        {"path": "a.txt", "tags": ["two"], "note": "a note", "annotations": [entry("mat")]},
    ]
    report = import_file(write_export(tmp_path / "n.json", documents), folder)
    assert report.added == 2 and report.rejected == 0
    assert len(notes_calls) == 1  # one index write for every document's notes
    store = FolderStore.open(folder)
    # The same document twice: both entries' tags merged, in order.
    assert store.document_notes("a.txt") == DocumentNotes(("one", "two"), "a note")
    assert store.document_notes("sub/b.txt") == DocumentNotes((), "b note")
    assert sorted(a.quote for a in store.annotations("a.txt")) == ["cat", "mat"]


def test_entries_are_decoded_by_the_store_rules(folder: Path, tmp_path: Path) -> None:
    item = entry(
        "sat on",
        prefix="x" * 5000 + "The cat ",
        created="2024-01-01T02:00:00+02:00",
        updated="2024-01-01T03:00:00+02:00",
        creator="Ann",
        revision=4,
    )
    report = import_file(
        write_export(tmp_path / "r.json", [{"path": "a.txt", "annotations": [item]}]), folder
    )
    assert report.added == 1 and report.rejected == 0
    annotation = stored(folder)[item["id"]]
    # Context cut to what anchoring uses; times in UTC; who and which revision kept.
    assert annotation.prefix.endswith("The cat ") and len(annotation.prefix) <= 32
    assert (annotation.created, annotation.updated) == (
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T01:00:00.000Z",
    )
    assert (annotation.creator, annotation.revision) == ("Ann", 4)


def test_a_quote_given_without_a_position_is_placed_exact_not_moved(tmp_path: Path) -> None:
    """Nothing moved: a quote-only entry is found where it is (a user saw "moved" on all)."""
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\nThe cat sat on the mat.\n", encoding="utf-8")
    data = {
        "format": "ipreader.annotations",
        "version": 1,
        "documents": [{"path": "a.txt", "annotations": [{"quote": "cat sat"}]}],
    }
    source = tmp_path / "in.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    import_file(source, folder)
    (stored,) = FolderStore.open(folder).annotations("a.txt")
    assert stored.status is AnchorStatus.ANCHORED
    assert (stored.start, stored.end, stored.quote) == (11, 18, "cat sat")
