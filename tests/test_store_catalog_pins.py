"""The catalog as a user relies on it: every highlight read back, never stale, damage named.

A ``Catalog`` over a temporary store location with a real lock; bucket files
are written as another ipreader (or an older run) would leave them.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.codebook import Codebook, TagEntry
from ipreader.core.errors import SchemaTooNewError, StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.notices import Notices
from ipreader.core.store import buckets, catalog
from ipreader.core.store.buckets import bucket_name, bucket_of
from ipreader.core.store.catalog import Catalog
from ipreader.core.store.formats import LOCK_FILE, SCHEMA_VERSION, DocRecord
from ipreader.core.store.lock import FolderLock

TEXT = "The quick brown fox jumps over the lazy dog. " * 40
DOC = DocRecord("0a0a0a0a-0000-4000-8000-00000000000a", "a.txt")
OLD_NS = 1_600_000_000_123_456_789


_NOTICES: dict[int, Notices] = {}  # each catalog's notices, by id(catalog)


def open_catalog(location: Path) -> Catalog:
    notices = Notices()
    opened = Catalog(location, FolderLock(location / LOCK_FILE, timeout=5), notices)
    _NOTICES[id(opened)] = notices
    return opened


@pytest.fixture
def cat(tmp_path: Path) -> Catalog:
    location = tmp_path / "store"
    (location / "annotations").mkdir(parents=True)
    return open_catalog(location)


def highlight(number: int, note: str = "") -> Annotation:
    return Annotation.create(TEXT, number, number + 7, DOC.relpath, note=note)


def save(cat: Catalog, *annotations: Annotation, record: DocRecord = DOC) -> None:
    with cat.writing():
        cat.register([record.relpath], lambda _relpath: record)
        cat.put_annotations([(record, {a.id: a.to_dict() for a in annotations})])


def write_json(path: Path, tables: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tables))


def rows(*annotations: Annotation) -> dict[str, Any]:
    return {"annotations": {a.id: a.to_dict() for a in annotations}}


def bucket_path(cat: Catalog, key: str, count: int) -> Path:
    return cat.annotations_dir / DOC.id / bucket_name(bucket_of(key, count), count)


def notices(cat: Catalog) -> str:
    """The notices the app would show, joined."""
    return " | ".join(_NOTICES[id(cat)].all())


# ------------------------------------------------------------------ reading back


def test_saved_highlights_read_back_in_document_order(cat: Catalog) -> None:
    later, earlier = highlight(30), highlight(3)
    save(cat, later, earlier)
    assert [a.id for a in cat.annotations_of(DOC)] == [earlier.id, later.id]
    assert cat.annotation(DOC, later.id) == later
    assert cat.annotation(DOC, "0a0a0a0a-0000-4000-8000-0000000000ff") is None


def test_a_document_with_no_file_has_no_highlights(cat: Catalog) -> None:
    assert cat.annotations_of(DOC) == ()
    assert cat.annotation(DOC, "0a0a0a0a-0000-4000-8000-0000000000ff") is None


def test_a_renamed_document_shows_its_highlights_under_the_new_name(cat: Catalog) -> None:
    first = highlight(3)
    save(cat, first)
    assert cat.annotations_of(DOC)[0].document == "a.txt"
    renamed = replace(DOC, relpath="b.txt")
    assert [a.document for a in cat.annotations_of(renamed)] == ["b.txt"]
    found = cat.annotation(renamed, first.id)
    assert found is not None and found.document == "b.txt"
    assert cat.annotations_of(DOC)[0].document == "a.txt"


def test_of_two_generations_the_newer_copy_of_a_highlight_wins(cat: Catalog) -> None:
    old = highlight(3, note="old")
    new = replace(old, note="new", revision=old.revision + 1)
    other = highlight(40, note="only in the old generation")
    # The single file (1 bucket) holds the old copy; a 2-bucket generation the new one.
    write_json(cat.annotations_dir / f"{DOC.id}.json", rows(old, other))
    write_json(bucket_path(cat, new.id, 2), rows(new))
    assert {a.id: a.note for a in cat.annotations_of(DOC)} == {
        old.id: "new",
        other.id: "only in the old generation",
    }
    found = cat.annotation(DOC, old.id)
    assert found is not None and found.note == "new"
    # And the other way round: the newer copy in the older generation still wins.
    write_json(cat.annotations_dir / f"{DOC.id}.json", rows(new, other))
    write_json(bucket_path(cat, new.id, 2), rows(old))
    assert {a.id: a.note for a in cat.annotations_of(DOC)}[old.id] == "new"
    found = cat.annotation(DOC, old.id)
    assert found is not None and found.note == "new"


def test_of_two_equal_copies_the_larger_generation_wins(cat: Catalog) -> None:
    old = highlight(3, note="single")
    twin = replace(old, note="bucket")  # same revision, same updated
    write_json(cat.annotations_dir / f"{DOC.id}.json", rows(old))
    write_json(bucket_path(cat, old.id, 2), rows(twin))
    assert [a.note for a in cat.annotations_of(DOC)] == ["bucket"]
    found = cat.annotation(DOC, old.id)
    assert found is not None and found.note == "bucket"


def test_a_highlight_saved_by_another_process_is_never_shown_stale(cat: Catalog) -> None:
    first = highlight(3, note="one")
    save(cat, first)
    assert cat.annotations_of(DOC)[0].note == "one"
    other = open_catalog(cat.location)
    save(other, first.edited(note="two"))
    assert cat.annotations_of(DOC)[0].note == "two"
    found = cat.annotation(DOC, first.id)
    assert found is not None and found.note == "two"


def test_every_document_is_read_in_one_pass(cat: Catalog) -> None:
    second = DocRecord("0a0a0a0a-0000-4000-8000-00000000000b", "b.txt")
    a, b = highlight(3), replace(highlight(5), document="b.txt")
    save(cat, a)
    save(cat, b, record=second)
    assert [
        (r.relpath, [x.id for x in found]) for r, found in cat.annotations_of_all([DOC, second])
    ] == [
        ("a.txt", [a.id]),
        ("b.txt", [b.id]),
    ]


def test_a_pass_without_an_annotations_directory_reads_nothing_and_says_nothing(
    tmp_path: Path,
) -> None:
    cat = open_catalog(tmp_path)
    assert list(cat.annotations_of_all([DOC])) == [(DOC, ())]
    assert notices(cat) == ""


def test_a_pass_reads_a_document_split_into_buckets(cat: Catalog) -> None:
    a = highlight(3)
    write_json(bucket_path(cat, a.id, 2), rows(a))
    assert [(r, [x.id for x in found]) for r, found in cat.annotations_of_all([DOC])] == [
        (DOC, [a.id])
    ]


def test_a_pass_reports_a_record_that_cannot_be_read(cat: Catalog) -> None:
    write_json(cat.annotations_dir / f"{DOC.id}.json", {"annotations": {"not-a-uuid": {}}})
    assert list(cat.annotations_of_all([DOC])) == [(DOC, ())]
    assert "1 annotation(s) of a.txt could not be read" in notices(cat)


# ------------------------------------------------------------------ the index


def test_the_index_read_in_one_hold_is_read_again_in_the_next(cat: Catalog) -> None:
    save(cat, highlight(3))
    second = DocRecord("0a0a0a0a-0000-4000-8000-00000000000b", "b.txt")
    with cat.writing():
        assert [r.relpath for r in cat.index().documents] == ["a.txt"]
    other = open_catalog(cat.location)
    with other.writing():
        other.put_documents([second])
    with cat.writing():
        assert sorted(r.relpath for r in cat.index().documents) == ["a.txt", "b.txt"]
    assert sorted(r.relpath for r in cat.index().documents) == ["a.txt", "b.txt"]


def test_a_document_registered_in_a_hold_is_in_the_index_at_once(cat: Catalog) -> None:
    second = DocRecord("0a0a0a0a-0000-4000-8000-00000000000b", "b.txt")
    with cat.writing():
        assert cat.index().documents == ()
        cat.register(["b.txt"], lambda _relpath: second)
        assert cat.index().documents == (second,)
        cat.remove_documents([second])
        assert cat.index().documents == ()


def test_a_bad_document_record_is_reported_and_kept(cat: Catalog) -> None:
    write_json(
        cat.index_path,
        {"_meta": {"schema": {"version": SCHEMA_VERSION}}, "documents": {"x": {"relpath": 3}}},
    )
    assert cat.index().documents == ()
    assert notices(cat).startswith(f"{cat.index_path}: 1 document record(s) could not be read (")
    assert notices(cat).endswith("); they are kept in the file and ignored")
    assert "x" in json.loads(cat.index_path.read_text())["documents"]


def test_an_index_of_a_newer_ipreader_makes_the_store_read_only(cat: Catalog) -> None:
    write_json(cat.index_path, {"_meta": {"schema": {"version": SCHEMA_VERSION + 1}}})
    before = cat.index_path.read_bytes()
    with pytest.raises(SchemaTooNewError) as caught, cat.writing():
        pass
    assert str(caught.value).startswith(
        f"{cat.index_path} was written by a newer ipreader (schema {SCHEMA_VERSION + 1}; "
    )
    assert str(caught.value).endswith(
        f"understands up to {SCHEMA_VERSION}); it is left unchanged and annotations are read-only"
    )
    assert notices(cat) == str(caught.value)
    assert cat.index_path.read_bytes() == before


def test_an_index_of_this_version_is_writable(cat: Catalog) -> None:
    write_json(cat.index_path, {"_meta": {"schema": {"version": SCHEMA_VERSION}}})
    with cat.writing():
        cat.put_last_document("a.txt")
    assert cat.last_document() == "a.txt"


def test_the_schema_goes_in_with_the_first_document(cat: Catalog) -> None:
    with cat.writing():
        cat.put_documents([DOC])
    stored = json.loads(cat.index_path.read_text())
    assert stored["_meta"]["schema"]["version"] == SCHEMA_VERSION
    assert cat.index().schema == SCHEMA_VERSION


# ------------------------------------------------------------------ the state and codebook


def test_the_state_keeps_the_last_document_and_the_merged_token(cat: Catalog) -> None:
    assert (cat.last_document(), cat.merged_token()) == (None, None)
    with cat.writing():
        cat.put_last_document("a.txt")
        cat.put_merged_token((1, 2, 3))
    assert (cat.last_document(), cat.merged_token()) == ("a.txt", (1, 2, 3))


def test_a_codebook_is_written_and_read_back(cat: Catalog) -> None:
    empty = Codebook()
    first = Codebook(
        {"claim": TagEntry("Claim", "a claim", "yellow"), "x": TagEntry("X", "ex")},
        {"green": "evidence", "blue": "method"},
    )
    with cat.writing():
        cat.put_codebook(empty, first)
    assert cat.codebook() == first
    second = Codebook({"claim": TagEntry("Claim", "a claim, made")}, {"green": "proof"})
    with cat.writing():
        cat.put_codebook(first, second)
    assert cat.codebook() == second
    stored = json.loads(cat.codebook_path.read_text())
    assert stored == {
        "tags": {"claim": {"tag": "Claim", "description": "a claim, made", "color": ""}},
        "colors": {"green": {"meaning": "proof"}},
    }


def test_a_codebook_change_keeps_records_this_version_cannot_read(cat: Catalog) -> None:
    write_json(
        cat.codebook_path,
        {"tags": {"odd": {"tag": 5}, "claim": {"tag": "Claim", "description": "c", "color": ""}}},
    )
    before = cat.codebook()
    assert "1 record(s) could not be read" in notices(cat)
    after = Codebook({"claim": TagEntry("Claim", "changed")})
    with cat.writing():
        cat.put_codebook(before, after)
    stored = json.loads(cat.codebook_path.read_text())
    assert stored["tags"]["odd"] == {"tag": 5}
    assert stored["tags"]["claim"]["description"] == "changed"


def test_an_unchanged_codebook_is_not_written(cat: Catalog) -> None:
    same = Codebook({"claim": TagEntry("Claim", "c")})
    with cat.writing():
        cat.put_codebook(same, same)
    assert not cat.codebook_path.exists()


# ------------------------------------------------------------------ damaged files


def test_a_damaged_annotations_file_is_set_aside_and_named(cat: Catalog) -> None:
    path = cat.annotations_dir / f"{DOC.id}.json"
    path.write_bytes(b"{not json")
    assert cat.annotations_of(DOC) == ()
    [moved] = [p for p in cat.annotations_dir.iterdir() if p != path]
    assert moved.read_bytes() == b"{not json"
    assert notices(cat).startswith(f"{path} could not be read (not valid JSON")
    assert notices(cat).endswith(
        f"); it was moved aside to {moved} with all its annotations (nothing deleted); "
        "the document starts with no annotations"
    )


def test_a_damaged_bucket_file_is_set_aside_and_the_others_kept(cat: Catalog) -> None:
    a, b = highlight(3), highlight(4)
    while bucket_of(b.id, 2) == bucket_of(a.id, 2):
        b = highlight(4)
    write_json(bucket_path(cat, a.id, 2), rows(a))
    damaged = bucket_path(cat, b.id, 2)
    damaged.write_bytes(b"{not json")
    assert [x.id for x in cat.annotations_of(DOC)] == [a.id]
    assert notices(cat).startswith(f"{damaged} could not be read (not valid JSON")
    assert notices(cat).endswith(
        " with the annotations it held (nothing deleted); the document's other "
        "annotations are shown as before"
    )


@pytest.mark.parametrize("name", ["state.json", "codebook.json"])
def test_a_damaged_state_or_codebook_is_set_aside_and_started_fresh(
    cat: Catalog, name: str
) -> None:
    path = cat.location / name
    path.write_bytes(b"{not json")
    assert cat.last_document() is None
    assert cat.codebook() == Codebook()
    [moved] = [p for p in cat.location.iterdir() if p.name.startswith(name + ".")]
    assert moved.read_bytes() == b"{not json"
    assert notices(cat).startswith(f"{path} could not be read (not valid JSON")
    assert notices(cat).endswith(
        f"; it was moved aside to {moved} (nothing deleted) and started fresh"
    )


def test_a_damaged_index_is_set_aside_and_rebuilt_from_the_annotation_files(
    cat: Catalog,
) -> None:
    a = highlight(3)
    save(cat, a)
    cat.index_path.write_bytes(b"{not json")
    fresh = open_catalog(cat.location)
    assert [r.relpath for r in fresh.index().documents] == ["a.txt"]
    [moved] = [p for p in cat.location.iterdir() if p.name.startswith("index.json.")]
    assert moved.read_bytes() == b"{not json"
    said = notices(fresh)
    assert said.startswith(f"{cat.index_path} could not be read (not valid JSON")
    assert (
        f"it was moved aside to {moved} (nothing deleted), and document notes and reading "
        "positions are only in the moved file; the index was rebuilt from 1 annotation file(s)"
    ) in said
    # Just rebuilt: no second notice about unindexed files.
    fresh.recover_unindexed_files()
    assert notices(fresh) == said


@pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("index.json", {"annotations": {}}),
        ("state.json", {"annotations": {}}),
        ("codebook.json", {"annotations": {}}),
        (f"annotations/{DOC.id}.json", {"state": {}}),
        (f"annotations/{DOC.id}.json", {"tags": {}}),
        (f"annotations/{DOC.id}.json", {"_meta": {}}),
    ],
)
def test_a_file_holding_another_kinds_tables_is_set_aside(
    cat: Catalog, name: str, tables: dict[str, Any]
) -> None:
    path = cat.location / name
    write_json(path, tables)
    cat.index()
    cat.last_document()
    cat.codebook()
    cat.annotations_of(DOC)
    moved = [p for p in path.parent.iterdir() if p.name.startswith(path.name + ".")]
    assert len(moved) == 1
    assert json.loads(moved[0].read_text()) == tables
    assert f"{path} could not be read (unexpected table(s) " in notices(cat)


# ------------------------------------------------------------------ unindexed files


def test_a_file_the_index_lost_is_listed_again(cat: Catalog) -> None:
    save(cat, highlight(3))
    lost = DocRecord("0a0a0a0a-0000-4000-8000-00000000000b", "b.txt")
    write_json(cat.annotations_dir / lost.file, rows(replace(highlight(5), document="b.txt")))
    cat.recover_unindexed_files()
    assert sorted(r.relpath for r in cat.index().documents) == ["a.txt", "b.txt"]
    assert notices(cat) == (
        f"{cat.index_path} did not list every annotation file: 1 annotation file(s) in "
        f"{cat.annotations_dir} were listed in the index again ({lost.file})"
    )


def test_a_read_only_store_names_the_files_the_index_lost(cat: Catalog) -> None:
    save(cat, highlight(3))
    lost = DocRecord("0a0a0a0a-0000-4000-8000-00000000000b", "b.txt")
    write_json(cat.annotations_dir / lost.file, rows(replace(highlight(5), document="b.txt")))
    cat.refuse(StoreWriteError("read-only"))
    cat.recover_unindexed_files()
    assert [r.relpath for r in cat.index().documents] == ["a.txt"]
    assert notices(cat) == "read-only | " + (
        f"{cat.index_path} does not list 1 annotation file(s) in {cat.annotations_dir}; "
        "their highlights are not shown until the store can be written"
    )


def test_nothing_lost_says_nothing(cat: Catalog) -> None:
    save(cat, highlight(3))
    cat.recover_unindexed_files()
    assert notices(cat) == ""


# ------------------------------------------------------------------ buckets and re-shards


@pytest.fixture
def small_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "BUCKET_MAX", 4)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", 2)


@pytest.mark.usefixtures("small_buckets")
def test_a_document_outgrowing_its_file_is_split_and_keeps_every_highlight(
    cat: Catalog,
) -> None:
    first = [highlight(n) for n in range(4)]
    save(cat, *first)
    assert (cat.annotations_dir / DOC.file).is_file()
    more = [highlight(n) for n in range(10, 13)]
    save(cat, *more)
    assert not (cat.annotations_dir / DOC.file).exists()
    names = sorted(p.name for p in (cat.annotations_dir / DOC.id).iterdir())
    count = int(names[0].split("-of-")[1].removesuffix(".json"))
    assert count >= 2 and len(names) == count
    assert {a.id for a in cat.annotations_of(DOC)} == {a.id for a in first + more}
    for a in first + more:
        assert cat.annotation(DOC, a.id) == a
    assert json.loads(cat.index_path.read_text())["_meta"]["schema"]["version"] == SCHEMA_VERSION


@pytest.mark.usefixtures("small_buckets")
def test_a_removal_in_buckets_removes_exactly_that_highlight(cat: Catalog) -> None:
    kept = [highlight(n) for n in range(6)]
    gone = highlight(20)
    save(cat, *kept, gone)
    with cat.writing():
        cat.remove_annotations(DOC, [gone.id, "0a0a0a0a-0000-4000-8000-0000000000ff"])
    assert {a.id for a in cat.annotations_of(DOC)} == {a.id for a in kept}


def test_a_re_shard_cut_short_is_finished_by_the_next_save(cat: Catalog) -> None:
    old = highlight(3, note="old")
    new = replace(old, note="new", revision=old.revision + 1)
    other, added = highlight(8), highlight(12)
    with cat.writing():
        cat.put_documents([DOC])
    write_json(cat.annotations_dir / DOC.file, rows(old, other))
    write_json(bucket_path(cat, new.id, 2), rows(new))
    save(cat, added)
    assert not (cat.annotations_dir / DOC.file).exists()
    assert {a.id: a.note for a in cat.annotations_of(DOC)} == {
        old.id: "new",
        other.id: "",
        added.id: "",
    }
    names = {p.name for p in (cat.annotations_dir / DOC.id).iterdir()}
    assert names == {"0-of-2.json", "1-of-2.json"}


def test_a_re_shard_raises_an_older_schema(cat: Catalog) -> None:
    write_json(
        cat.index_path,
        {"_meta": {"schema": {"version": 1}}, "documents": {DOC.id: DOC.to_dict()}},
    )
    write_json(cat.annotations_dir / DOC.file, rows(highlight(3)))
    write_json(bucket_path(cat, highlight(4).id, 2), rows(highlight(4)))
    save(cat, highlight(5))
    assert cat.index().schema == SCHEMA_VERSION
    assert json.loads(cat.index_path.read_text())["documents"][DOC.id]["relpath"] == "a.txt"


@pytest.mark.usefixtures("small_buckets")
def test_a_file_in_place_of_the_bucket_directory_is_moved_aside(cat: Catalog) -> None:
    (cat.annotations_dir / DOC.id).write_bytes(b"mine")
    highlights = [highlight(n) for n in range(6)]
    save(cat, *highlights)
    assert {a.id for a in cat.annotations_of(DOC)} == {a.id for a in highlights}
    [moved] = [p for p in cat.annotations_dir.iterdir() if p.name.startswith(DOC.id + ".")]
    assert moved.read_bytes() == b"mine"
    assert notices(cat) == (
        f"{cat.annotations_dir / DOC.id} was a regular file, not a directory; it was moved "
        f"aside to {moved} (nothing deleted)"
    )


@pytest.mark.usefixtures("small_buckets")
def test_a_bucket_directory_that_cannot_be_made_saves_nothing(
    cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [highlight(n) for n in range(4)]
    save(cat, *first)
    (cat.annotations_dir / DOC.id).write_bytes(b"mine")

    def cannot_move(path: Path) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(catalog, "quarantine", cannot_move)
    with pytest.raises(StoreWriteError) as caught:
        save(cat, highlight(20))
    assert str(caught.value) == (
        f"{cat.annotations_dir / DOC.id} is a regular file, not a directory, and cannot be "
        "moved aside (Permission denied); nothing was saved"
    )
    assert {a.id for a in cat.annotations_of(DOC)} == {a.id for a in first}


# ------------------------------------------------------------------ change tokens


def age(cat: Catalog) -> None:
    """Set every store file's times years back, as if written long ago."""
    for path in (cat.annotations_dir, cat.index_path, cat.state_path, cat.codebook_path):
        if path.exists():
            os.utime(path, ns=(OLD_NS, OLD_NS))


