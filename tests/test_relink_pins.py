"""Pins of finding a renamed article again (``core/relink.py``): the sure file, the suggested.

``find_candidates`` is driven with hand-made folder listings (``DocumentInfo``)
and store records (``StoredDocument``) whose sketches come from the real
``text_fingerprint``; texts are runs of distinct words, so the share of a text
one file holds is known in advance. The folder-level tests use a real store.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from filelock import FileLock

from ipreader.core.documents import DocumentInfo
from ipreader.core.errors import StoreError
from ipreader.core.fingerprint import parse_fingerprint, shingles, text_fingerprint
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.relink import (
    MISSING_REASON,
    Candidate,
    MissingDocument,
    find_candidates,
    is_missing,
    relink_by_hand,
    relink_collection,
)
from ipreader.core.store import FolderStore, StoredDocument, folder_store
from ipreader.core.store.formats import SCHEMA_VERSION

ROOT = Path("/folder")


def words(prefix: str, count: int, first: int = 0) -> str:
    """``count`` distinct words: every three-word run (shingle) of it is its own."""
    return " ".join(f"{prefix}{n}" for n in range(first, first + count))


def listed(relpath: str, text: str, sha: str | None = None) -> DocumentInfo:
    """A readable file of the folder, as the library lists it."""
    return DocumentInfo(
        path=ROOT / relpath, relpath=relpath, root=ROOT, title=relpath, date=None,
        words=len(text.split()), reading_minutes=1, sha256=sha or f"sha-of-{relpath}",
        encoding="utf-8", size=len(text), mtime_ns=1, error=None, chars=len(text),
    )  # fmt: skip


def record(relpath: str, text: str = "", *, sha: str | None = None, quotes: tuple[str, ...] = ()):
    """A store record of a missing document: a sketch of ``text`` (if any) and highlights."""
    marks = tuple(Annotation.create(quote, 0, len(quote), relpath, note="kept") for quote in quotes)
    fingerprint = text_fingerprint(text) if text else ""
    return StoredDocument(relpath, sha, DocumentNotes(), marks, fingerprint)


class Reader:
    """``read_text`` over a dict of texts, remembering which files were read."""

    def __init__(self, texts: dict[str, str | None]) -> None:
        self.texts = texts
        self.read: list[str] = []

    def __call__(self, info: DocumentInfo) -> str | None:
        self.read.append(info.relpath)
        return self.texts[info.relpath]


def candidates(
    lost: list[StoredDocument], files: dict[str, str | None]
) -> tuple[dict[str, Candidate], dict[str, tuple[Candidate, ...]], Reader]:
    reader = Reader(files)
    # An unreadable file is listed with the size of an ordinary article.
    unknown = [
        listed(name, words("z", 100) if text is None else text) for name, text in files.items()
    ]
    sure, suggested = find_candidates(lost, unknown, reader)
    return sure, suggested, reader


# ---------------------------------------------------------------- same content


def test_same_content_is_sure_with_full_score_and_copies_are_both_offered() -> None:
    lost = [record("old.txt", sha="h1"), record("gone.txt", sha="h2")]
    unknown = [
        listed("new.txt", "x", sha="h1"),
        listed("copy-a.txt", "y", sha="h2"),
        listed("copy-b.txt", "y", sha="h2"),
    ]
    reader = Reader({})
    sure, suggested = find_candidates(lost, unknown, reader)
    assert sure == {"old.txt": Candidate("new.txt", 1.0, "content")}
    assert suggested == {
        "gone.txt": (
            Candidate("copy-a.txt", 1.0, "content"),
            Candidate("copy-b.txt", 1.0, "content"),
        )
    }
    assert reader.read == []  # no text comparison was needed


def test_a_record_without_a_sketch_is_still_found_by_its_content() -> None:
    lost = [record("old.txt", sha="h1", quotes=("one two three",))]
    sure, _ = find_candidates(lost, [listed("new.txt", "x", sha="h1")], Reader({}))
    assert sure == {"old.txt": Candidate("new.txt", 1.0, "content")}


# ---------------------------------------------------------------- similar text


def test_an_edited_file_is_sure_by_text_and_named_so() -> None:
    text = words("u", 400)
    edited = text.replace("u10 ", "changed ").replace("u300 ", "changed ")
    sure, suggested, _ = candidates([record("old.txt", text)], {"new.txt": edited})
    (found,) = sure.values()
    assert found.relpath == "new.txt" and found.by == "text" and 0.9 < found.score < 1.0
    assert suggested == {}


def test_the_best_file_wins_whatever_the_order_of_names() -> None:
    text = words("u", 400)
    files = {"a-partial.txt": words("u", 120) + " " + words("p", 280), "z-whole.txt": text}
    sure, _, _ = candidates([record("old.txt", text)], files)
    assert sure["old.txt"].relpath == "z-whole.txt" and sure["old.txt"].score == 1.0


def test_equal_files_are_suggested_in_name_order() -> None:
    text = words("u", 400)
    edited = text.replace("u200 ", "changed ")
    sure, suggested, _ = candidates(
        [record("old.txt", text)], {"b.txt": edited, "c.txt": edited, "a.txt": edited}
    )
    assert sure == {}
    assert [c.relpath for c in suggested["old.txt"]] == ["a.txt", "b.txt", "c.txt"]


def test_a_file_glued_to_another_text_scores_its_share_of_the_file() -> None:
    """The score is the smaller share: of the old sketch found, and of the file's sample."""
    text = words("u", 2000)
    glued = text + " " + words("g", 1600)
    sure, suggested, _ = candidates([record("old.txt", text)], {"glued.txt": glued})
    parsed = parse_fingerprint(text_fingerprint(text))
    assert parsed is not None
    sample = [value for value in shingles(glued) if value <= parsed[1][-1]]
    expected = len(parsed[1]) / len(sample)
    found = {**sure, **{k: v[0] for k, v in suggested.items() if v}}["old.txt"]
    assert found.score == pytest.approx(expected) and 0.45 < found.score < 0.7


