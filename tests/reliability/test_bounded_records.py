"""A stored hostile record cannot make the store, list, export or the app run long.

The review found a document with 200,000 tags after one 2.7 MB import (tags
merged without a total limit) and a 300,000-character context keeping the
app at "Opening..." for good. The record decoder cuts contexts to 32
characters; here the rest of the store's side:

* a document's own tags are limited (``MAX_DOCUMENT_TAGS``) on every write,
  with a clear message, and a stored record over the limit is a bad record
  (named, kept in the file, ignored) instead of work for every command;
* every write is checked by the decoder reads use, so nothing written is
  skipped as bad when read back (a highlight with 201 tags was saved, then
  silently hidden);
* a stored quote too long to align fuzzily (a pasted chapter, a hostile
  record) is re-anchored only when found whole, in linear time.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.anchoring import MAX_FUZZY_QUOTE, anchor
from ipreader.core.anchoring.exact import find_collapsed, find_loose
from ipreader.core.errors import StoreWriteError
from ipreader.core.model import (
    MAX_DOCUMENT_TAGS,
    MAX_TAGS,
    AnchorStatus,
    Annotation,
    DocumentNotes,
    context_around,
)
from ipreader.core.paths import user_data_dir
from ipreader.core.store import FolderStore

from .terminal import Terminal, run_env

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def index_bytes(root: Path) -> bytes:
    return (root / ".ipreader" / "index.json").read_bytes()


def test_document_tags_over_the_limit_are_refused_with_a_clear_message(root: Path) -> None:
    store = FolderStore.open(root)
    most = tuple(f"tag{number}" for number in range(MAX_DOCUMENT_TAGS))
    store.set_document_notes("a.txt", DocumentNotes(most, "note"))
    before = index_bytes(root)
    with pytest.raises(StoreWriteError) as refused:
        store.set_document_notes("a.txt", DocumentNotes((*most, "one more"), "note"))
    message = str(refused.value)
    assert "a.txt" in message and f"(limit {MAX_DOCUMENT_TAGS:,})" in message
    assert "nothing was saved" in message
    assert index_bytes(root) == before
    assert FolderStore.open(root).document_notes("a.txt").tags == most


def test_a_highlight_a_read_would_skip_is_never_written(root: Path) -> None:
    store = FolderStore.open(root)
    crowded = Annotation.create(TEXT, 11, 16, "a.txt").edited(
        tags=[f"t{number}" for number in range(MAX_TAGS + 1)]
    )
    with pytest.raises(StoreWriteError, match=r"highlight .* of a\.txt: its tags has 201 tags"):
        store.save_annotation(crowded)
    assert FolderStore.open(root).annotations("a.txt") == []
    assert not list((root / ".ipreader" / "annotations").glob("*.json"))


def hostile_store(root: Path, tags: int, quote_chars: int) -> str:
    """A document with ``tags`` own tags and a highlight quoting ``quote_chars`` characters.

    The article is rewritten around the quote, so opening it re-anchors. Returns its text.
    """
    rng = random.Random(7)
    text = "Title\n\n" + "".join(rng.choice("abcdefghij ") for _ in range(quote_chars + 500))
    (root / "a.txt").write_text(text, encoding="utf-8")
    store = FolderStore.open(root)
    store.save_annotation(Annotation.create(text, 7, 50, "a.txt"))
    index = root / ".ipreader" / "index.json"
    data = json.loads(index.read_text())
    [record] = data["documents"].values()
    record["tags"] = [f"tag{number}" for number in range(tags)]
    index.write_text(json.dumps(data))
    [path] = (root / ".ipreader" / "annotations").glob("*.json")
    data = json.loads(path.read_text())
    [row] = data["annotations"].values()
    # Nearly the whole text, one character in 5,000 changed: a fuzzy match, found slowly.
    quote = "".join("#" if i % 5000 == 0 else c for i, c in enumerate(text[7 : 7 + quote_chars]))
    row.update(quote=quote, end=7 + len(quote))
    path.write_text(json.dumps(data))
    return text


def test_a_record_with_too_many_tags_is_named_and_costs_nothing(
    root: Path, run_cli: Callable[..., Any]
) -> None:
    hostile_store(root, tags=200_000, quote_chars=100)
    for argv in (["list"], ["tags"], ["export"]):
        started = time.monotonic()
        done = run_cli(*argv, root)
        assert done.code == 0, done.err
        assert time.monotonic() - started < 5
        assert f"(tags has 200,000 tags (limit {MAX_DOCUMENT_TAGS:,}))" in done.err
        assert "kept in the file and ignored" in done.err
    assert "tag19999" not in run_cli("tags", root).out


def test_a_huge_stored_quote_is_reanchored_in_bounded_time(root: Path) -> None:
    text = hostile_store(root, tags=0, quote_chars=400_000)
    store = FolderStore.open(root)
    started = time.monotonic()
    [found] = store.reconcile("a.txt", "f" * 64, text)
    # Aligning a quote this long approximately is a guess (its similarity is judged on
    # sampled pieces) and, in repetitive text, took ~20 s: only a whole one is placed.
    assert time.monotonic() - started < 2
    assert found.status is AnchorStatus.ORPHANED  # not there whole: kept, listed, never lost
    assert len(found.quote) == 400_000
    # The same quote, there whole, is still found.
    whole = Annotation.create(text, 7, 400_007, "a.txt")
    store.save_annotation(whole)
    again = store.reconcile("a.txt", "e" * 64, "Preface\n" + text)
    [moved] = [a for a in again if a.id == whole.id]
    assert moved.status is AnchorStatus.MOVED and moved.start == 7 + len("Preface\n")


@pytest.mark.parametrize("length", [MAX_FUZZY_QUOTE, MAX_FUZZY_QUOTE + 1])
def test_only_quotes_up_to_the_limit_are_sought_approximately(length: int) -> None:
    rng = random.Random(3)
    text = "Title\n\n" + "".join(rng.choice("abcdefghij ") for _ in range(length + 500))
    prefix, suffix = context_around(text, 7, 7 + length)
    edited = text[7 : 7 + length // 2] + "#" + text[8 + length // 2 : 7 + length]
    found = anchor(text, edited, prefix, suffix, 7)
    if length <= MAX_FUZZY_QUOTE:
        assert found is not None and found.status is AnchorStatus.FUZZY
        assert (found.start, found.end) == (7, 7 + length)
    else:
        assert found is None  # orphaned: kept and listed for review
    # Found whole, a quote of any length is placed.
    whole = anchor("Preface\n" + text, text[7 : 7 + length], prefix, suffix, 7)
    assert whole is not None and whole.start == 15 and whole.status is AnchorStatus.MOVED


def test_a_long_quote_rewrapped_is_found_whole() -> None:
    rng = random.Random(5)
    words = [rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(10_000)]
    text = "Title\n\n" + " ".join(words) + "\n"
    quote = text[7:-1]
    assert len(quote) > MAX_FUZZY_QUOTE
    rewrapped = "Title\n\n" + "\n".join(" ".join(words[i : i + 9]) for i in range(0, 10_000, 9))
    found = anchor("Preface\n" + rewrapped, quote, "Title\n\n", "\n", 7)
    assert found is not None and found.status is AnchorStatus.MOVED
    assert (found.start, found.end) == (15, len("Preface\n" + rewrapped))
    # One word changed: not there whole, so not placed (a long quote is never guessed at).
    edited = rewrapped.replace("alpha", "omega", 1)
    assert anchor(edited, quote, "Title\n\n", "\n", 7) is None


@settings(max_examples=300)
@given(
    text=st.lists(st.sampled_from(["a", "b", "ab", " ", "\n", "  ", "\n\n"]), max_size=30).map(
        "".join
    ),
    quote=st.lists(st.sampled_from(["a", "b", "ab", " ", "\n", "  "]), max_size=12).map("".join),
    prefix=st.sampled_from(["", "a", "b "]),
    hint=st.one_of(st.none(), st.integers(0, 40)),
)
def test_the_linear_search_of_long_quotes_finds_what_the_word_search_finds(
    text: str, quote: str, prefix: str, hint: int | None
) -> None:
    expected = find_loose(text, quote, prefix, "", hint)
    assert find_collapsed(text, quote, prefix, "", hint) == expected


def test_the_app_opens_a_hostile_record_promptly(root: Path) -> None:
    hostile_store(root, tags=0, quote_chars=600_000)
    started = time.monotonic()
    terminal = Terminal([str(root / "a.txt")], run_env(user_data_dir()))
    try:
        terminal.wait_for(b"Title", timeout=60)
        terminal.wait_for(b"text not found", timeout=60)  # the orphan, listed in the sidebar
        opened = time.monotonic() - started
        alive = terminal.running
    finally:
        terminal.close()
    assert alive
    assert opened < 20, opened  # on a busy machine; ~3 s alone (minutes before)
