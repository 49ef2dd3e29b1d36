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
    """The most recent changes, newest last, bounded to ``limit`` entries.

    It also keeps the version of each annotation the app wrote last (``wrote``):
    undoing an edit writes the older version back as a *new* revision, so a
    change recorded before it (the highlight's creation) no longer names the
    stored version; ``current`` gives the one to start the undo from.
    """

    def __init__(self, limit: int = DEFAULT_UNDO_LIMIT) -> None:
        if limit < 1:
            raise ValueError("the undo limit must be at least 1")
        self._changes: deque[Undoable] = deque(maxlen=limit)
        # Each annotation's version as last written, most recent last; an annotation the
        # stack can still undo was written no earlier than its change: 2 x limit suffice.
        self._written: dict[str, Annotation | None] = {}
        self._keep = 2 * limit

    def wrote(self, before: Annotation | None, after: Annotation | None) -> None:
        """Note that the app wrote ``after`` over ``before`` (``after`` None: deleted it)."""
        key = after.id if after is not None else before.id if before is not None else None
        if key is None:
            return
        self._written.pop(key, None)
        self._written[key] = after
        if len(self._written) > self._keep:
            del self._written[next(iter(self._written))]

    def current(self, expected: Annotation, shown: Annotation | None = None) -> Annotation:
        """The version an undo that expects ``expected`` should start from.

        The newer of ``shown`` (the open document's version) and the version last
        written, when it holds the same user data as ``expected`` under a higher
        revision (an undo of this app put it back, or a tag operation's revert);
        else ``expected`` itself, so a change made elsewhere meanwhile is still a
        conflict.
        """
        from ipreader.core.revisions import same_user_data  # loaded with the first save

        known = [v for v in (self._written.get(expected.id), shown) if v is not None]
        latest = max(known, key=lambda version: version.revision, default=None)
        if latest is None or latest.revision <= expected.revision:
            return expected
        return latest if same_user_data(latest, expected) else expected

    def push(self, change: Undoable) -> None:
        """Record ``change``; the oldest entry is dropped once the limit is reached."""
        self._changes.append(change)

    def pop(self) -> Undoable | None:
        """Remove and return the newest change, or ``None`` when there is nothing to undo."""
        return self._changes.pop() if self._changes else None

    def __len__(self) -> int:
        return len(self._changes)
