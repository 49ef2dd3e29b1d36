"""Facts about spans of text that every anchoring tier shares: words, windows, context."""

from __future__ import annotations

from rapidfuzz import fuzz

#: Fewest characters of stored context that must continue verbatim next to a
#: boundary for it to count (``adjacency``): shorter agreement is chance, such
#: as two words that both end in "ation ".
MIN_ADJACENT = 10


def is_word_char(char: str) -> bool:
    """True for a character that belongs to a word (a letter or a digit, in any script)."""
    return char.isalnum()


def cuts_word(text: str, at: int) -> bool:
    """True when offset ``at`` falls between two word characters of ``text``."""
    return 0 < at < len(text) and is_word_char(text[at - 1]) and is_word_char(text[at])


def word_edges(text: str, lo: int, hi: int) -> list[int]:
    """Return the offsets in ``[lo, hi]`` that do not cut a word (``cuts_word``), ascending."""
    base = max(0, lo - 1)
    # One pass over the characters instead of two tests per offset (hot: fuzzy fitting).
    word = [is_word_char(char) for char in text[base : hi + 1]]
    return [
        at
        for at in range(lo, hi + 1)
        if not (0 < at < len(text) and word[at - 1 - base] and word[at - base])
    ]


def starts_inside_word(quote: str, prefix: str) -> bool:
    """True when a quote with this prefix began inside a word (the user cut a word)."""
    return bool(prefix) and bool(quote) and is_word_char(prefix[-1]) and is_word_char(quote[0])


def ends_inside_word(quote: str, suffix: str) -> bool:
    """True when a quote with this suffix ended inside a word."""
    return bool(suffix) and bool(quote) and is_word_char(quote[-1]) and is_word_char(suffix[0])


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Return ``[start, end)`` without the whitespace and line breaks around it.

    ``None`` when the span holds nothing else (or nothing at all). Offsets
    outside the text are clamped to it.
    """
    start = max(0, start)
    end = min(len(text), end)
    piece = text[start:end]
    kept = piece.strip()
    if not kept:
        return None
    first = start + len(piece) - len(piece.lstrip())
    return first, first + len(kept)


def window(center: int, radius: int, length: int) -> tuple[int, int]:
    """Return ``[center - radius, center + radius)`` shifted to fit in ``[0, length)``."""
    lo = max(0, center - radius)
    hi = min(length, lo + 2 * radius)
    return max(0, hi - 2 * radius), hi


def context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float | None:
    """Return how well the text around ``[start, end)`` matches ``prefix``/``suffix`` (0..100).

    The mean of the two similarities; ``None`` when there is no stored context.
    """
    scores = []
    if prefix:
        scores.append(fuzz.ratio(prefix, text[max(0, start - len(prefix)) : start]))
    if suffix:
        scores.append(fuzz.ratio(suffix, text[end : end + len(suffix)]))
    return sum(scores) / len(scores) if scores else None


def adjacency(text: str, at: int, context: str, before: bool) -> float:
    """Return how much of ``context`` continues verbatim next to offset ``at``, 0..100.

    ``before``: the context is a prefix, compared with the text ending at
    ``at``; else a suffix, with the text starting there. Agreement shorter
    than ``MIN_ADJACENT`` characters (or than the whole context) counts as none.
    """
    need = min(MIN_ADJACENT, len(context))
    # Most offsets share nothing with the context: one comparison says so.
    if not context or (
        text[max(0, at - need) : at] != context[-need:]
        if before
        else text[at : at + need] != context[:need]
    ):
        return 0.0
    if before:
        pairs = zip(reversed(context), reversed(text[max(0, at - len(context)) : at]), strict=False)
    else:
        pairs = zip(context, text[at : at + len(context)], strict=False)
    common = 0
    for ours, theirs in pairs:
        if ours != theirs:
            break
        common += 1
    if not context or common < min(MIN_ADJACENT, len(context)):
        return 0.0
    return 100.0 * common / len(context)