def test_the_change_token_is_steady_while_nothing_changes(cat: Catalog) -> None:
    save(cat, highlight(3))
    age(cat)
    assert cat.change_token() == cat.change_token()


def test_the_change_token_of_an_empty_location_counts_missing_files(tmp_path: Path) -> None:
    cat = open_catalog(tmp_path / "nowhere")
    token = cat.change_token()
    assert token[:12] == (0,) * 12


def test_a_recent_write_makes_every_change_token_differ(cat: Catalog) -> None:
    save(cat, highlight(3))
    assert cat.change_token() != cat.change_token()


@pytest.mark.usefixtures("small_buckets")
def test_a_save_into_a_bucket_changes_the_token_another_process_polls(cat: Catalog) -> None:
    save(cat, *[highlight(n) for n in range(6)])
    age(cat)
    before = cat.change_token()
    other = open_catalog(cat.location)
    with other.writing():
        other.put_annotations([(DOC, rows(highlight(30))["annotations"])])
    assert cat.change_token() != before


@pytest.mark.parametrize("what", ["state", "codebook"])
def test_a_state_or_codebook_write_changes_the_token(cat: Catalog, what: str) -> None:
    save(cat, highlight(3))
    age(cat)
    before = cat.change_token()
    with cat.writing():
        if what == "state":
            cat.put_last_document("a.txt")
        else:
            cat.put_codebook(Codebook(), Codebook(colors={"green": "x"}))
    assert cat.change_token()[: len(before)] != before[: len(before)]