def test_a_three_word_article_retyped_is_found_with_full_score() -> None:
    sure, _, _ = candidates(
        [record("old.txt", "Alpha beta gamma")], {"new.txt": "alpha; BETA, gamma!"}
    )
    assert sure == {"old.txt": Candidate("new.txt", 1.0, "text")}


def test_a_file_two_missing_articles_share_almost_equally_goes_to_neither() -> None:
    """Even when two more articles hold a little of it (the rival is the best other one)."""
    whole = words("u", 1000)
    lost = [
        record("a.txt", whole),
        record("b.txt", words("u", 900) + " " + words("b", 100)),
        record("c.txt", words("u", 380) + " " + words("c", 620)),
        record("d.txt", words("u", 350, first=600) + " " + words("d", 650)),
    ]
    sure, suggested, _ = candidates(lost, {"f.txt": whole})
    assert sure == {}
    assert suggested["a.txt"][0] == Candidate("f.txt", 1.0, "text")
    assert [c.relpath for c in suggested["b.txt"]] == ["f.txt"]


def test_half_of_a_short_sketch_is_enough_when_nothing_competes() -> None:
    """A record without a sketch: its quotes' shingles, here two of which one survives."""
    lost = [record("old.txt", quotes=("red green blue cyan",))]
    sure, _, _ = candidates(lost, {"new.txt": "the red green blue sky"})
    assert sure == {"old.txt": Candidate("new.txt", 0.5, "text")}


def test_a_lead_of_exactly_the_margin_is_enough() -> None:
    """Five quote shingles: one file holds all five, the other four (1.0 against 0.8)."""
    quote = "one two three four five six seven"
    lost = [record("old.txt", quotes=(quote,))]
    sure, _, _ = candidates(lost, {"all.txt": quote, "most.txt": "one two three four five six"})
    assert sure == {"old.txt": Candidate("all.txt", 1.0, "text")}


def test_a_file_holding_a_fifth_of_what_is_known_is_still_suggested() -> None:
    lost = [record("old.txt", quotes=("one two three four five six seven",))]
    sure, suggested, _ = candidates(
        lost, {"low.txt": "zero one two three zero", "x.txt": "nothing"}
    )
    assert sure == {}
    assert suggested == {"old.txt": (Candidate("low.txt", 0.2, "text"),)}


def test_only_quotes_of_three_words_or_more_stand_for_a_record_without_a_sketch() -> None:
    lost = [record("old.txt", quotes=("alpha beta gamma", "two words", "odd pair"))]
    sure, _, _ = candidates(lost, {"new.txt": "then alpha beta gamma came"})
    assert sure == {"old.txt": Candidate("new.txt", 1.0, "text")}


def test_a_record_with_neither_sketch_nor_long_quote_has_no_candidate() -> None:
    lost = [record("old.txt", quotes=("short",))]
    sure, suggested, reader = candidates(lost, {"new.txt": "short text here"})
    assert sure == {} and suggested == {"old.txt": ()}
    assert reader.read == []


def test_files_of_implausible_length_are_not_read_and_the_rest_still_are() -> None:
    text = words("u", 100)
    files: dict[str, str | None] = {
        "tiny.txt": words("u", 49),  # under half the words
        "huge.txt": text + " " + words("h", 101),  # over twice the words
        "unreadable.txt": None,
        "half.txt": words("u", 50),  # exactly half: still compared
        "double.txt": text + " " + words("d", 100),  # exactly twice: still compared
    }
    _, suggested, reader = candidates([record("old.txt", text)], files)
    assert reader.read == ["unreadable.txt", "half.txt", "double.txt"]
    assert {c.relpath for c in suggested["old.txt"]} == {"half.txt", "double.txt"}


def test_each_file_is_compared_with_the_articles_its_length_suits() -> None:
    """A file three times a short article's length is not it, though a long article is listed."""
    short, long = words("s", 100), words("l", 1000)
    lost = [record("short.txt", short), record("long.txt", long)]
    _, suggested, _ = candidates(lost, {"f.txt": short + " " + words("x", 200)})
    assert suggested["short.txt"] == ()
    # ... and a file of the right length listed after it is still compared.
    files = {"f.txt": short + " " + words("x", 200), "copy.txt": short}
    sure, _, _ = candidates(lost, files)
    assert sure["short.txt"] == Candidate("copy.txt", 1.0, "text")


