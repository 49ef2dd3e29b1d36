"""Find where an annotation's quote lies in a (possibly edited) text.

The order follows Hypothesis's client:

1. the stored position still holds the quote -> ``ANCHORED``;
2. the exact quote elsewhere; prefix/suffix context, then closeness to the old
   position, choose between repeats -> ``MOVED`` (``exact.find_verbatim``);
3. the quote's words with any whitespace between them (a re-wrapped
   paragraph) -> ``ANCHORED`` at the old position, else ``MOVED``
   (``exact.find_loose``);
4. an approximate match on word edges, accepted only when its quote
   similarity reaches ``MIN_SCORE`` *and* it beats the runner-up by
   ``MARGIN`` -> ``FUZZY`` (``fuzzy.find_fuzzy``; only for quotes of at most
   ``MAX_FUZZY_QUOTE`` characters: a longer one is placed only when found whole);
5. otherwise ``None``: the caller keeps the annotation as orphaned. A wrong
   place is worse than no place, so every doubt ends here.

Anchoring always looks for the *original* quote with its original context,
which re-anchoring never changes: when an edit is undone, the highlight comes
back exactly. Every call is bounded whatever the input: the context is cut to
``CONTEXT_CHARS``, exact searches run in C, the approximate search is limited
in span, piece length, candidates and the length of the quote.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ipreader.core.anchoring.exact import (
    find_collapsed,
    find_loose,
    find_verbatim,
    nearest_occurrence,
)
from ipreader.core.anchoring.fuzzy import (
    CONTEXT_WEIGHT,
    MARGIN,
    MAX_FUZZY_QUOTE,
    MAX_FUZZY_SPAN,
    MAX_PIECE,
    MIN_FUZZY_QUOTE,
    MIN_SCORE,
    Query,
    find_fuzzy,
)
from ipreader.core.anchoring.spans import trim_span
from ipreader.core.model import CONTEXT_CHARS, AnchorStatus, Annotation

__all__ = [
    "CONTEXT_WEIGHT",
    "MARGIN",
    "MAX_FUZZY_QUOTE",
    "MAX_FUZZY_SPAN",
    "MAX_PIECE",
    "MIN_FUZZY_QUOTE",
    "MIN_SCORE",
    "AnchorMatch",
    "anchor",
    "apply_match",
    "reanchor",
    "trim_span",
]


@dataclass(frozen=True, slots=True)
class AnchorMatch:
    """Where a quote was found: ``text[start:end]`` and how it was found."""

    start: int
    """First code point of the match."""
    end: int
    """One past the last code point (exclusive)."""
    status: AnchorStatus
    """``ANCHORED``, ``MOVED`` or ``FUZZY`` (never ``ORPHANED``: that is ``None``)."""
    score: float
    """Quote similarity, 0..100 (exactly 100 for the exact tiers)."""


def anchor(
    text: str,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    start_hint: int | None = None,
) -> AnchorMatch | None:
    """Return where ``quote`` lies in ``text``, or ``None`` when it cannot be placed safely.

    ``prefix``/``suffix`` are the text stored around the quote (only the
    ``CONTEXT_CHARS`` nearest it are used); ``start_hint`` is its old start
    offset (any integer, or ``None`` when unknown).
    """
    prefix, suffix = prefix[-CONTEXT_CHARS:], suffix[:CONTEXT_CHARS]
    # Even an approximate match needs about three quarters of the quote's length.
    if not quote or not text or len(quote) > 2 * len(text):
        return None
    if start_hint is not None and start_hint >= 0 and text.startswith(quote, start_hint):
        return _at_position(text, quote, prefix, suffix, start_hint)
    hint = None if start_hint is None else min(max(start_hint, 0), len(text))
    # A quote too long to seek approximately is placed only when found whole; its
    # whitespace-insensitive search runs in linear time (repetitive text made the
    # per-candidate comparison of find_loose take seconds).
    long_quote = len(quote) > MAX_FUZZY_QUOTE
    for find in (find_verbatim, find_collapsed if long_quote else find_loose):
        span = find(text, quote, prefix, suffix, hint)
        if span is not None:
            status = AnchorStatus.ANCHORED if span[0] == start_hint else AnchorStatus.MOVED
            return AnchorMatch(span[0], span[1], status, 100.0)
    found = find_fuzzy(text, Query.of(quote, prefix, suffix, hint))
    if found is None:
        return None
    return AnchorMatch(found.start, found.end, AnchorStatus.FUZZY, found.score)


def _at_position(text: str, quote: str, prefix: str, suffix: str, start: int) -> AnchorMatch:
    """Return the match of a quote that the old position still holds.

    In repetitive text, an insertion above can slide *another* copy of the
    quote onto the stored offset. The offset is left only for an occurrence
    that carries the whole stored context, which the offset then lacks.
    """
    size = len(quote)
    holds_context = (
        text[max(0, start - len(prefix)) : start] == prefix
        and text[start + size : start + size + len(suffix)] == suffix
    )
    if not holds_context:
        full = nearest_occurrence(text, prefix + quote + suffix, start - len(prefix))
        if full is not None:
            moved = full + len(prefix)
            return AnchorMatch(moved, moved + size, AnchorStatus.MOVED, 100.0)
    return AnchorMatch(start, start + size, AnchorStatus.ANCHORED, 100.0)


def apply_match(annotation: Annotation, match: AnchorMatch | None) -> Annotation:
    """Return ``annotation`` placed at ``match``, or marked orphaned for ``None``.

    Only ``start``, ``end``, ``status`` and ``score`` change: the quote and its
    context stay what the user highlighted. An orphan keeps its last offsets.
    """
    if match is None:
        return replace(annotation, status=AnchorStatus.ORPHANED, score=None)
    fuzzy = match.status is AnchorStatus.FUZZY
    return replace(
        annotation,
        start=match.start,
        end=match.end,
        status=match.status,
        score=match.score if fuzzy else None,
    )


def reanchor(text: str, annotation: Annotation) -> Annotation:
    """Return ``annotation`` re-anchored in ``text`` (never ``None``: orphans are kept).

    Only ``start``, ``end``, ``status`` and ``score`` are updated (see
    ``apply_match``); the text now covered is ``text[start:end]``, which
    differs from the quote only for ``FUZZY`` matches (or in whitespace alone).
    ``updated`` is left alone: this is not a user edit.
    """
    match = anchor(text, annotation.quote, annotation.prefix, annotation.suffix, annotation.start)
    return apply_match(annotation, match)
