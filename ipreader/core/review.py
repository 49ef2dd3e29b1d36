"""Where an approximate or lost highlight might belong: candidates a person chooses from.

Anchoring (``core/anchoring.py``) accepts a place only when it is sure. The
review screen and ``ipreader check`` show the doubtful ones beside the places
that come closest, so a person decides: ``placements`` returns the exact
occurrences of the quote, then the best approximate alignments (rapidfuzz),
each snapped to whole words and scored 0..100 against the quote (the score
an approximate highlight carries), ordered by that score mixed with how well
the surrounding text agrees.
The search is bounded like anchoring's: a window of ``SEARCH_SPAN``
characters around the old position, the quote aligned by its first
``MAX_PIECE`` characters.

``gather_review`` collects what the review screen asks about: approximate
and lost highlights with their places, and missing articles with the files
they may have become.

``relinked`` is what accepting a place does: the highlight becomes exact on
the text it now covers (quote and context taken from there), a user edit
(a new revision), so it never drifts back to what it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz

from ipreader.core.anchoring import trim_span
from ipreader.core.anchoring.fuzzy import Query
from ipreader.core.anchoring.fuzzy import score as score_span
from ipreader.core.documents import DocumentInfo
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation, context_around
from ipreader.core.relink import MissingDocument
from ipreader.core.store import StoredDocument
from ipreader.core.text_version import TextVersion

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
    """Similarity to the original quote, 0..100 (100: the quote itself); for an
    approximate highlight's own place, the score it carries (``Annotation.score``)."""
    rank: float
    """What orders the places: ``score`` mixed with how well the text around
    agrees with the stored context (anchoring's combined score; 100 if exact)."""

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
    found: dict[tuple[int, int], tuple[float, float]] = {}  # span -> (rank, score)
    position = text.find(quote, lo, hi)
    while position >= 0 and len(found) < limit:
        found[(position, position + len(quote))] = (100.0, 100.0)
        position = text.find(quote, position + 1, hi)
    spans = _alignments(text, quote, lo, hi, limit)
    now = None
    if annotation.status is AnchorStatus.FUZZY and annotation.end <= len(text):
        now = (annotation.start, annotation.end)  # where it is drawn: anchoring chose its edges
        spans.insert(0, now)
    # Scored as anchoring scores (quote similarity mixed with the stored context), so the
    # place the text around agrees with comes first: "restated its reserves" elsewhere
    # must not outrank "overstated its oil reserves" where the highlight was.
    query = Query.of(quote, annotation.prefix, annotation.suffix, annotation.start)
    for start, end in spans:
        span = (start, end) if (start, end) == now else _whole_words(text, quote, start, end)
        if span is not None and not any(_overlaps(span, other) for other in found):
            scored = score_span(text, query, *span)
            if scored.combined >= MIN_PLACEMENT_SCORE:
                found[span] = (scored.combined, scored.score)
    ranked = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    return [Placement(start, end, score, rank) for (start, end), (rank, score) in ranked[:limit]]


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


def _whole_words(text: str, quote: str, start: int, end: int) -> tuple[int, int] | None:
    """Return the span of whole words near ``[start, end)`` that best matches ``quote``.

    A span starts where a word starts and ends where one ends (punctuation stuck
    to a word belongs to it); among those within a quarter of the quote's length
    of the rough guess, the one most similar to the quote wins.
    """
    slack = max(8, len(quote) // 4)
    starts = [
        i
        for i in range(max(0, start - slack), min(len(text), start + slack) + 1)
        if i < len(text) and not text[i].isspace() and (i == 0 or text[i - 1].isspace())
    ]
    ends = [
        j
        for j in range(max(1, end - slack), min(len(text), end + slack) + 1)
        if not text[j - 1].isspace() and (j == len(text) or text[j].isspace())
    ]
    spans = [(i, j) for i in starts for j in ends if i < j]
    if not spans:
        return trim_span(text, start, end)
    return max(spans, key=lambda s: (fuzz.ratio(quote, text[s[0] : s[1]]), -abs(s[0] - start)))


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


@dataclass(frozen=True, slots=True)
class HighlightReview:
    """An approximate or lost highlight to review, with the text it is reviewed against."""

    info: DocumentInfo
    """Its article."""
    annotation: Annotation
    """The highlight (its quote is what was highlighted)."""
    text: str
    """The article's current text."""
    version: TextVersion
    """Which read of the article ``text`` is (a relink is saved against it)."""
    places: tuple[Placement, ...]
    """Where it might go, best first (maybe none)."""


@dataclass(frozen=True, slots=True)
class DocumentReview:
    """A missing article to review: the files it may have become."""

    info: DocumentInfo
    """The missing article (``relink.MissingDocument.info``)."""
    missing: MissingDocument
    """What is stored about it, and its candidate files."""


ReviewItem = HighlightReview | DocumentReview
"""One thing the review screen asks a person about."""

ReviewAction = Literal["accept", "reselect", "delete", "relink_document"]
"""What a person can decide about a review item."""


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """What the user decided about one item."""

    action: ReviewAction
    """``accept`` a place, ``reselect`` by hand, ``delete`` the highlight, or
    ``relink_document`` (a missing article to a file)."""
    item: ReviewItem
    """The item decided on."""
    index: int
    """Its position in the list (the review goes on from there)."""
    place: Placement | None = None
    """The place accepted (``accept``), or the best one to start from (``reselect``)."""
    relpath: str | None = None
    """The file a missing article becomes (``relink_document``)."""


def gather_review(library: Library, only: DocumentInfo | None = None) -> list[ReviewItem]:
    """Return what needs a person in ``library`` (or only in the article ``only``).

    Approximate and not-found highlights, document by document in path order
    (each article read and reconciled), then the missing articles.
    """
    items: list[ReviewItem] = []

    def keep(info: DocumentInfo, stored: StoredDocument) -> bool:
        return bool(stored.annotations) and (only is None or info.path == only.path)

    for current in library.current_documents(keep):
        for annotation in current.annotations:
            if annotation.status in _DOUBTFUL:
                places = tuple(placements(current.text, annotation))
                items.append(
                    HighlightReview(current.info, annotation, current.text, current.version, places)
                )
    for collection in library.collections:
        for missing in collection.missing:
            info = missing.info(collection.root)
            # Relinked since the library was opened: its record went with it.
            if (only is None or info.path == only.path) and collection.store.has_document(
                missing.relpath
            ):
                items.append(DocumentReview(info, missing))
    return items


_DOUBTFUL = (AnchorStatus.FUZZY, AnchorStatus.ORPHANED)


#: Characters around an offset used to find it again in an edited text.
FOLLOW_CHARS = 40


def follow(old: str, new: str, offset: int) -> int:
    """Return where ``offset`` of ``old`` went in the edited text ``new`` (live reload).

    The text after the offset (and before it, as context) is anchored in
    ``new``; when it cannot be placed, the offset is clamped to ``new``.
    """
    from ipreader.core.anchoring import anchor

    offset = min(max(offset, 0), len(old))
    after = old[offset : offset + FOLLOW_CHARS]
    before = old[max(0, offset - FOLLOW_CHARS) : offset]
    if not after:  # at the end: follow the text before
        found = anchor(new, before, start_hint=offset - len(before)) if before else None
        return len(new) if found is None else found.end
    found = anchor(new, after, prefix=before[-32:], start_hint=offset)
    return min(offset, len(new)) if found is None else found.start