# ------------------------------------------------------------------ what the last run left


def in_bucket(number: int, count: int, note: str = "") -> Annotation:
    """A new highlight whose id falls in bucket ``number`` of ``count``."""
    while True:
        made = highlight(3, note=note)
        if bucket_of(made.id, count) == number:
            return made


def test_unchanged_files_are_merged_once_and_reused(cat: Catalog) -> None:
    save(cat, highlight(3), highlight(9))
    age(cat)
    for path in cat.annotations_dir.iterdir():
        os.utime(path, ns=(OLD_NS, OLD_NS))
    first = cat.annotations_of(DOC)
    assert cat.annotations_of(DOC) is first
    # Under a new name the same files are merged again, named anew.
    renamed = replace(DOC, relpath="b.txt")
    assert [a.document for a in cat.annotations_of(renamed)] == ["b.txt", "b.txt"]
    assert [a.document for a in cat.annotations_of(DOC)] == ["a.txt", "a.txt"]


def test_a_document_read_before_and_after_its_split_shows_every_highlight(
    cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "BUCKET_MAX", 4)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", 2)
    first = [highlight(n) for n in range(4)]
    save(cat, *first)
    os.utime(cat.annotations_dir / DOC.file, ns=(OLD_NS, OLD_NS))
    assert len(cat.annotations_of(DOC)) == 4
    save(cat, highlight(30))
    for path in (cat.annotations_dir / DOC.id).iterdir():
        os.utime(path, ns=(OLD_NS, OLD_NS))
    assert len(cat.annotations_of(DOC)) == 5
    assert len(cat.annotations_of(DOC)) == 5


