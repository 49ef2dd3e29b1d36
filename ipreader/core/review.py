"""Where an approximate or lost highlight might belong: candidates a person chooses from.

Anchoring (``core/anchoring.py``) accepts a place only when it is sure. The
review screen and ``ipreader check`` show the doubtful ones beside the places
that come closest, so a person decides: ``placements`` returns the exact
occurrences of the quote, then the best approximate alignments (rapidfuzz),
each snapped to whole words and scored 0..100 against the quote, best first.
The search is bounded like anchoring's: a window of ``SEARCH_SPAN``
characters around the old position, the quote aligned by its first
``MAX_PIECE`` characters.

``relinked`` is what accepting a place does: the highlight becomes exact on
the text it now covers (quote and context taken from there), a user edit
(a new revision), so it never drifts back to what it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from ipreader.core.model import AnchorStatus, Annotation, context_around
from ipreader.core.spans import trim_span

#: Candidates offered per highlight.
MAX_PLACEMENTS = 5

#: Least similarity (0..100) of an approximate candidate worth showing.
MIN_PLACEMENT_SCORE = 50.0

#: Characters searched around the old position.
SEARCH_SPAN = 400_000

#: Longest piece of a quote aligned at once (rapidfuzz's cost grows with its square).
MAX_PIECE = 256

#: Characters of context shown on each side of a candidate.
CONTEXT = 60


@dataclass(frozen=True, slots=True)
class Placement:
    """One place a highlight could go: ``text[start:end]``."""

    start: int
    """First code point."""
    end: int
    """One past the last code point."""
    score: float
    """Similarity to the original quote, 0..100 (100: the quote itself)."""

    def context(self, text: str, width: int = CONTEXT) -> tuple[str, str, str]:
        """Return ``(before, covered, after)`` around the place, ``width`` characters a side."""
        return (
            text[max(0, self.start - width) : self.start],
            text[self.start : self.end],
            text[self.end : self.end + width],
        )


def placements(text: str, annotation: Annotation, limit: int = MAX_PLACEMENTS) -> list[Placement]:
    """Return the places ``annotation``'s original quote comes closest to in ``text``, best first.

    An approximate highlight's current place is always among them.
    """
    quote = annotation.quote
    if not quote or not text:
        return []
    lo = max(0, min(annotation.start, len(text)) - SEARCH_SPAN // 2)
    hi = min(len(text), lo + SEARCH_SPAN)
    found: dict[tuple[int, int], float] = {}
    position = text.find(quote, lo, hi)
    while position >= 0 and len(found) < limit:
        found[(position, position + len(quote))] = 100.0
        position = text.find(quote, position + 1, hi)
    if annotation.status is AnchorStatus.FUZZY and annotation.end <= len(text):
        current = (annotation.start, annotation.end)
        found.setdefault(current, fuzz.ratio(quote, text[annotation.start : annotation.end]))
    for start, end in _alignments(text, quote, lo, hi, limit):
        span = _whole_words(text, start, end)
        if span is not None and not any(_overlaps(span, other) for other in found):
            score = fuzz.ratio(quote, text[span[0] : span[1]])
            if score >= MIN_PLACEMENT_SCORE:
                found[span] = score
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return [Placement(start, end, score) for (start, end), score in ranked[:limit]]


def _alignments(text: str, quote: str, lo: int, hi: int, limit: int) -> list[tuple[int, int]]:
    """Return up to ``limit`` non-overlapping best alignments of the quote in ``text[lo:hi]``.

    Each found region is cut out before the next search, so the list holds
    different places. Spans are stretched to the whole quote's length.
    """
    piece = quote[:MAX_PIECE]
    rest = len(quote) - len(piece)
    spans: list[tuple[int, int]] = []
    free = [(lo, hi)]
    while free and len(spans) < limit:
        best: tuple[float, int, int, int] | None = None
        for index, (start, end) in enumerate(free):
            if end - start < len(piece) // 2:
                continue
            result = fuzz.partial_ratio_alignment(
                piece, text[start:end], score_cutoff=MIN_PLACEMENT_SCORE
            )
            if result is not None and (best is None or result.score > best[0]):
                best = (result.score, index, start + result.dest_start, start + result.dest_end)
        if best is None:
            break
        _, index, start, end = best
        region = free.pop(index)
        free[index:index] = [(region[0], start), (end, region[1])]
        spans.append((start, min(len(text), end + rest)))
    return spans


def _whole_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen ``[start, end)`` to whole words, then trim surrounding whitespace."""
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return trim_span(text, start, end)


def _overlaps(span: tuple[int, int], other: tuple[int, int]) -> bool:
    return span[0] < other[1] and other[0] < span[1]


def relinked(annotation: Annotation, text: str, start: int, end: int) -> Annotation:
    """Return ``annotation`` made exact on ``text[start:end]``, as a user edit.

    The quote and context become the text there (what the highlight shows from
    now on); the revision is bumped. Raises ``ValueError`` for an empty span.
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"invalid range {start}..{end} for a text of {len(text)} characters")
    prefix, suffix = context_around(text, start, end)
    edited = annotation.edited(
        start=start, end=end, quote=text[start:end], prefix=prefix, suffix=suffix
    )
    return replace(edited, status=AnchorStatus.ANCHORED, score=None)
