"""A tuple known to be in document order, so the panes need not check it again.

An edit of one highlight makes a new tuple from the last by one removal and
one insertion; the tuple says so (``Edit``), so a pane that still holds the
last one can apply the same two steps to what it built from it instead of
rebuilding from every highlight of a book on each key.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

_T = TypeVar("_T", covariant=True)

#: The key of document order, ``(start, end, id)``, for annotations and highlight spans
#: alike: what ``InPlaceOrder`` is sorted by and every bisection into one uses. An
#: ``attrgetter``, so the key tuple is made in C (a book's tens of thousands are sorted).
place: Callable[[Any], tuple[int, int, str]] = operator.attrgetter("start", "end", "id")


@dataclass(frozen=True, slots=True)
class Edit(Generic[_T]):
    """How an ordered tuple was made from another: at most one item out and one in."""

    source: int
    """``id()`` of the tuple it was made from. Only the id, so that tuples never keep
    their predecessors alive; a holder of that tuple compares it with ``is_from``
    (while it holds the tuple, no other object can have its id)."""
    removed: _T | None
    """The item taken out (it was in the source), or ``None``."""
    added: _T | None
    """The item put in, or ``None``."""


class InPlaceOrder(tuple[_T, ...]):
    """Items (annotations or highlight spans) sorted by ``(start, end)`` and then by id.

    Made only where they were sorted or kept sorted (``pending.sort_annotations``,
    ``pending.replace_annotation``, ``ReaderState.spans``). A pane given one skips
    its own order check: a pass over every highlight of a book on each key.
    A slice or a concatenation is a plain tuple again.
    """

    edit: Edit[_T] | None = None
    """How this tuple was made from another by one edit, if it was (set by ``edited``)."""


def edited(
    items: list[_T], source: Sequence[object], removed: _T | None, added: _T | None
) -> InPlaceOrder[_T]:
    """Return ``items`` as an ordered tuple made from ``source`` by this one edit."""
    result = InPlaceOrder(items)
    result.edit = Edit(id(source), removed, added)
    return result


def edit_from(new: Sequence[_T], held: Sequence[object] | None) -> Edit[_T] | None:
    """How ``new`` was made from ``held`` (a tuple the caller still holds), if by one edit."""
    edit = getattr(new, "edit", None)
    if held is None or not isinstance(edit, Edit) or edit.source != id(held):
        return None
    return edit
