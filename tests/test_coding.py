"""What reports read: filters on highlights, documents read now and reconciled, line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from coding_helpers import annotate, coded, highlight

from ipreader.core.coding import (
    Selection,
    SelectionError,
    coded_documents,
    distinct_tags,
    time_bound,
    used_tags,
)
from ipreader.core.library import Library


def test_time_bounds() -> None:
    assert time_bound("2024-05-01") == "2024-05-01T00:00:00.000Z"
    assert time_bound("2024-05-01", upper=True) == "2024-05-02T00:00:00.000Z"
    assert time_bound("2024-12-31", upper=True) == "2025-01-01T00:00:00.000Z"
    assert time_bound("2024-05-01T10:30", upper=True) == "2024-05-01T10:30:00.000Z"
    assert time_bound("2024-05-01T12:00+02:00") == "2024-05-01T10:00:00.000Z"
    for bad in ("yesterday", "2024-13-01", "", "9999-12-31x"):
        with pytest.raises(SelectionError, match="not a date or time"):
            time_bound(bad, upper=True)


def test_selection_filters_colour_creator_and_dates() -> None:
    text = "one two three four"
    a = highlight(text, 0, 3, creator="Ada", color="yellow", created="2024-05-01T23:59:59.999Z")
    b = highlight(text, 4, 7, creator="bob", color="green", created="2024-05-02T00:00:00.000Z")
    c = highlight(text, 8, 13, creator="", color="green", created="2024-04-30T08:00:00.000Z")
    every = [a, b, c]

    def kept(selection: Selection) -> list[str]:
        return [h.quote for h in every if selection.keeps(h)]

    assert kept(Selection()) == ["one", "two", "three"]
    assert kept(Selection(color="green")) == ["two", "three"]
    assert kept(Selection(creator=" ADA ")) == ["one"]
    assert kept(Selection(creator="")) == ["three"]
    day = Selection(since=time_bound("2024-05-01"), until=time_bound("2024-05-01", upper=True))
    assert kept(day) == ["one"]
    assert kept(Selection(since=time_bound("2024-05-02"))) == ["two"]
    with pytest.raises(SelectionError, match="unknown colour 'mauve'"):
        Selection(color="mauve")
    assert Selection(document_glob="news/*").keeps_document("news/a.txt")
    assert not Selection(document_glob="news/*").keeps_document("other/a.txt")


def test_line_numbers() -> None:
    text = "first\nsecond line\n\nfourth"
    document = coded(text, [])
    assert [document.line_of(text.index(w)) for w in ("first", "second", "fourth")] == [1, 2, 4]
    assert document.line_of(text.index("\n")) == 1  # a newline belongs to the line it ends


def test_used_and_distinct_tags() -> None:
    text = "alpha beta"
    document = coded(
        text,
        [
            highlight(text, 0, 5, ["Policy/EU", "trade"]),
            highlight(text, 6, 10, ["policy", "policy / eu"]),
        ],
    )
    assert used_tags([document]) == ["policy", "Policy/EU", "trade"]
    assert distinct_tags(["a", " A ", "", "a/b", "/"]) == ["a", "a/b"]


def test_documents_are_read_now_and_reconciled(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    (root / "news").mkdir(parents=True)
    (root / "news" / "a.txt").write_text("Title A\n\nThe cat sat.\nThe dog ran.\n")
    (root / "b.txt").write_text("Title B\n\nNothing coded here.\n")
    (root / "c.txt").write_text("Title C\n\nA bird sang.\n")
    annotate(
        root,
        [
            ("news/a.txt", "dog", ["animals/dogs"], "ada"),
            ("news/a.txt", "cat", ["animals"], "bob"),
            ("c.txt", "bird", [], "ada"),
        ],
    )
    # The article changes after it was coded: the report must see the new offsets.
    (root / "news" / "a.txt").write_text("Title A\n\nInserted line.\nThe cat sat.\nThe dog ran.\n")
    library = Library.open([root])
    documents = coded_documents(library, Selection())
    assert [d.relpath for d in documents] == ["c.txt", "news/a.txt"]
    news = documents[1]
    assert [h.quote for h in news.highlights] == ["cat", "dog"]
    assert all(news.text[h.start : h.end] == h.quote for h in news.highlights)
    assert [news.line_of(h.start) for h in news.highlights] == [4, 5]
    # The new offsets were saved: the store's hash now matches the file.
    stored = library.collections[0].store.stored_documents()["news/a.txt"]
    assert sorted(a.start for a in stored.annotations) == sorted(h.start for h in news.highlights)

    only_bob = coded_documents(library, Selection(creator="bob"))
    assert [(d.relpath, [h.quote for h in d.highlights]) for d in only_bob] == [
        ("news/a.txt", ["cat"])
    ]
    assert [d.relpath for d in coded_documents(library, Selection(document_glob="*.txt"))] == [
        "c.txt",
        "news/a.txt",
    ]
    assert coded_documents(library, Selection(document_glob="b*")) == []