def test_the_index_read_in_a_hold_is_trusted_until_the_hold_ends(cat: Catalog) -> None:
    with cat.writing():
        cat.put_documents([DOC])
        held = cat.index()
        # Nobody else writes while the lock is held: a change now is not re-read.
        write_json(cat.index_path, {"_meta": {"schema": {"version": SCHEMA_VERSION}}})
        assert cat.index() is held
    assert cat.index().documents == ()


def test_a_damaged_file_in_a_read_only_store_is_named_and_left(cat: Catalog) -> None:
    cat.refuse(StoreWriteError("read-only"))
    cat.state_path.write_bytes(b"{not json")
    assert cat.last_document() is None
    assert cat.state_path.read_bytes() == b"{not json"
    assert f"{cat.state_path} cannot be read (not valid JSON" in notices(cat)


def test_a_record_that_cannot_be_read_is_named_when_one_highlight_is_looked_up(
    cat: Catalog,
) -> None:
    a = highlight(3)
    tables = rows(a)
    tables["annotations"]["not-a-uuid"] = {}
    write_json(cat.annotations_dir / DOC.file, tables)
    assert cat.annotation(DOC, a.id) == a
    assert "1 annotation(s) of a.txt could not be read" in notices(cat)


def test_a_pass_goes_on_after_a_document_in_buckets(cat: Catalog) -> None:
    second = DocRecord("0a0a0a0a-0000-4000-8000-00000000000b", "b.txt")
    a, b = highlight(3), replace(highlight(5), document="b.txt")
    write_json(bucket_path(cat, a.id, 2), rows(a))
    save(cat, b, record=second)
    assert [(r.relpath, len(found)) for r, found in cat.annotations_of_all([DOC, second])] == [
        ("a.txt", 1),
        ("b.txt", 1),
    ]


