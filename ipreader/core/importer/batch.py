"""What a format reader hands the merge: entries grouped by the document they are about.

Every reader (ipreader JSON, W3C, Hypothesis, REFI-QDA) turns its file into a
``Batch`` of ``Group``s. A group names its document by whatever the file gives
(``DocumentRef``: a relative path, a content hash, a URI, the text itself) and
holds annotation records in ipreader's own shape (the keys of
``Annotation.to_dict``, checked later by ``records.decode_fields``) and the
document's own tags and note. The merge finds each document once
(``locate``), then builds and saves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipreader.core.errors import ImportFileError

#: Annotations plus document entries one import may hold; a file with more is refused.
MAX_IMPORT_ENTRIES = 100_000


@dataclass(frozen=True)
class DocumentRef:
    """How a file names the document its entries are about (any of these may be missing)."""

    path: Any = None
    """A path relative to the folder, as given (checked: it must stay inside)."""
    sha256: str | None = None
    """SHA-256 of the article's bytes: finds a renamed or moved copy."""
    uri_path: str | None = None
    """A ``/``-separated path from a URI or a source name: matched by its last segments."""
    text: str | None = None
    """The document's text as the file has it: matched by content."""
    search_quotes: bool = False
    """When nothing else names an article, look for the quotes among the folder's articles."""


@dataclass
class Group:
    """The entries of one file about one document."""

    where: str
    """How messages name the group (``documents[3]``, ``annotations on <uri>``)."""
    document: DocumentRef
    annotations: list[tuple[str, Any]] = field(default_factory=list)
    """``(where, record)`` per annotation entry; a record should be an ipreader-shaped mapping."""
    notes: Mapping[str, Any] | None = None
    """The document's own ``tags`` and ``note`` (checked by the merge), if the file gives them."""

    @property
    def size(self) -> int:
        """Entries this group counts for (its annotations, or 1 for a document entry alone)."""
        return len(self.annotations) or 1


@dataclass
class Batch:
    """Everything a file gives to import, and what its reader rejected on the way."""

    file: Path
    format: str
    """The format name (``ipreader``, ``w3c``, ``hypothesis``, ``qdpx``)."""
    groups: list[Group] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    """One message per entry the reader could not use (each counts as one rejection)."""
    notes: list[str] = field(default_factory=list)
    """Remarks that reject nothing (a part of the file ignored, ...)."""
    entries: int = 0

    def count(self, entries: int = 1) -> None:
        """Count ``entries`` more; refuse the whole file past ``MAX_IMPORT_ENTRIES``."""
        self.entries += entries
        if self.entries > MAX_IMPORT_ENTRIES:
            raise ImportFileError(
                f"{self.file}: more than {MAX_IMPORT_ENTRIES:,} entries; split it into smaller "
                "files (nothing imported)"
            )

    def reject(self, message: str) -> None:
        """Reject one entry with ``message``."""
        self.count()
        self.rejected.append(message)

    def group(self, where: str, document: DocumentRef) -> Group:
        """Start a new group (counted when its entries are added)."""
        group = Group(where, document)
        self.groups.append(group)
        return group

    def add(self, group: Group, where: str, record: Any) -> None:
        """Add one annotation record to ``group``."""
        self.count()
        group.annotations.append((where, record))

    def set_notes(self, group: Group, notes: Mapping[str, Any]) -> None:
        """Give ``group`` its document's own tags and note."""
        if not group.annotations:
            self.count()
        group.notes = notes
