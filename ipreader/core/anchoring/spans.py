"""Facts about spans of text that every anchoring tier shares: windows, context."""

from __future__ import annotations

from rapidfuzz import fuzz


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
