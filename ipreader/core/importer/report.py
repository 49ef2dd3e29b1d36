"""What an import did: counts, and one message per problem (the first ``MAX_MESSAGES``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ipreader.core.wording import plural

#: Messages kept (and printed); past that they are only counted, and a summary says so.
MAX_MESSAGES = 100


@dataclass
class ImportReport:
    """What an import did: counts of annotations and one message per problem."""

    format: str = ""
    """The format the file was read as (``ipreader``, ``w3c``, ``hypothesis``, ``qdpx``)."""
    added: int = 0
    """New annotations saved."""
    updated: int = 0
    """Stored annotations replaced by a newer imported version."""
    unchanged: int = 0
    """Imported annotations identical to, or older than, the stored ones."""
    rejected: int = 0
    """Annotation entries (and document entries) skipped because of a problem."""
    conflicts: int = 0
    """Annotations changed both here and in the file: the folder's kept, each reported."""
    orphaned: int = 0
    """Saved annotations whose quote was not found in the text (kept, listed)."""
    renamed: int = 0
    """Documents the file names by a path that is now another article's name (a renamed
    article, found by its hash or its highlights' ids): each said in ``messages``."""
    messages: list[str] = field(default_factory=list)
    """One line per problem or notable decision, naming the entry (the first ``MAX_MESSAGES``)."""
    unshown: int = 0
    """Messages past ``MAX_MESSAGES``, counted but not kept."""
    notices: list[str] = field(default_factory=list)
    """Store notices (fallback directory used, corrupt file moved aside, ...)."""

    def note(self, message: str) -> None:
        """Keep ``message`` (or only count it, past ``MAX_MESSAGES``)."""
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)
        else:
            self.unshown += 1

    def reject(self, message: str, entries: int = 1) -> None:
        """Count ``entries`` rejected, with one message."""
        self.rejected += entries
        self.note(message)

    def summary(self) -> str:
        """Return a one-line summary of the counts."""
        text = (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected}"
        )
        if self.orphaned:
            text += f" ({self.orphaned} orphaned: quote not found)"
        if self.renamed:
            text += f"; {plural(self.renamed, 'document')} found under a new name (see below)"
        if self.conflicts:
            text += f"; {self.conflicts} conflicts not applied (see below)"
        return text

    def lines(self) -> list[str]:
        """The messages to show, then a line counting those not shown."""
        if not self.unshown:
            return list(self.messages)
        return [*self.messages, f"... and {self.unshown:,} more messages not shown"]
