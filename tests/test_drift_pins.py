"""How drift is counted and worded, the same in the app, ``list`` and ``check``.

Companion of ``test_drift.py``: each status counted where it belongs, the
sums, the wording of every status with thousands separators, and when an
opening notice offers a review.
"""

from __future__ import annotations

from dataclasses import replace

from ipreader.core.drift import (
    MISSING,
    STATUSES,
    DriftCounts,
    exported,
    opening_notice,
    shown_status,
)
from ipreader.core.model import AnchorStatus, Annotation

TEXT = "The quick brown fox jumps over the lazy dog."


def with_status(status: AnchorStatus) -> Annotation:
    return replace(Annotation.create(TEXT, 4, 9, "a.txt"), status=status)


def test_every_status_is_counted_in_its_own_place() -> None:
    made = [
        *[with_status(AnchorStatus.ANCHORED)] * 1,
        *[with_status(AnchorStatus.MOVED)] * 2,
        *[with_status(AnchorStatus.FUZZY)] * 3,
        *[with_status(AnchorStatus.ORPHANED)] * 4,
    ]
    counts = DriftCounts.of(made)
    assert counts == DriftCounts(anchored=1, moved=2, fuzzy=3, orphaned=4, missing=0)
    assert counts.as_dict() == {
        "anchored": 1,
        "moved": 2,
        "fuzzy": 3,
        "orphaned": 4,
        MISSING: 0,
    }
    assert list(counts.as_dict()) == list(STATUSES)
    assert DriftCounts.of(made, missing=True) == DriftCounts(missing=10)
    assert DriftCounts.of([]) == DriftCounts()


def test_counts_add_status_by_status() -> None:
    total = DriftCounts(1, 2, 3, 4, 5) + DriftCounts(10, 20, 30, 40, 50)
    assert total == DriftCounts(11, 22, 33, 44, 55)
    assert (total.not_exact, total.to_review) == (22 + 33 + 44 + 55, 33 + 44)


def test_every_status_but_exact_is_worded_with_thousands_separators() -> None:
    assert DriftCounts(anchored=5).describe() == ""
    assert DriftCounts(5, 1234, 2, 3, 4).describe() == (
        "1,234 moved, 2 approximate, 3 not found, 4 article missing"
    )
    assert DriftCounts(missing=1).describe() == "1 article missing"


def test_an_opening_notice_offers_a_review_only_for_doubtful_highlights() -> None:
    assert opening_notice(DriftCounts(anchored=3)) == ""
    assert opening_notice(DriftCounts(moved=2)) == "The article changed: 2 moved"
    assert opening_notice(DriftCounts(moved=2, fuzzy=1)) == (
        "The article changed: 2 moved, 1 approximate — r to review"
    )
    assert opening_notice(DriftCounts(orphaned=1), "Reloaded") == (
        "Reloaded: 1 not found — r to review"
    )


def test_a_missing_article_shows_and_exports_its_highlights_as_missing() -> None:
    fuzzy = with_status(AnchorStatus.FUZZY)
    assert shown_status(fuzzy) == "fuzzy"
    assert shown_status(fuzzy, missing=True) == MISSING
    assert exported(fuzzy) == fuzzy.to_dict()
    assert exported(fuzzy, missing=True) == {**fuzzy.to_dict(), "status": MISSING}
    assert fuzzy.status is AnchorStatus.FUZZY  # the annotation itself is not changed
