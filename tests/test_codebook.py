"""The codebook: tag operations (rename, merge, move, delete, undo), descriptions, colours."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.codebook import (
    Codebook,
    CodebookError,
    Delete,
    Rename,
    Revert,
    TagEntry,
    check_tag_name,
    describe,
    moved_name,
    renamed_tag,
    tag_tree,
)
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore
from ipreader.core.tags import tag_matches, tag_path

TEXT = "The cat sat on the mat. A dog barked at the cat. Patents were filed in 1970."


def make(tags: list[str], start: int = 4, end: int = 7, document: str = "a.txt") -> Annotation:
    return Annotation.create(TEXT, start, end, document, tags=tags)


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT)
    (root / "b.txt").write_text(TEXT)
    return FolderStore.open(root)


# ---------------------------------------------------------------- pure operations


def test_rename_carries_children_and_keeps_their_spelling() -> None:
    assert renamed_tag("policy/Patents", "Policy", "law") == "law/Patents"
    assert renamed_tag("policy", "policy", "Law/Public") == "Law/Public"
    assert renamed_tag("policymaking", "policy", "law") == "policymaking"
    assert renamed_tag("other/policy", "policy", "law") == "other/policy"
    assert Rename("policy", "law").retagged(("policy/eu", "x")) == ("law/eu", "x")


def test_rename_onto_an_existing_tag_merges() -> None:
    assert Rename("pets", "animals").retagged(("pets", "Animals", "x")) == ("animals", "x")
    assert Rename("a", "b").retagged(("a/c", "b/c")) == ("b/c",)


def test_delete_takes_children_but_not_longer_words() -> None:
    tags = ("policy", "policy/eu", "policymaking", "x/policy")
    assert Delete("POLICY").kept(tags) == ("policymaking", "x/policy")


def test_move_under_a_parent() -> None:
    assert moved_name("policy/patents", "law") == "law/patents"
    assert moved_name("policy/patents", "") == "patents"
    assert moved_name("a", "b/c") == "b/c/a"


def test_tag_names_are_checked() -> None:
    assert check_tag_name(" Policy / Patents ") == "Policy/Patents"
    for bad, said in (("", "empty"), (" / ", "empty"), ("a,b", "comma"), ("a\x1bb", "control")):
        with pytest.raises(CodebookError, match=said):
            check_tag_name(bad)
    with pytest.raises(CodebookError, match="at most"):
        check_tag_name("x" * 201)


def test_codebook_entries_follow_renames_and_merges() -> None:
    book = describe(Codebook(), "policy", "Public policy")
    book = describe(book, "policy/eu", "European", color="blue")
    book = describe(book, "law", "")
    renamed = Rename("policy", "law").codebook(book)
    assert renamed.description("law") == "Public policy"
    assert renamed.entry("law/eu") == TagEntry("law/eu", "European", "blue")
    assert renamed.entry("policy") is None
    merged = Rename("policy", "law").codebook(describe(book, "law", "Laws"))
    assert merged.description("law") == "Laws"  # the target's own description wins
    assert Delete("policy").codebook(book).tags == {}


def test_colour_meanings() -> None:
    book = Codebook().with_meaning("yellow", "Claim").with_meaning("pink", " evidence ")
    assert book.meaning("pink") == "evidence" and book.label("yellow") == "yellow (Claim)"
    assert book.colors_named("claim") == {"yellow"} and book.colors_named("pink") == {"pink"}
    assert book.colors_named("nothing") == frozenset()
    assert book.legend() == "yellow = Claim · pink = evidence"
    assert book.with_meaning("yellow", "").meaning("yellow") == ""
    with pytest.raises(CodebookError, match="already means"):
        book.with_meaning("green", "claim")
    with pytest.raises(CodebookError, match="colour's name"):
        book.with_meaning("green", "pink")
    with pytest.raises(CodebookError, match="unknown colour"):
        book.with_meaning("red", "x")


def test_tag_tree_counts_highlights_and_documents_with_children() -> None:
    book = describe(Codebook(), "policy", "Public policy")
    rows = tag_tree(
        [
            (("Policy",), [("policy/eu",), ("policy/eu", "x")]),
            ((), [("x",), ("policy/US",)]),
        ],
        book,
    )
    shown = [(r.tag, r.depth, r.highlights, r.documents, r.uses) for r in rows]
    assert shown == [
        ("Policy", 0, 3, 2, 1),
        ("policy/eu", 1, 2, 1, 2),
        ("policy/US", 1, 1, 1, 1),
        ("x", 0, 2, 2, 2),
    ]
    assert rows[0].description == "Public policy" and rows[1].label == "eu"
    parents_only = tag_tree([((), [("a/b/c",)])], Codebook())
    assert [(r.tag, r.depth, r.highlights) for r in parents_only] == [
        ("a", 0, 1),
        ("a/b", 1, 1),
        ("a/b/c", 2, 1),
    ]


# ---------------------------------------------------------------- properties

segment = st.sampled_from(["a", "b", "Policy", "eu", "x y"])
tag = st.lists(segment, min_size=1, max_size=3).map("/".join)
tag_lists = st.lists(st.lists(tag, max_size=4), min_size=1, max_size=6)


@given(tag_lists, tag, tag)
@settings(max_examples=200)
def test_rename_keeps_every_other_tag_and_leaves_no_old_one(
    lists: list[list[str]], old: str, new: str
) -> None:
    rename = Rename(old, new)
    for tags in lists:
        result = rename.retagged(tuple(tags))
        if not tag_matches(new, old):
            assert not any(tag_matches(t, old) for t in result)
        untouched = [t for t in tags if not tag_matches(t, old)]
        assert {tag_path(t) for t in untouched} <= {tag_path(t) for t in result}
        assert len(result) <= len(tags)


@given(tag_lists, tag)
def test_delete_removes_exactly_the_tag_and_its_children(lists: list[list[str]], gone: str) -> None:
    for tags in lists:
        kept = Delete(gone).kept(tuple(tags))
        # A filter on the deleted tag matches nothing left; everything else stays, in order.
        assert not any(tag_matches(t, gone) for t in kept)
        assert kept == tuple(t for t in tags if not tag_matches(t, gone))


@given(tag_lists, tag, tag)
@settings(max_examples=50, deadline=None)
def test_store_operations_keep_every_highlight_and_undo_restores_tags(
    tmp_path_factory: pytest.TempPathFactory, lists: list[list[str]], old: str, new: str
) -> None:
    root = tmp_path_factory.mktemp("prop")
    (root / "a.txt").write_text(TEXT)
    store = FolderStore.open(root)
    made = [make(tags, i, i + 3) for i, tags in enumerate(lists)]
    store.save_annotations(made)
    for operation in (Rename(old, new), Delete(old)):
        before = {a.id: a for a in store.annotations("a.txt")}
        done = store.retag(operation)
        after = {a.id: a for a in store.annotations("a.txt")}
        assert after.keys() == before.keys()
        for key, annotation in after.items():
            was = before[key]
            same = replace(annotation, tags=was.tags, revision=was.revision, updated=was.updated)
            assert same == was  # quote, offsets, note, colour, creator: unchanged
            assert annotation.tags == operation.highlight(was)
            assert annotation.revision == was.revision + (annotation.tags != was.tags)
        store.retag(Revert(done))
        restored = {a.id: a.tags for a in store.annotations("a.txt")}
        assert restored == {k: a.tags for k, a in before.items()}


# ---------------------------------------------------------------- the store


def test_retag_in_the_store_changes_highlights_documents_and_codebook(store: FolderStore) -> None:
    one, two = make(["policy/patents", "x"]), make(["law"], 8, 11)
    other = make(["policy"], document="b.txt")
    store.save_annotations([one, two, other])
    store.set_document_notes("b.txt", DocumentNotes(("Policy", "doc"), "note"))
    store.update_codebook(lambda book: describe(book, "policy/patents", "Patents"))
    done = store.retag(Rename("policy", "law"))
    assert len(done.highlights) == 2 and done.documents == (
        ("b.txt", ("Policy", "doc"), ("law", "doc")),
    )
    assert [a.tags for a in store.annotations("a.txt")] == [("law/patents", "x"), ("law",)]
    assert store.annotations("b.txt")[0].tags == ("law",)
    assert store.document_notes("b.txt") == DocumentNotes(("law", "doc"), "note")
    assert store.codebook().description("law/patents") == "Patents"
    assert store.codebook().entry("policy/patents") is None

    gone = store.retag(Delete("law"))
    assert [a.tags for a in store.annotations("a.txt")] == [("x",), ()]
    assert store.document_notes("b.txt").tags == ("doc",)
    assert len(store.annotations("a.txt")) == 2  # the highlights stay, only the tag goes

    store.retag(Revert(gone))
    assert [a.tags for a in store.annotations("a.txt")] == [("law/patents", "x"), ("law",)]
    assert store.document_notes("b.txt").tags == ("law", "doc")
    assert store.codebook().description("law/patents") == "Patents"


def test_undo_leaves_a_highlight_edited_since_alone(store: FolderStore) -> None:
    one = make(["policy"])
    store.save_annotations([one])
    done = store.retag(Delete("policy"))
    (current,) = store.annotations("a.txt")
    store.save_annotation(current.edited(tags=("mine",)))
    store.retag(Revert(done))
    assert store.annotations("a.txt")[0].tags == ("mine",)


def test_codebook_file_is_tinydb_beside_the_store(store: FolderStore) -> None:
    store.update_codebook(
        lambda b: describe(b, "Policy/EU", "European").with_meaning("pink", "evidence")
    )
    data = json.loads((store.location / "codebook.json").read_text())
    assert data["tags"]["policy/eu"] == {"tag": "Policy/EU", "description": "European", "color": ""}
    assert data["colors"] == {"pink": {"meaning": "evidence"}}
    again = FolderStore.open(store.root)
    assert again.codebook().description("policy/eu") == "European"
    assert again.codebook().meaning("pink") == "evidence"


def test_a_bad_codebook_record_is_reported_and_kept(store: FolderStore) -> None:
    path = store.location / "codebook.json"
    store.location.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "tags": {"x": {"tag": "y", "description": "?"}, "ok": {"tag": "OK"}},
                "colors": {"red": {"meaning": "stop"}},
            }
        )
    )
    book = store.codebook()
    assert list(book.tags) == ["ok"]
    assert any("could not be read" in n and "'x'" in n for n in store.notices.take())
    store.update_codebook(lambda b: b.with_meaning("yellow", "claim"))
    data = json.loads(path.read_text())
    assert "x" in data["tags"] and "red" in data["colors"]  # never dropped


def test_a_damaged_codebook_is_set_aside(store: FolderStore) -> None:
    store.location.mkdir(parents=True, exist_ok=True)
    (store.location / "codebook.json").write_text("{not json")
    assert store.codebook() == Codebook()
    assert any("moved aside" in n for n in store.notices.take())
    assert list(store.location.glob("codebook.json.corrupt-*"))


def test_a_codebook_change_changes_the_token(store: FolderStore) -> None:
    before = store.change_token()
    store.update_codebook(lambda b: b.with_meaning("yellow", "claim"))
    assert store.change_token() != before