def test_a_weak_file_listed_first_does_not_hide_a_better_one() -> None:
    text = words("u", 300)
    # The weak file holds the old text's first sketch value (its smallest shingle hash).
    runs = [" ".join(text.split()[n : n + 3]) for n in range(298)]
    first = min(range(298), key=lambda n: min(shingles(runs[n])))
    weak = runs[first] + " " + words("w", 297)
    files = {"weak.txt": weak, "good.txt": text}
    sure, _, _ = candidates([record("old.txt", text)], files)
    assert sure["old.txt"].relpath == "good.txt"


# ---------------------------------------------------------------- the missing document


def test_a_missing_document_is_listed_as_an_unreadable_article_of_the_folder() -> None:
    stored = StoredDocument("news/2024/story.txt", "h1", DocumentNotes(), ())
    info = MissingDocument("news/2024/story.txt", stored).info(ROOT)
    assert (info.path, info.relpath, info.root) == (
        ROOT / "news/2024/story.txt",
        "news/2024/story.txt",
        ROOT,
    )
    assert (info.title, info.date, info.sha256, info.encoding) == ("story", None, "h1", None)
    assert (info.words, info.reading_minutes, info.size, info.mtime_ns) == (0, 0, 0, 0)
    assert info.error == MISSING_REASON and not info.readable and is_missing(info)
    assert MissingDocument("x.txt", stored).candidates == ()


def test_relink_by_hand_refuses_an_article_that_cannot_be_checked(tmp_path: Path) -> None:
    """A path the system cannot even test is never called missing."""
    store = FolderStore.open(tmp_path)
    (tmp_path / "new.txt").write_text("text", encoding="utf-8")
    with pytest.raises(StoreError, match="still exists"):
        relink_by_hand(store, tmp_path, "n" * 300 + ".txt", "new.txt")


# ---------------------------------------------------------------- the folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    text = words("u", 300)
    (root / "story.txt").write_text(text, encoding="utf-8")
    library = Library.open([root])
    (info,) = library.documents()
    library.load(info)  # the store learns the content its highlights are anchored against
    store = library.store_for(info)
    store.save_annotation(Annotation.create(text, 0, 20, info.relpath, note="mine"))
    store.save_annotation(Annotation.create(text, 30, 50, info.relpath, note="also"))
    return root


def test_a_relink_by_text_is_told_with_its_share_and_highlights(folder: Path) -> None:
    text = (folder / "story.txt").read_text(encoding="utf-8")
    (folder / "story.txt").unlink()
    edited = " ".join(w if n % 10 else "edited" for n, w in enumerate(text.split()))
    (folder / "moved.txt").write_text(edited, encoding="utf-8")
    library = Library.open([folder])
    assert library.collections[0].missing == []
    (notice,) = [n for n in library.notices.take() if "renamed" in n]
    assert re.fullmatch(
        r"story\.txt was renamed to moved\.txt \(([1-9]\d)% same text\): "
        r"its annotations follow it \(2 highlights\)",
        notice,
    ), notice


def test_a_readonly_store_offers_the_sure_file_instead_of_relinking(folder: Path) -> None:
    (folder / "story.txt").rename(folder / "moved.txt")
    index = next(folder.rglob("index.json"))
    data = json.loads(index.read_text(encoding="utf-8"))
    data["_meta"]["schema"]["version"] = SCHEMA_VERSION + 1
    index.write_text(json.dumps(data), encoding="utf-8")
    (missing,) = Library.open([folder]).collections[0].missing
    assert missing.relpath == "story.txt"
    assert missing.candidates == (Candidate("moved.txt", 1.0, "content"),)


def test_a_relink_the_busy_store_cannot_make_is_told_and_offered(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "story.txt").rename(folder / "moved.txt")
    store = FolderStore.open(folder)
    monkeypatch.setattr(folder_store, "LOCK_TIMEOUT", 0.05)
    other = FileLock(str(store.location / "lock"))
    other.acquire()
    try:
        library = Library.open([folder])
    finally:
        other.release()
    (missing,) = library.collections[0].missing
    assert missing.relpath == "story.txt"
    assert missing.candidates == (Candidate("moved.txt", 1.0, "content"),)
    (told,) = [n for n in library.notices.take() if "renamed" in n]
    assert told.startswith("story.txt seems renamed to moved.txt; not relinked: another ipreader")
    assert "story.txt" in FolderStore.open(folder).stored_documents()  # nothing moved


def test_an_unreadable_file_is_never_taken_for_a_missing_article(folder: Path) -> None:
    store = FolderStore.open(folder)
    sha = store.stored_documents()["story.txt"].sha256
    assert sha is not None
    (folder / "story.txt").rename(folder / "moved.txt")
    broken = replace(listed("moved.txt", words("u", 300), sha=sha), error="cannot be decoded")
    (missing,) = relink_collection(store, folder, [broken])
    assert missing.relpath == "story.txt" and missing.candidates == ()
