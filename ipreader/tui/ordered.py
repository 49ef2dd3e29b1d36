"""A tuple known to be in document order, so the panes need not check it again.

An edit of one highlight makes a new tuple from the last by one removal and
one insertion; the tuple says so (``Edit``), so a pane that still holds the
last one can apply the same two steps to what it built from it instead of
rebuilding from every highlight of a book on each key. The tuple also finds
an item by id (``InPlaceOrder.by_id``, ``locate``) without a pass over a book's
tens of thousands: its id index is made once and carried from tuple to tuple
through the same edits.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

_T = TypeVar("_T", covariant=True)

#: An item's id, fetched in C.
_ID: Callable[[Any], str] = operator.attrgetter("id")

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

    _ids: dict[str, _T] | None = None  # by_id's index, once made (or carried by ``edited``)

    def by_id(self) -> Mapping[str, _T]:
        """Each item by its id (the first of two with one id), made once for this tuple."""
        ids = self._ids
        if ids is None:
            # Built backwards in C, so that the first item of an id is the one kept.
            backwards = self[::-1]
            ids = self._ids = dict(zip(map(_ID, backwards), backwards, strict=True))
        return ids

    def unique_ids(self) -> bool:
        """True when no two items share an id (then each sits alone at its ``place``)."""
        return len(self.by_id()) == len(self)


def locate(items: Sequence[_T], item: object) -> int | None:
    """The index of ``item`` itself in ``items`` (sorted by ``place``), by bisection."""
    at = bisect.bisect_left(items, place(item), key=place)
    return at if at < len(items) and items[at] is item else None


def edited(
    items: list[_T], source: Sequence[object], removed: _T | None, added: _T | None
) -> InPlaceOrder[_T]:
    """Return ``items`` as an ordered tuple made from ``source`` by this one edit.

    The source's id index, if it was made, is handed over and brought up to date
    with the same edit: a copy of a book's would be one more container of tens of
    thousands for the collector to walk at each key. The source makes its own
    again if it is asked (the UI thread asks; the panes hold only the newest).
    """
    result = InPlaceOrder(items)
    result.edit = Edit(id(source), removed, added)
    if not isinstance(source, InPlaceOrder):
        return result
    ids = source._ids
    if ids is None or len(ids) != len(source):
        return result  # not made, or two items share an id: made again when asked
    if removed is not None and ids.get(_ID(removed)) is not removed:
        return result
    source._ids = None
    if removed is not None:
        del ids[_ID(removed)]
    if added is not None:
        ids[_ID(added)] = added
    if len(ids) == len(items):  # else the added item's id was there already
        result._ids = ids
    return result


def edit_from(new: Sequence[_T], held: Sequence[object] | None) -> Edit[_T] | None:
    """How ``new`` was made from ``held`` (a tuple the caller still holds), if by one edit."""
    edit = getattr(new, "edit", None)
    if held is None or not isinstance(edit, Edit) or edit.source != id(held):
        return None
    return edit