def test_a_batch_goes_on_after_a_document_re_sharded(
    cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = DocRecord("0a0a0a0a-0000-4000-8000-00000000000b", "b.txt")
    # DOC: a re-shard cut short (two generations).
    write_json(cat.annotations_dir / DOC.file, rows(highlight(3)))
    write_json(bucket_path(cat, highlight(4).id, 2), rows(highlight(4)))
    b = replace(highlight(5), document="b.txt")
    with cat.writing():
        cat.put_documents([DOC, second])
        cat.put_annotations(
            [(DOC, rows(highlight(6))["annotations"]), (second, rows(b)["annotations"])]
        )
    assert [a.id for a in cat.annotations_of(second)] == [b.id]
    assert len(cat.annotations_of(DOC)) == 3
    # And after a bucket that overflows.
    monkeypatch.setattr(catalog, "BUCKET_MAX", 4)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", 2)
    c = replace(highlight(7), document="b.txt")
    with cat.writing():
        cat.put_annotations(
            [
                (DOC, rows(*[highlight(n) for n in range(10, 16)])["annotations"]),
                (second, rows(c)["annotations"]),
            ]
        )
    assert {a.id for a in cat.annotations_of(second)} == {b.id, c.id}
    assert len(cat.annotations_of(DOC)) == 9


def test_an_overflowing_bucket_at_least_doubles_the_buckets(
    cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "BUCKET_MAX", 4)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", 4)  # 5 records alone would fit 2 buckets
    full = [in_bucket(0, 2) for _ in range(4)]
    write_json(cat.annotations_dir / DOC.id / "0-of-2.json", rows(*full))
    write_json(cat.annotations_dir / DOC.id / "1-of-2.json", rows())
    with cat.writing():
        cat.put_documents([DOC])
    save(cat, in_bucket(0, 2))
    names = sorted(p.name for p in (cat.annotations_dir / DOC.id).iterdir())
    assert names == [f"{n}-of-4.json" for n in range(4)]
    assert len(cat.annotations_of(DOC)) == 5


def test_a_re_shard_cut_short_keeps_the_larger_generations_twin(cat: Catalog) -> None:
    old = highlight(3, note="single")
    twin = replace(old, note="bucket")  # same revision and time: the larger generation wins
    write_json(cat.annotations_dir / DOC.file, rows(old))
    write_json(bucket_path(cat, old.id, 2), rows(twin))
    save(cat, highlight(9))
    assert {a.id: a.note for a in cat.annotations_of(DOC)}[old.id] == "bucket"
    assert not (cat.annotations_dir / DOC.file).exists()


def test_a_removal_finishing_a_re_shard_removes_exactly_that_highlight(cat: Catalog) -> None:
    kept, gone = highlight(3), highlight(4)
    write_json(cat.annotations_dir / DOC.file, rows(kept, gone))
    write_json(bucket_path(cat, highlight(5).id, 2), rows())
    with cat.writing():
        cat.put_documents([DOC])
        cat.remove_annotations(DOC, [gone.id, "0a0a0a0a-0000-4000-8000-0000000000ff"])
    assert [a.id for a in cat.annotations_of(DOC)] == [kept.id]
    assert not (cat.annotations_dir / DOC.file).exists()


def test_the_index_is_read_again_in_the_hold_that_raised_its_schema(cat: Catalog) -> None:
    write_json(
        cat.index_path,
        {"_meta": {"schema": {"version": 1}}, "documents": {DOC.id: DOC.to_dict()}},
    )
    write_json(cat.annotations_dir / DOC.file, rows(highlight(3)))
    write_json(bucket_path(cat, highlight(4).id, 2), rows(highlight(4)))
    with cat.writing():
        cat.put_annotations([(DOC, rows(highlight(5))["annotations"])])
        assert cat.index().schema == SCHEMA_VERSION


def test_a_codebook_change_leaves_unchanged_records_as_stored(cat: Catalog) -> None:
    write_json(
        cat.codebook_path,
        {
            "tags": {"claim": {"tag": "Claim", "description": "c", "color": "", "future": 1}},
            "colors": {"green": {"meaning": "evidence", "future": 2}},
        },
    )
    before = cat.codebook()
    after = Codebook(
        {**before.tags, "x": TagEntry("X", "new")}, {**before.colors, "blue": "method"}
    )
    with cat.writing():
        cat.put_codebook(before, after)
    stored = json.loads(cat.codebook_path.read_text())
    assert stored["tags"]["claim"]["future"] == 1
    assert stored["colors"]["green"]["future"] == 2
    assert cat.codebook() == after


def test_a_re_shard_between_the_listing_and_the_reads_is_read_again(
    cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    highlights = [highlight(n) for n in range(6)]
    for number in range(2):
        part = [a for a in highlights if bucket_of(a.id, 2) == number]
        write_json(cat.annotations_dir / DOC.id / f"{number}-of-2.json", rows(*part))
    listed = catalog.list_layout

    def listing_then_re_shard(single: Path, directory: Path) -> buckets.Layout:
        layout = listed(single, directory)
        if (directory / "0-of-2.json").exists():
            # Another process re-shards into 4 buckets right after this listing.
            for number in range(4):
                part = [a for a in highlights if bucket_of(a.id, 4) == number]
                write_json(directory / f"{number}-of-4.json", rows(*part))
            for number in range(2):
                (directory / f"{number}-of-2.json").unlink()
        return layout

    monkeypatch.setattr(catalog, "list_layout", listing_then_re_shard)
    assert {a.id for a in cat.annotations_of(DOC)} == {a.id for a in highlights}
