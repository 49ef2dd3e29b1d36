"""A tuple known to be in document order, so the panes need not check it again."""

from __future__ import annotations

from typing import TypeVar

_T = TypeVar("_T", covariant=True)


class InPlaceOrder(tuple[_T, ...]):
    """Items (annotations or highlight spans) sorted by ``(start, end)`` and then by id.

    Made only where they were sorted or kept sorted (``pending.sort_annotations``,
    ``pending.replace_annotation``, ``ReaderState.spans``). A pane given one skips
    its own order check: a pass over every highlight of a book on each key.
    A slice or a concatenation is a plain tuple again.
    """

    __slots__ = ()
