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
    from ipreader.core.store import FolderStore


@dataclass(frozen=True, slots=True)
class SaveAnnotation:
    """Insert or replace one annotation."""

    root: Path
    """The folder whose store holds it."""
    annotation: Annotation
    """The annotation as it must be stored."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "a highlight"

    def run(self, store: FolderStore) -> None:
        """Write the annotation."""
        store.save_annotation(self.annotation)


@dataclass(frozen=True, slots=True)
class DeleteAnnotation:
    """Delete one annotation."""

    root: Path
    """The folder whose store holds it."""
    annotation: Annotation
    """The annotation deleted (its last known state, for undo and messages)."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the deletion of a highlight"

    def run(self, store: FolderStore) -> None:
        """Delete the annotation."""
        store.delete_annotation(self.annotation.document, self.annotation.id)


@dataclass(frozen=True, slots=True)
class SetDocumentNotes:
    """Store a document's own tags and note."""

    root: Path
    """The document's folder."""
    document: str
    """The document's relative path."""
    notes: DocumentNotes
    """The tags and note to store."""

    @property
    def what(self) -> str:
        """What is saved, for a message."""
        return "the document's tags and note"

    def run(self, store: FolderStore) -> None:
        """Write the notes."""
        store.set_document_notes(self.document, self.notes)


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


Command = SaveAnnotation | DeleteAnnotation | SetDocumentNotes | SetPosition | SetLastDocument
"""Every write the app makes."""
