"""Drift counts and wording, review candidates, relinked highlights, the kept original."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.anchoring import reanchor, trim_span
from ipreader.core.drift import MISSING, DriftCounts, exported, opening_notice
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.review import placements, relinked
from ipreader.core.store import FolderStore

TEXT = (
    "Shell is to pay $1m to the ex-finance chief who stepped down from her post in April "
    "2004 after the firm over-stated its reserves. Judy Boynton finally left the firm on "
    "31 December, having spent the intervening time as a special advisor.\n"
)


def make(start: int, end: int, status: AnchorStatus = AnchorStatus.ANCHORED) -> Annotation:
    return replace(Annotation.create(TEXT, start, end, "a.txt"), status=status)


def test_counts_and_their_wording() -> None:
    annotations = [
        make(0, 5),
        make(6, 8, AnchorStatus.MOVED),
        make(9, 12, AnchorStatus.MOVED),
        make(13, 16, AnchorStatus.FUZZY),
        make(17, 20, AnchorStatus.ORPHANED),
    ]
    counts = DriftCounts.of(annotations)
    assert counts == DriftCounts(anchored=1, moved=2, fuzzy=1, orphaned=1)
    assert (counts.not_exact, counts.to_review) == (4, 2)
    assert counts.describe() == "2 moved, 1 approximate, 1 not found"
    assert opening_notice(counts) == (
        "The article changed: 2 moved, 1 approximate, 1 not found — r to review"
    )
    assert opening_notice(DriftCounts.of(annotations[:3])) == "The article changed: 2 moved"
    assert opening_notice(DriftCounts.of(annotations[:1])) == ""
    missing = DriftCounts.of(annotations, missing=True)
    assert missing == DriftCounts(missing=5) and missing.describe() == "5 article missing"
    assert (counts + missing).as_dict()["missing"] == 5


def test_a_missing_articles_highlight_is_exported_as_missing() -> None:
    annotation = make(0, 5)
    assert exported(annotation)["status"] == "anchored"
    assert exported(annotation, missing=True)["status"] == MISSING


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(0, 5, (0, 5)), (5, 12, (6, 11)), (11, 40, (12, 15)), (5, 6, None), (3, 3, None)],
)
def test_trim_span(start: int, end: int, expected: tuple[int, int] | None) -> None:
    assert trim_span("Shell is to pay", start, end) == expected


def test_placements_offer_the_exact_quote_first_then_close_ones() -> None:
    quote = "the ex-finance chief who stepped down"
    start = TEXT.index(quote)
    lost = replace(make(start, start + len(quote)), status=AnchorStatus.ORPHANED)
    edited = TEXT.replace("ex-finance chief", "former finance head")
    found = placements(edited, lost)
    assert found and found[0].score < 100
    before, covered, after = found[0].context(edited)
    assert covered.startswith("the former finance head who stepped")
    assert before.endswith("$1m to ") and after.startswith(" from her")
    doubled = TEXT + TEXT
    exact = placements(doubled, lost)
    assert [p.score for p in exact[:2]] == [100.0, 100.0]
    assert [doubled[p.start : p.end] for p in exact[:2]] == [quote, quote]


def test_placements_never_start_or_end_inside_a_word() -> None:
    quote = "finance chief who stepped down"
    start = TEXT.index(quote)
    lost = replace(make(start, start + len(quote)), status=AnchorStatus.ORPHANED)
    edited = TEXT.replace("finance chief", "financial chiefs")
    for place in placements(edited, lost):
        assert place.start == 0 or not edited[place.start - 1].isalnum()
        assert place.end == len(edited) or not edited[place.end].isalnum()


def test_a_relinked_highlight_is_exact_on_what_it_now_covers() -> None:
    start = TEXT.index("Judy Boynton")
    fuzzy = replace(make(start, start + 12), status=AnchorStatus.FUZZY, score=88.0)
    edited = "New headline. " + TEXT.replace("Judy Boynton", "Ms Judy Boynton")
    target = edited.index("Ms Judy Boynton")
    after = relinked(fuzzy, edited, target, target + 15)
    assert after.quote == "Ms Judy Boynton" == edited[after.start : after.end]
    assert after.status is AnchorStatus.ANCHORED and after.score is None
    assert after.revision == fuzzy.revision + 1
    assert (after.id, after.note, after.created) == (fuzzy.id, fuzzy.note, fuzzy.created)
    with pytest.raises(ValueError):
        relinked(fuzzy, edited, 5, 5)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40), st.text(max_size=20)), max_size=6)
)
def test_a_relink_changes_nothing_but_the_document(
    tmp_path_factory: pytest.TempPathFactory, spans: list[tuple[int, int, str]]
) -> None:
    """Whatever the annotations, a relink keeps every field but ``document``."""
    root = tmp_path_factory.mktemp("relink")
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    store = FolderStore.open(root)
    store.reconcile("a.txt", hashlib.sha256(TEXT.encode()).hexdigest(), TEXT)
    made = [
        Annotation.create(TEXT, start, min(len(TEXT), start + size), "a.txt", note=note)
        for start, size, note in spans
    ]
    store.save_annotations(made)
    store.set_reading_position("a.txt", 10)  # registers the document even without highlights
    (root / "a.txt").rename(root / "b.txt")
    store.relink("a.txt", "b.txt")
    after = {a.id: a for a in FolderStore.open(root).annotations("b.txt")}
    assert after == {a.id: replace(a, document="b.txt") for a in made}


def test_reconciling_an_edited_text_never_overwrites_the_original_quote(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    store = FolderStore.open(tmp_path)
    store.reconcile("a.txt", hashlib.sha256(TEXT.encode()).hexdigest(), TEXT)
    start = TEXT.index("the ex-finance chief who")
    original = Annotation.create(TEXT, start, start + 40, "a.txt")
    store.save_annotation(original)
    edited = TEXT.replace("ex-finance chief", "ex-finance boss")
    (reanchored,) = store.reconcile("a.txt", hashlib.sha256(edited.encode()).hexdigest(), edited)
    assert reanchored.status is AnchorStatus.FUZZY
    assert (reanchored.quote, reanchored.prefix, reanchored.suffix) == (
        original.quote,
        original.prefix,
        original.suffix,
    )


def test_the_place_the_context_agrees_with_comes_first() -> None:
    """Seen in tmux: 'restated its reserves' (elsewhere) outranked the edited highlight itself."""
    path = (
        Path(__file__).parent
        / "fixtures"
        / "bbc"
        / "business"
        / "1m-payoff-for-former-shell-boss.txt"
    )
    text = path.read_text(encoding="utf-8")
    quote = "over-stated its reserves"
    start = text.index(quote)
    highlight = Annotation.create(text, start, start + len(quote), "shell.txt")
    edited = text.replace(quote, "overstated its oil reserves")
    best = placements(edited, reanchor(edited, highlight))[0]
    assert edited[best.start : best.end] == "overstated its oil reserves"
