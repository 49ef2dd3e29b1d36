"""The writes the app makes, as typed commands (Textual-free).

The reader state turns a user's intent into commands; the writer runs them in
order, off the UI thread, and reports each one as saved or failed. A command
is a frozen value: it can be logged, compared and tested without an app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.model import Annotation, DocumentNotes

if TYPE_CHECKING:
    from ipreader.core.codebook import Codebook, Delete, Rename, Retagged, Revert
    from ipreader.core.store import FolderStore
    from ipreader.core.text_version import TextVersion
    from ipreader.tui.session import DocumentStats


@dataclass(frozen=True, slots=True)
class SaveAnnotation:
    """Insert or replace one annotation, checked against the stored version and the text."""

    root: Path
    """The folder whose store holds it."""
    annotation: Annotation
    """The annotation as it must be stored."""
    base: Annotation | None = None
    """The version the change started from (``None``: a new highlight)."""
    text: TextVersion | None = None
    """The text its offsets were taken from (``None``: not checked)."""
    recount: bool = False
    """The document is not the open one: ``run`` returns its stats for the document list."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "a highlight"

    def run(self, store: FolderStore) -> DocumentStats | None:
        """Write the annotation (``ConflictError``, ``StaleTextError`` when it must not)."""
        annotation = self.annotation
        store.save_edit(
            annotation.document, annotation.id, annotation, base=self.base, text=self.text
        )
        return _stats(store, annotation.document) if self.recount else None


@dataclass(frozen=True, slots=True)
class DeleteAnnotation:
    """Delete one annotation."""

    root: Path
    """The folder whose store holds it."""
    annotation: Annotation
    """The annotation deleted (its last known state, for undo and messages)."""
    recount: bool = False
    """The document is not the open one: ``run`` returns its stats for the document list."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the deletion of a highlight"

    def run(self, store: FolderStore) -> DocumentStats | None:
        """Delete the annotation (``ConflictError`` when it was changed elsewhere)."""
        annotation = self.annotation
        store.save_edit(annotation.document, annotation.id, None, base=annotation)
        return _stats(store, annotation.document) if self.recount else None


def _stats(store: FolderStore, relpath: str) -> DocumentStats:
    """Return what the document list shows of ``relpath`` as stored now.

    The open document's row is counted from the highlights on screen; another
    document's (an undo or a review reaching it) from its store, after the write.
    """
    from ipreader.tui.session import DocumentStats

    return DocumentStats.of(store.annotations(relpath), store.document_notes(relpath).tags)


@dataclass(frozen=True, slots=True)
class SetDocumentNotes:
    """Store a document's own tags and note."""

    root: Path
    """The document's folder."""
    document: str
    """The document's relative path."""
    notes: DocumentNotes
    """The tags and note to store."""
    base: DocumentNotes | None = None
    """The notes the change started from (another program's change since is merged in)."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the document's tags and note"

    def run(self, store: FolderStore) -> DocumentNotes:
        """Write the notes; return what was stored (merged with a change made meanwhile)."""
        return store.set_document_notes(self.document, self.notes, base=self.base)


@dataclass(frozen=True, slots=True)
class SetPosition:
    """Remember where the user stopped reading a document."""

    root: Path
    """The document's folder."""
    document: str
    """The document's relative path."""
    offset: int
    """The cursor's code point offset."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the reading position"

    def run(self, store: FolderStore) -> None:
        """Write the position."""
        store.set_reading_position(self.document, self.offset)


@dataclass(frozen=True, slots=True)
class SetLastDocument:
    """Remember the document read last in a folder."""

    root: Path
    """The folder."""
    document: str
    """The document's relative path."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the last document read"

    def run(self, store: FolderStore) -> None:
        """Write the state file."""
        store.set_last_document(self.document)


@dataclass(frozen=True, slots=True)
class RelinkDocument:
    """Give a missing document's annotations, tags and note to the file it became."""

    root: Path
    """The folder."""
    old: str
    """The missing document's relative path."""
    new: str
    """The file's relative path."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return f"the relink of {self.old} to {self.new}"

    def run(self, store: FolderStore) -> DocumentStats:
        """Relink (``RelinkRefused`` when the file already has annotations); return what
        the list shows of the file now (its row may not be counted yet)."""
        from ipreader.core.relink import relink_by_hand

        relink_by_hand(store, self.root, self.old, self.new)
        return _stats(store, self.new)


@dataclass(frozen=True, slots=True)
class RetagTags:
    """Rename, merge, move or delete a tag in every highlight and document of a folder."""

    root: Path
    """The folder."""
    operation: Rename | Delete | Revert
    """What becomes of the tags (``core/codebook.py``); ``Revert`` undoes an earlier one."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the change of a tag"

    def run(self, store: FolderStore) -> Retagged:
        """Apply the operation under the folder's lock; return what changed."""
        return store.retag(self.operation)


@dataclass(frozen=True, slots=True)
class DescribeTag:
    """Set a tag's description and colour in the folder's codebook."""

    root: Path
    """The folder."""
    tag: str
    """The tag described."""
    description: str
    """Its description (empty: none)."""
    color: str | None = None
    """Its colour (``""``: none; ``None``: unchanged)."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the description of a tag"

    def run(self, store: FolderStore) -> Codebook:
        """Write the codebook; return it."""
        from ipreader.core.codebook import describe

        return store.update_codebook(lambda b: describe(b, self.tag, self.description, self.color))


@dataclass(frozen=True, slots=True)
class SetColorMeaning:
    """Give a highlight colour a meaning in the folder (yellow = "claim")."""

    root: Path
    """The folder."""
    color: str
    """One of ``model.COLORS``."""
    meaning: str
    """What it means (empty: nothing)."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "a colour's meaning"

    def run(self, store: FolderStore) -> Codebook:
        """Write the codebook; return it."""
        return store.update_codebook(lambda b: b.with_meaning(self.color, self.meaning))


Command = (
    SaveAnnotation
    | DeleteAnnotation
    | SetDocumentNotes
    | SetPosition
    | SetLastDocument
    | RelinkDocument
    | RetagTags
    | DescribeTag
    | SetColorMeaning
)
"""Every write the app makes."""
