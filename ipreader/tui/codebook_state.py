"""What the app knows of each folder's codebook, and the codebook's writes (Textual-free).

``ReaderState`` holds one ``CodebookState``. It keeps each folder's codebook
as last read (library open, polls) or written (the writer's ``Saved``
results), turns the codebook screen's intents into typed commands, records a
tag operation for ``u`` once it is written, and makes the command that undoes
it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.codebook import (
    Codebook,
    Delete,
    Rename,
    Retagged,
    Revert,
    check_tag_name,
    moved_name,
)
from ipreader.core.tags import is_ancestor, tag_matches
from ipreader.tui.outcome import Outcome, Refusal
from ipreader.tui.undo import TagChange

if TYPE_CHECKING:
    # Commands are made when the user acts: imported there, after the first paint.
    from ipreader.tui.commands import Command


class CodebookState:
    """Each folder's codebook, and the tag operations made from the app."""

    def __init__(self) -> None:
        self.books: dict[Path, Codebook] = {}
        """The codebook of each folder, as last read or written."""

    def of(self, root: Path | None) -> Codebook:
        """The codebook of ``root`` (an empty one when unknown)."""
        return Codebook() if root is None else self.books.get(root, Codebook())

    def suggestions(self, root: Path | None, seen: Iterable[str]) -> list[str]:
        """Tags to complete in the editors: those ``seen`` and those the codebook describes."""
        described = (entry.tag for entry in self.of(root).tags.values())
        return sorted({*seen, *described}, key=str.casefold)

    # ------------------------------------------------------------------ intents

    def rename(self, root: Path, old: str, new: str) -> Outcome:
        """Rename ``old`` (and its children) to ``new``, merging when ``new`` exists."""
        name = self._checked(new)
        if name == old:
            raise Refusal(f"“{old}” is already named so.", "Nothing to rename")
        if is_ancestor(old, name):  # its children would be renamed under themselves
            raise Refusal(f"“{old}” cannot be renamed under itself.", "Cannot rename")
        from ipreader.tui.commands import RetagTags

        return Outcome((RetagTags(root, Rename(old, name)),))

    def move(self, root: Path, tag: str, parent: str) -> Outcome:
        """Move ``tag`` under ``parent`` (empty or ``/``: to the top level)."""
        parent = "" if parent.strip() in ("", "/") else self._checked(parent)
        name = moved_name(tag, parent)
        if is_ancestor(tag, name) or (tag_matches(parent, tag) and parent):
            raise Refusal(f"“{tag}” cannot move under itself or its children.", "Cannot move")
        if name == tag:
            raise Refusal(f"“{tag}” is already there.", "Nothing to move")
        from ipreader.tui.commands import RetagTags

        return Outcome((RetagTags(root, Rename(tag, name)),))

    def delete(self, root: Path, tag: str) -> Outcome:
        """Remove ``tag`` and its children from every highlight and document (undoable)."""
        from ipreader.tui.commands import RetagTags

        return Outcome((RetagTags(root, Delete(tag)),))

    def describe(self, root: Path, tag: str, description: str) -> Outcome:
        """Set ``tag``'s description (the colour is left as it is); refused, with the
        dialog still open, when the codebook would refuse it (too long)."""
        from ipreader.core.codebook import CodebookError, describe
        from ipreader.tui.commands import DescribeTag

        try:
            describe(self.of(root), tag, description)
        except CodebookError as error:
            raise Refusal(str(error), "Description") from None
        return Outcome((DescribeTag(root, tag, description),))

    def set_meaning(self, root: Path, color: str, meaning: str) -> Outcome:
        """Give ``color`` a meaning in ``root`` (empty: none); refused when another has it."""
        from ipreader.core.codebook import CodebookError
        from ipreader.tui.commands import SetColorMeaning

        try:
            self.of(root).with_meaning(color, meaning)
        except CodebookError as error:
            raise Refusal(str(error), "Colour meaning") from None
        return Outcome((SetColorMeaning(root, color, meaning),))

    @staticmethod
    def _checked(name: str) -> str:
        from ipreader.core.codebook import CodebookError

        try:
            return check_tag_name(name)
        except CodebookError as error:
            raise Refusal(str(error), "Not a tag name") from None

    # ------------------------------------------------------------------ results

    def saved(self, command: Command, result: object) -> TagChange | None:
        """Note a written codebook command; return the tag change ``u`` can undo, if any."""
        from ipreader.tui.commands import RetagTags

        if isinstance(result, Codebook):
            self.books[command.root] = result
            return None
        if not isinstance(command, RetagTags) or not isinstance(result, Retagged):
            return None
        self.books[command.root] = result.codebook_after
        operation = command.operation
        if isinstance(operation, Revert) or result.empty:
            return None
        if isinstance(operation, Delete):
            what = f"the deletion of “{operation.tag}”"
        else:
            what = f"the renaming of “{operation.old}” to “{operation.new}”"
        return TagChange(command.root, result, what)

    def undo(self, change: TagChange) -> Outcome:
        """The command that gives back the tags ``change`` took (edits made since are kept)."""
        from ipreader.tui.commands import RetagTags

        return Outcome(
            (RetagTags(change.root, Revert(change.done)),),
            f"Undid {change.what} ({change.done.summary()}).",
        )
