"""Pins of the store's merge rules (``store/merge.py``): what each side keeps, what is said."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from ipreader.core.model import MAX_DOCUMENT_TAGS, Annotation
from ipreader.core.notices import Notices
from ipreader.core.store.catalog import Catalog
from ipreader.core.store.formats import LOCK_FILE, DocRecord
from ipreader.core.store.lock import FolderLock
from ipreader.core.store.merge import (
    NOTE_SEPARATOR,
    MergeResult,
    joined_note,
    merge_catalogs,
    merged_record,
    newer_rows,
)

TEXT = "The quick brown fox jumps over the lazy dog."


def version(note: str, revision: int, updated: str) -> Annotation:
    base = Annotation.create(TEXT, 4, 9, "a.txt", note="base")
    fixed = "0b6f6a8e-5f0f-4a62-9a55-3c2f0d1e7a11"
    return replace(base, id=fixed, note=note, revision=revision, updated=updated)


# ---------------------------------------------------------------- highlights by id


def test_a_highlight_only_on_the_incoming_side_is_added_as_its_record() -> None:
    new = version("new", 1, "2026-01-01T00:00:00Z")
    assert newer_rows({}, [new]) == {new.id: new.to_dict()}


@pytest.mark.parametrize(
    ("mine", "theirs", "theirs_win"),
    [
        ((1, "2026-01-02T00:00:00Z"), (2, "2026-01-01T00:00:00Z"), True),  # higher revision
        ((2, "2026-01-01T00:00:00Z"), (1, "2026-01-02T00:00:00Z"), False),
        ((1, "2026-01-01T00:00:00Z"), (1, "2026-01-02T00:00:00Z"), True),  # later, same revision
        ((1, "2026-01-02T00:00:00Z"), (1, "2026-01-01T00:00:00Z"), False),
        ((1, "2026-01-01T00:00:00Z"), (1, "2026-01-01T00:00:00Z"), False),  # the same: kept
    ],
)
def test_a_highlight_on_both_sides_keeps_the_newer_version(
    mine: tuple[int, str], theirs: tuple[int, str], theirs_win: bool
) -> None:
    stored = version("mine", *mine)
    incoming = version("theirs", *theirs)
    rows = newer_rows({stored.id: stored}, [incoming])
    assert rows == ({incoming.id: incoming.to_dict()} if theirs_win else {})


def test_highlights_only_on_the_current_side_are_left_alone() -> None:
    stored = version("mine", 1, "2026-01-01T00:00:00Z")
    assert newer_rows({stored.id: stored}, []) == {}


# ---------------------------------------------------------------- a document's note


@pytest.mark.parametrize(
    ("mine", "theirs", "joined"),
    [
        ("same", "same", "same"),
        ("a longer note", "longer", "a longer note"),
        ("longer", "a longer note", "a longer note"),
        ("", "theirs", "theirs"),
        ("mine", "", "mine"),
        ("mine", "theirs", "mine\n\ntheirs"),  # a blank line between
    ],
)
def test_two_notes_join_unless_one_holds_the_other(mine: str, theirs: str, joined: str) -> None:
    assert joined_note(mine, theirs) == joined


# ---------------------------------------------------------------- a document's record

MINE = DocRecord("id-mine", "a.txt", "hash-mine", ("Alpha", "beta"), "mine", 10)
THEIRS = DocRecord("id-theirs", "a.txt", "hash-theirs", ("ALPHA", "gamma"), "theirs", 20)


def test_a_merged_record_joins_tags_and_notes_and_keeps_its_own_id_and_path() -> None:
    merged = merged_record(MINE, THEIRS, theirs_recent=False, rows_added=False)
    assert merged == replace(
        MINE, tags=("Alpha", "beta", "gamma"), note=f"mine{NOTE_SEPARATOR}theirs"
    )


def test_the_position_follows_the_side_read_more_recently() -> None:
    assert merged_record(MINE, THEIRS, theirs_recent=True, rows_added=False).position == 20
    assert merged_record(MINE, THEIRS, theirs_recent=False, rows_added=False).position == 10
    at_start = replace(THEIRS, position=0)  # no position of theirs to follow
    assert merged_record(MINE, at_start, theirs_recent=True, rows_added=False).position == 10


def test_highlights_added_from_another_text_clear_the_hash_so_all_re_anchor() -> None:
    assert merged_record(MINE, THEIRS, theirs_recent=False, rows_added=True).sha256 is None
    same_text = replace(THEIRS, sha256=MINE.sha256)
    kept = merged_record(MINE, same_text, theirs_recent=False, rows_added=True)
    assert kept.sha256 == "hash-mine"
    assert merged_record(MINE, THEIRS, theirs_recent=True, rows_added=False).sha256 == "hash-mine"


def test_tags_past_the_limit_keep_mine_rather_than_cut_either_side() -> None:
    many = tuple(f"t{n}" for n in range(MAX_DOCUMENT_TAGS))
    full = replace(MINE, tags=many)
    assert merged_record(full, THEIRS, theirs_recent=False, rows_added=False).tags == many
    just = replace(MINE, tags=many[:-2])  # 998 + "ALPHA", "gamma" = exactly the limit
    merged = merged_record(just, THEIRS, theirs_recent=False, rows_added=False)
    assert merged.tags == (*many[:-2], "ALPHA", "gamma")


# ---------------------------------------------------------------- what a merge says


def test_a_merge_that_changed_nothing_says_so_and_is_not_changed() -> None:
    result = MergeResult()
    assert not result.changed
    assert result.summary() == "0 highlight(s) of 0 document(s)"


def test_a_merge_summary_counts_highlights_and_documents() -> None:
    result = MergeResult(documents={"a.txt", "b.txt"}, highlights=3)
    assert result.changed
    assert result.summary() == "3 highlight(s) of 2 document(s)"


def test_a_merge_summary_names_up_to_five_joined_notes_then_counts_the_rest() -> None:
    five = MergeResult(documents={"x"}, highlights=0, joined_notes=["a", "b", "c", "d", "e"])
    assert five.summary() == (
        "0 highlight(s) of 1 document(s); both differing notes were kept for a, b, c, d, e"
    )
    seven = MergeResult(documents={"x"}, joined_notes=[*"abcdefg"])
    assert seven.summary().endswith("were kept for a, b, c, d, e and 2 more")
    one = MergeResult(documents={"x"}, joined_notes=["a.txt"])
    assert one.summary().endswith("; both differing notes were kept for a.txt")


def test_a_summary_past_five_joined_notes_counts_even_one_more() -> None:
    six = MergeResult(documents={"x"}, joined_notes=[*"abcdef"])
    assert six.summary().endswith("were kept for a, b, c, d, e and 1 more")


# ---------------------------------------------------------------- one store into another

ID_A = "10000000-0000-4000-8000-000000000001"
ID_B = "20000000-0000-4000-8000-000000000002"
ID_C = "30000000-0000-4000-8000-000000000003"


def catalog_of(location: Path) -> Catalog:
    return Catalog(location, FolderLock(location / LOCK_FILE, timeout=5), Notices())


def filled(location: Path, docs: list[tuple[DocRecord, list[Annotation]]]) -> Catalog:
    """A catalog at ``location`` holding ``docs`` (written through the catalog's own API)."""
    (location / "annotations").mkdir(parents=True)  # as a store makes it when opened
    catalog = catalog_of(location)
    with catalog.writing():
        catalog.put_documents([record for record, _ in docs])
        catalog.put_annotations(
            [(record, {a.id: a.to_dict() for a in rows}) for record, rows in docs if rows]
        )
    return catalog


def merged(source: Catalog, target: Catalog, *, recent: bool = True) -> MergeResult:
    with target.writing():
        return merge_catalogs(source, target, source_recent=recent)


def highlight_of(relpath: str, start: int) -> Annotation:
    return Annotation.create(TEXT, start, start + 5, relpath, note=f"{relpath}@{start}")


def notes_of(catalog: Catalog, relpath: str) -> set[str]:
    record = catalog_of(catalog.location).index().by_relpath(relpath)
    assert record is not None
    return {a.note for a in catalog_of(catalog.location).annotations_of(record)}


def test_a_document_only_in_the_source_comes_with_its_highlights(tmp_path: Path) -> None:
    a_mine, a_theirs, b_theirs = (
        highlight_of("a.txt", 0),
        highlight_of("a.txt", 10),
        highlight_of("b.txt", 4),
    )
    target = filled(tmp_path / "target", [(DocRecord(ID_A, "a.txt", "h"), [a_mine])])
    source = filled(
        tmp_path / "source",
        [(DocRecord(ID_A, "a.txt", "h"), [a_theirs]), (DocRecord(ID_B, "b.txt", "h"), [b_theirs])],
    )
    result = merged(source, target)
    assert result.summary() == "2 highlight(s) of 2 document(s)"
    assert result.documents == {"a.txt", "b.txt"} and result.highlights == 2
    assert notes_of(target, "a.txt") == {"a.txt@0", "a.txt@10"}
    assert notes_of(target, "b.txt") == {"b.txt@4"}
    assert merged(source, target).summary() == "0 highlight(s) of 0 document(s)"  # twice: no-op


def test_a_new_document_keeps_its_id_unless_the_target_uses_it(tmp_path: Path) -> None:
    target = filled(
        tmp_path / "target", [(DocRecord(ID_A, "a.txt", "h"), [highlight_of("a.txt", 0)])]
    )
    source = filled(
        tmp_path / "source",
        [
            (DocRecord(ID_A, "b.txt", "h"), [highlight_of("b.txt", 1)]),  # the target's id
            (DocRecord(ID_C, "c.txt", "h"), [highlight_of("c.txt", 2)]),
        ],
    )
    merged(source, target)
    index = catalog_of(target.location).index()
    a, b, c = (index.by_relpath(name) for name in ("a.txt", "b.txt", "c.txt"))
    assert a is not None and b is not None and c is not None
    assert a.id == ID_A and c.id == ID_C
    assert b.id not in (ID_A, ID_C) and str(uuid.UUID(b.id)) == b.id
    assert notes_of(target, "a.txt") == {"a.txt@0"}
    assert notes_of(target, "b.txt") == {"b.txt@1"}
    assert notes_of(target, "c.txt") == {"c.txt@2"}


def test_a_relpath_twice_in_the_source_is_merged_once_and_the_rest_still_are(
    tmp_path: Path,
) -> None:
    target = filled(tmp_path / "target", [(DocRecord(ID_C, "z.txt", "h"), [])])
    source = filled(
        tmp_path / "source",
        [
            (DocRecord(ID_A, "b.txt", "h"), [highlight_of("b.txt", 1)]),  # the lowest id wins
            (DocRecord(ID_B, "b.txt", "h"), [highlight_of("b.txt", 2)]),
            (
                DocRecord("40000000-0000-4000-8000-000000000004", "c.txt", "h"),
                [highlight_of("c.txt", 3)],
            ),
        ],
    )
    result = merged(source, target)
    index = catalog_of(target.location).index()
    assert [r.relpath for r in index.documents].count("b.txt") == 1
    assert notes_of(target, "b.txt") == {"b.txt@1"}
    assert notes_of(target, "c.txt") == {"c.txt@3"}
    assert result.documents == {"b.txt", "c.txt"} and result.highlights == 2


def test_highlights_merged_from_another_text_clear_the_target_s_hash(tmp_path: Path) -> None:
    target = filled(tmp_path / "target", [(DocRecord(ID_A, "a.txt", "old"), [])])
    other_text = filled(
        tmp_path / "s1", [(DocRecord(ID_A, "a.txt", "new"), [highlight_of("a.txt", 0)])]
    )
    merged(other_text, target)
    record = catalog_of(target.location).index().by_relpath("a.txt")
    assert record is not None and record.sha256 is None
    same = filled(tmp_path / "t2", [(DocRecord(ID_A, "a.txt", "old"), [])])
    no_rows = filled(tmp_path / "s2", [(DocRecord(ID_A, "a.txt", "new"), [])])
    assert not merged(no_rows, same).changed
    kept = catalog_of(same.location).index().by_relpath("a.txt")
    assert kept is not None and kept.sha256 == "old"
