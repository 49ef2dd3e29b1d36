"""A Textual-free undo stack for annotation changes (create, edit, delete) and tag operations."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.model import Annotation

if TYPE_CHECKING:
    from ipreader.core.codebook import Retagged  # a field's type (made by a tag operation)

#: How many changes the app can undo by default.
DEFAULT_UNDO_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Change:
    """One change to a stored annotation: its state before and after.

    ``before is None`` means the annotation was created; ``after is None`` means
    it was deleted; both set means it was edited.
    """

    root: Path
    """The folder whose store holds the annotation."""
    before: Annotation | None
    """The annotation before the change (``None`` for a creation)."""
    after: Annotation | None
    """The annotation after the change (``None`` for a deletion)."""

    def __post_init__(self) -> None:
        if self.before is None and self.after is None:
            raise ValueError("a change needs a before or an after state")

    @property
    def annotation(self) -> Annotation:
        """The annotation concerned (its latest known state)."""
        result = self.after if self.after is not None else self.before
        assert result is not None  # guaranteed by __post_init__
        return result

    @property
    def kind(self) -> str:
        """``"create"``, ``"edit"`` or ``"delete"``."""
        if self.before is None:
            return "create"
        if self.after is None:
            return "delete"
        return "edit"

    def inverse(self) -> Change:
        """Return the change that restores the state before this one."""
        return Change(self.root, self.after, self.before)


@dataclass(frozen=True, slots=True)
class TagChange:
    """A tag renamed, merged, moved or deleted across a folder (undone with ``Revert``)."""

    root: Path
    """The folder."""
    done: Retagged
    """What the operation changed."""
    what: str
    """What it was, for the undo message (``the deletion of policy``)."""


#: What the undo stack holds.
Undoable = Change | TagChange


class UndoStack:
    """The most recent changes, newest last, bounded to ``limit`` entries."""

    def __init__(self, limit: int = DEFAULT_UNDO_LIMIT) -> None:
        if limit < 1:
            raise ValueError("the undo limit must be at least 1")
        self._changes: deque[Undoable] = deque(maxlen=limit)

    def rebase(self, old: Annotation, new: Annotation) -> None:
        """``old``, a version the recorded changes left, was written again as ``new``.

        An undo puts an older version back as a new revision; the change recorded
        before it (the highlight's creation, an earlier edit) now leaves ``new``,
        so undoing it next starts from what is stored.
        """
        self._changes = deque(
            (
                Change(c.root, c.before, new) if isinstance(c, Change) and c.after == old else c
                for c in self._changes
            ),
            maxlen=self._changes.maxlen,
        )

    def settle(self, mine: Annotation | None, shown: str, change: Change | None) -> None:
        """A conflict over ``shown`` (an id) was settled: the newest change that left it as
        ``mine`` (the version refused) becomes ``change``, what was written instead, or is
        dropped (``None``: the other program's version kept, this change never stored).

        Undoing it then starts from what is stored, not from the refused version
        (which met the other program's again: a second conflict).
        """
        for index in range(len(self._changes) - 1, -1, -1):
            recorded = self._changes[index]
            if (
                isinstance(recorded, Change)
                and recorded.annotation.id == shown
                and recorded.after == mine
            ):
                if change is None:
                    del self._changes[index]
                else:
                    self._changes[index] = change
                return

    def push(self, change: Undoable) -> None:
        """Record ``change``; the oldest entry is dropped once the limit is reached."""
        self._changes.append(change)

    def pop(self) -> Undoable | None:
        """Remove and return the newest change, or ``None`` when there is nothing to undo."""
        return self._changes.pop() if self._changes else None

    def __len__(self) -> int:
        return len(self._changes)
