"""How counts, lists and excerpts are worded for people: ``plural``, ``some_of``, ``excerpt``."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """Return ``count`` with its noun, e.g. ``1 highlight``, ``2 highlights``, ``1,204 files``."""
    noun = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {noun}"


def some_of(names: list[str], shown: int = 5) -> str:
    """Return the first ``shown`` names joined by commas, the rest counted (``… and 3 more``)."""
    named = ", ".join(names[:shown])
    return f"{named} and {len(names) - shown} more" if len(names) > shown else named


def excerpt(text: str, limit: int) -> str:
    """Return ``text`` on one line, cut at a word boundary to at most ``limit`` characters.

    A cut text ends with ``…``; a single word longer than the limit is cut inside.
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def excerpts(texts: Iterable[str], limit: int) -> list[str]:
    """Return ``excerpt(text, limit)`` of each of ``texts``, in order.

    For tens of thousands of texts (a report's quotes): flattened in C (``map``),
    and only the texts over the limit cut, inline.
    """
    flat = list(map(" ".join, map(str.split, texts)))
    keep, half = max(1, limit - 1), limit // 2
    for index in compress(range(len(flat)), map(limit.__lt__, map(len, flat))):
        cut = flat[index][:keep]
        space = cut.rfind(" ")
        if space >= half:
            cut = cut[:space]
        flat[index] = cut.rstrip(" ,;:.-") + "…"
    return flat
