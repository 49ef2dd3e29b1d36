"""Selections made into highlights: trimmed of surrounding whitespace.

MERGE: ``trim_span`` is arriving in ``ipreader.core.anchoring`` (the anchoring
branch); this minimal version stands in until then. At the merge, delete this
module and import ``trim_span`` from ``ipreader.core.anchoring`` in its callers
(``tui/state.py``, ``core/review.py``).
"""

from __future__ import annotations


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Return ``[start, end)`` without surrounding whitespace; ``None`` if nothing is left."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
