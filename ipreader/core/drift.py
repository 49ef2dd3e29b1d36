"""How far an article's highlights drifted from where they were made: counts and wording.

A highlight is *exact* while its stored position holds its quote
(``anchored``); it *moved* when the quote was found elsewhere, is
*approximate* (``fuzzy``) when only a close match was found, and *not found*
(``orphaned``) otherwise. The highlights of an article no longer in its folder
are *missing* (a document fact, never stored on the annotation). The app, the
highlights view, ``list`` and ``check`` all word these the same way, here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ipreader.core.model import AnchorStatus, Annotation

#: The status a missing article's highlights are shown and exported with.
MISSING = "missing"

#: Every status a highlight is shown with: the anchoring statuses, then ``missing``.
STATUSES: tuple[str, ...] = (*(status.value for status in AnchorStatus), MISSING)

#: How each status is named for people.
STATUS_WORDS: dict[str, str] = {
    AnchorStatus.ANCHORED.value: "exact",
    AnchorStatus.MOVED.value: "moved",
    AnchorStatus.FUZZY.value: "approximate",
    AnchorStatus.ORPHANED.value: "not found",
    MISSING: "article missing",
}


def shown_status(annotation: Annotation, *, missing: bool = False) -> str:
    """Return the status ``annotation`` is shown with (``missing`` when its article is gone)."""
    return MISSING if missing else annotation.status.value


def exported(annotation: Annotation, *, missing: bool = False) -> dict[str, Any]:
    """Return ``annotation.to_dict()`` with the status it is shown with (``missing`` included)."""
    record = annotation.to_dict()
    if missing:
        record["status"] = MISSING
    return record


@dataclass(frozen=True, slots=True)
class DriftCounts:
    """How many highlights of a document (or of several) stand where."""

    anchored: int = 0
    """Exact: the stored position holds the quote."""
    moved: int = 0
    """The quote found at another position."""
    fuzzy: int = 0
    """Only an approximate match found."""
    orphaned: int = 0
    """Not found in the text."""
    missing: int = 0
    """In an article no longer in the folder."""

    @classmethod
    def of(cls, annotations: Iterable[Annotation], *, missing: bool = False) -> DriftCounts:
        """Count ``annotations`` by status (all ``missing`` when their article is gone)."""
        counts = dict.fromkeys(STATUSES, 0)
        for annotation in annotations:
            counts[shown_status(annotation, missing=missing)] += 1
        return cls(*(counts[status] for status in STATUSES))

    def __add__(self, other: DriftCounts) -> DriftCounts:
        return DriftCounts(*(getattr(self, s) + getattr(other, s) for s in STATUSES))

    @property
    def not_exact(self) -> int:
        """Highlights not exactly where they were made (moved, approximate, not found, missing)."""
        return self.moved + self.fuzzy + self.orphaned + self.missing

    @property
    def to_review(self) -> int:
        """Highlights a person should look at: approximate or not found."""
        return self.fuzzy + self.orphaned

    def as_dict(self) -> dict[str, int]:
        """The counts by status name (``STATUSES``)."""
        return {status: getattr(self, status) for status in STATUSES}

    def describe(self) -> str:
        """Word the counts that are not exact, e.g. ``2 moved, 1 approximate, 1 not found``."""
        parts = [
            f"{getattr(self, status):,} {STATUS_WORDS[status]}"
            for status in STATUSES[1:]
            if getattr(self, status)
        ]
        return ", ".join(parts)


def opening_notice(counts: DriftCounts, lead: str = "The article changed") -> str:
    """What opening an article whose text changed tells (empty when nothing drifted)."""
    described = counts.describe()
    if not described:
        return ""
    if counts.to_review:
        return f"{lead}: {described} — r to review"
    return f"{lead}: {described}"
