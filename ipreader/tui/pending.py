"""The open document's edits not yet confirmed saved (Textual-free).

Each change the user makes to a highlight of the open article is shown at
once and written later by the writer. Until the write is reported, the
change is *pending*: it wins over what a poll reads from disk, and quitting
asks before losing it. For each pending highlight ``PendingEdits`` also keeps
the version the store holds as far as the app knows (the *base* the next save
is checked against, ``core/revisions.py``) and whether its save was refused
because the article changed on disk (*stale*: ``core/text_version.py``). A
stale edit is re-anchored on the reloaded text and saved again
(``rebase``): the user's change is kept, never saved against the old text.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.model import Annotation
from ipreader.core.text_version import TextVersion
from ipreader.tui.ordered import InPlaceOrder, edited, locate, place

if TYPE_CHECKING:
    from ipreader.tui.commands import SaveAnnotation  # made by rebase: imported there
    from ipreader.tui.undo import Change  # a parameter's type (see ReaderState.undo)

#: An annotation's id, fetched in C (``replace_annotation``'s search).
_ID = operator.attrgetter("id")


def sort_annotations(annotations: Iterable[Annotation]) -> InPlaceOrder[Annotation]:
    """Return ``annotations`` in document order (an ordered tuple as it is: sorting a
    book's 20,000 again costs 15-30 ms though they are in order)."""
    if isinstance(annotations, InPlaceOrder):
        return annotations
    return InPlaceOrder(sorted(annotations, key=place))


def ordered_off_the_ui(annotations: Iterable[Annotation]) -> InPlaceOrder[Annotation]:
    """``sort_annotations`` with the id index made too: for a loading thread, so that
    neither is done on the UI thread when the document is shown or at its first key."""
    ordered = sort_annotations(annotations)
    ordered.by_id()
    return ordered


def ordered_as(
    annotations: Sequence[Annotation], known: Sequence[Annotation]
) -> InPlaceOrder[Annotation]:
    """``ordered_off_the_ui(annotations)``, or ``known`` itself when it is an ordered
    tuple of the very same objects (the first article's own read, ordered already:
    sorting and indexing a book's 20,000 again costs ~30 ms of the opening)."""
    if isinstance(known, InPlaceOrder) and len(known) == len(annotations):
        # The store's order differs from the pane's only among highlights of one range
        # (``formats.annotation_order``): nearly always the very same sequence (~1 ms).
        if all(map(operator.is_, known, annotations)):
            return known
        objects = set(map(id, known))  # both held: no two live objects share an id()
        # No object twice in ``known``, as many in ``annotations``: the same ones, once each.
        if len(objects) == len(known) and objects == set(map(id, annotations)):
            return known
    return ordered_off_the_ui(annotations)


def merge_pending(
    stored: Iterable[Annotation], pending: Mapping[str, Annotation | None]
) -> tuple[Annotation, ...]:
    """Return ``stored`` with the app's unsaved edits on top (``None`` = deleted here)."""
    merged = {a.id: a for a in stored}
    for annotation_id, mine in pending.items():
        if mine is None:
            merged.pop(annotation_id, None)
        else:
            merged[annotation_id] = mine
    return sort_annotations(merged.values())


def replace_annotation(
    annotations: Sequence[Annotation],
    before: Annotation | None,
    after: Annotation | None,
    *,
    made: bool = False,
) -> InPlaceOrder[Annotation]:
    """Return ``annotations`` (in document order) with ``before`` replaced by ``after``.

    Either may be ``None``; every annotation with either's id is removed. One
    removal and one insertion by bisection: a book may hold tens of thousands of
    annotations and this runs on every edit. Only when ``before`` is not where
    its place says, or ``after`` is not a new annotation (``made``: just created,
    its id a new random UUID), are other copies of their ids looked for: in the
    tuple's id index when its ids are unique, else searched (in C).
    """
    kept = list(annotations)
    gone = {a.id for a in (before, after) if a is not None and not (made and a is after)}
    removed: Annotation | None = None
    if before is not None:
        at = bisect.bisect_left(kept, place(before), key=place)
        if at < len(kept) and kept[at].id == before.id:
            removed = kept.pop(at)
            gone.discard(before.id)
    one_edit = True  # one removal (or none) and one insertion: say so (``ordered.Edit``)
    if gone and isinstance(annotations, InPlaceOrder) and annotations.unique_ids():
        # Each id is once in the tuple, at its place: found by its index, not searched.
        for known in gone:
            stale = annotations.by_id().get(known)
            where = None if stale is None else locate(kept, stale)
            if where is None:
                continue  # not there (an undone delete: a highlight coming back)
            del kept[where]
            one_edit, removed = removed is None and one_edit, stale
    elif gone:
        ids = list(map(_ID, kept))
        for known in gone:
            while known in ids:
                at = ids.index(known)
                del ids[at], kept[at]
                one_edit = False
    if after is not None:
        bisect.insort(kept, after, key=place)
    if not one_edit:
        return InPlaceOrder(kept)
    return edited(kept, annotations, removed, after)


class PendingEdits:
    """Highlights of the open document whose latest change is queued or failed."""

    def __init__(self) -> None:
        self._after: dict[str, Annotation | None] = {}  # id -> latest change (None: deleted)
        self._base: dict[str, Annotation | None] = {}  # id -> the version stored, as known
        self._stale: set[str] = set()  # ids whose save was refused: the text changed

    def __len__(self) -> int:
        return len(self._after)

    def clear(self) -> None:
        """Forget everything (another document is opened)."""
        self._after.clear()
        self._base.clear()
        self._stale.clear()

    def record(self, change: Change) -> None:
        """Note a change just shown and queued."""
        key = change.annotation.id
        self._base.setdefault(key, change.before)
        self._after[key] = change.after

    def saved(self, key: str, after: Annotation | None) -> None:
        """Note that the change of ``key`` to ``after`` was written."""
        if key not in self._after:
            return
        if self._after[key] == after:
            del self._after[key]
            self._base.pop(key, None)
            self._stale.discard(key)
        else:
            self._base[key] = after  # a newer change is queued behind it

    def stale(self, key: str) -> None:
        """Note that the save of ``key`` was refused because the article changed on disk."""
        if key in self._after:
            self._stale.add(key)

    def drop(self, key: str) -> None:
        """Forget the change of ``key`` (the user kept the other version of a conflict)."""
        self._after.pop(key, None)
        self._base.pop(key, None)
        self._stale.discard(key)

    def unsaved(self) -> list[tuple[Annotation | None, Annotation | None]]:
        """``(the version stored, as known; the latest change)`` of each highlight whose
        change is queued or failed (``None``: none stored / deleted here), oldest first."""
        return [(self._base.get(key), after) for key, after in self._after.items()]

    def base(self, key: str) -> Annotation | None:
        """The version of ``key`` the store holds, as far as the app knows."""
        return self._base.get(key)

    def overlay(self, stored: Iterable[Annotation]) -> tuple[Annotation, ...]:
        """Return ``stored`` with the pending changes on top, in document order."""
        return merge_pending(stored, self._after)

    def rebase(self, root: Path, text: str, version: TextVersion | None) -> list[SaveAnnotation]:
        """Re-anchor the stale changes on the reloaded ``text``; return their new saves."""
        from ipreader.core.anchoring import reanchor  # rapidfuzz: only when needed
        from ipreader.tui.commands import SaveAnnotation

        commands: list[SaveAnnotation] = []
        for key in sorted(self._stale):
            mine = self._after.get(key)
            if mine is None:
                continue
            moved = reanchor(text, mine)
            self._after[key] = moved
            commands.append(SaveAnnotation(root, moved, base=self._base.get(key), text=version))
        self._stale.clear()
        return commands
