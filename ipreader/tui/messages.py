"""The messages background work posts to the main screen.

Workers never touch widgets: each one posts one of these when it is done (or
has progress to report), and the screen's handlers update its state and
reactives on the UI thread. A field named ``serial`` is the document-open
count the work started under: a result for a document the user has since left
is dropped.

They are dataclasses without a generated ``__repr__`` or ``__eq__``
(``tui/message_fields.py`` says why); ``Report`` shows their fields the way
Textual shows a message's (``__rich_repr__``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from ipreader.core.documents import DocumentInfo
from ipreader.core.errors import IpreaderError
from ipreader.tui.first_text import FirstText
from ipreader.tui.message_fields import FieldsRepr
from ipreader.tui.session import Gathered, Loaded, Opened, Polled, Token

if TYPE_CHECKING:
    # Only a field's type: the headings module (big patterns) loads when a search runs.
    from ipreader.core.headings import Heading
    from ipreader.core.review import ReviewItem  # rapidfuzz and the store: loaded when used
    from ipreader.tui.commands import Command  # a field's type; made when the user acts
    from ipreader.tui.list_watch import ListChange  # a field's type; made by the list watch


class Report(FieldsRepr, Message, bubble=False):
    """A message of background work: its dataclass fields in its ``repr`` and in logs."""


@dataclass(repr=False, eq=False)
class TerminalLost(Report, bubble=False):
    """The app's terminal went away (``tui/hangup.py``): save what is queued and exit."""

    how: str
    """``hangup.HUNG_UP`` (the terminal is gone) or ``hangup.SIGHUP_ONLY`` (a SIGHUP while it
    is still there)."""


@dataclass(repr=False, eq=False)
class OpeningProgress(Report, bubble=False):
    """The library is being opened: ``done`` of ``total`` articles read."""

    done: int
    """Articles whose metadata is read."""
    total: int
    """Articles found."""


@dataclass(repr=False, eq=False)
class FirstTextRead(Report, bubble=False):
    """The article most likely opened first was read while the library is still opening."""

    first: FirstText
    """Its text, stored annotations and reading position (shown at once)."""
    painted: threading.Event = field(default_factory=threading.Event)
    """Set once it is painted, or will not be: the opening thread waits for it."""


@dataclass(repr=False, eq=False)
class LastListing(Report, bubble=False):
    """The list as the last open of the same paths left it (``tui/last_listing.py``), read
    before anything else: drawn while the folders are read, until ``LibraryListed``."""

    documents: tuple[DocumentInfo, ...]
    """What the list showed last time, in the library's order (nothing is opened from it)."""


@dataclass(repr=False, eq=False)
class LibraryListed(Report, bubble=False):
    """Every document is known (its metadata read); the stores' highlights are still being read."""

    documents: tuple[DocumentInfo, ...]
    """What the list shows, in the library's order (the objects ``LibraryOpened`` brings)."""
    painted: threading.Event = field(default_factory=threading.Event)
    """Set once the list is painted, or will not be: the opening thread waits for it."""


@dataclass(repr=False, eq=False)
class LibraryOpened(Report, bubble=False):
    """The library is open (and its first document read, when there is one)."""

    opened: Opened
    """The library, notices and the first document (the list's stats come with
    ``LibraryCounted``)."""


@dataclass(repr=False, eq=False)
class LibraryCounted(Report, bubble=False):
    """Every store is read: the list's highlight counts and the tags in use are known."""

    opened: Opened
    """Its ``stats``, ``tag_suggestions`` and the notices raised since ``LibraryOpened``."""


@dataclass(repr=False, eq=False)
class LibraryFailed(Report, bubble=False):
    """The library could not be opened."""

    error: IpreaderError
    """Why (the message is for the user)."""


@dataclass(repr=False, eq=False)
class DocumentLoaded(Report, bubble=False):
    """A document's text, annotations, notes and reading position were read."""

    serial: int
    """The open the load belongs to."""
    loaded: Loaded
    """What was read."""


@dataclass(repr=False, eq=False)
class DocumentFailed(Report, bubble=False):
    """A document could not be read."""

    serial: int
    """The open the load belongs to."""
    document: DocumentInfo
    """The document."""
    error: IpreaderError
    """Why (the message is for the user)."""


@dataclass(repr=False, eq=False)
class DocumentChanged(Report, bubble=False):
    """The open article's file changed on disk: read again, annotations re-anchored."""

    serial: int
    """The open the watch belongs to."""
    loaded: Loaded
    """What was read."""


@dataclass(repr=False, eq=False)
class DocumentGone(Report, bubble=False):
    """The open article's file can no longer be read (moved, deleted, unreadable)."""

    serial: int
    """The open the watch belongs to."""
    error: IpreaderError
    """Why (the message is for the user)."""


@dataclass(repr=False, eq=False)
class ReviewGathered(Report, bubble=False):
    """What needs a person's review was gathered (approximate/lost highlights, missing articles)."""

    items: list[ReviewItem]
    """Each highlight or missing article to review."""
    whole_library: bool
    """True when gathered over every document, False for the open one."""


@dataclass(repr=False, eq=False)
class StoreChanged(Report, bubble=False):
    """Another process changed the open document's annotations or notes."""

    serial: int
    """The open the poll belongs to."""
    polled: Polled
    """What the store holds now."""


@dataclass(repr=False, eq=False)
class ListChanged(Report, bubble=False):
    """Articles were added to or removed from the folders, or their counts changed there."""

    change: ListChange
    """What changed (``tui/list_watch.py``)."""


@dataclass(repr=False, eq=False)
class Saved(Report, bubble=False):
    """A write was made."""

    command: Command
    """The write."""
    token: Token
    """The store's change token after it."""
    result: object = None
    """What the command returned (a tag operation's ``Retagged``, a codebook), if anything."""


@dataclass(repr=False, eq=False)
class SaveFailed(Report, bubble=False):
    """A write failed; the change stays in the app but is not saved."""

    command: Command
    """The write."""
    error: Exception
    """Why (``IpreaderError`` or ``OSError``)."""
    location: Path | None
    """Where the store lives, when it could be opened."""


@dataclass(repr=False, eq=False)
class HighlightsGathered(Report, bubble=False):
    """Every stored highlight of the library was read (for the highlights view)."""

    gathered: Gathered
    """The highlights with their documents, each document's own tags, the errors."""


@dataclass(repr=False, eq=False)
class Exported(Report, bubble=False):
    """An export file was written."""

    format: str
    """The export format."""
    path: Path
    """The file written."""


@dataclass(repr=False, eq=False)
class ExportFailed(Report, bubble=False):
    """An export could not be written."""

    path: Path
    """The file asked for."""
    error: Exception
    """Why."""


@dataclass(repr=False, eq=False)
class HeadingsFound(Report, bubble=False):
    """The open document's headings were found."""

    serial: int
    """The open the search belongs to."""
    headings: list[Heading]
    """The headings, in text order."""
