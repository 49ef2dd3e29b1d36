"""The main screen's state, kept Textual-free.

``ReaderState`` holds what the main screen shows and what it is waiting for:
the open document and its text, its annotations as the app shows them (edits
not yet confirmed saved included), its own tags and note, the current
highlight and the undo history. Its methods take a user's
intent and return an ``Outcome`` (the commands to write, what to tell the
user) or raise ``Refusal`` (why it cannot be done). The screen shows what the
state holds and hands the commands to the writer; this module is tested
without an app.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ipreader.core.documents import DocumentInfo
from ipreader.core.identity import creator_key
from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes
from ipreader.core.wording import excerpt
from ipreader.tui.commands import (
    Command,
    DeleteAnnotation,
    SaveAnnotation,
    SetDocumentNotes,
    SetLastDocument,
    SetPosition,
)
from ipreader.tui.reader.styles import HighlightSpan
from ipreader.tui.session import DocumentStats, Loaded, Polled, Token
from ipreader.tui.undo import Change, UndoStack

#: Whose highlights the reading pane shows (``C`` cycles): everyone's; the
#: user's with the others' dimmed; the user's only.
CODER_VIEWS = ("everyone", "others dimmed", "mine")

#: How much of a quote the undo message shows.
UNDO_QUOTE_CHARS = 40


class Refusal(Exception):
    """An intent that cannot be carried out now; the message tells the user why."""

    def __init__(self, message: str, title: str = "") -> None:
        super().__init__(message)
        self.message = message
        """What to tell the user."""
        self.title = title
        """A short title for the notification (may be empty)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an intent leads to: writes to make and a message for the user."""

    commands: tuple[Command, ...] = ()
    """The writes, in order."""
    message: str = ""
    """What to tell the user (empty: nothing)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where to put the reading pane once a document has loaded."""

    cursor: int | None = None
    """Move the cursor here."""
    selection: tuple[int, int] | None = None
    """Select this range."""
    annotation: str | None = None
    """Make this annotation current and go to it."""
    line: int | None = None
    """Go to the start of this line (1-based; past the end: the last line)."""


def line_start(text: str, line: int) -> int:
    """Return the offset of the start of ``line`` (1-based) in ``text``, clamped to the text."""
    offset = 0
    for _ in range(max(0, line - 1)):
        found = text.find("\n", offset)
        if found < 0:
            break
        offset = found + 1
    return offset


def _order(annotation: Annotation) -> tuple[int, int, str]:
    return annotation.start, annotation.end, annotation.id


def sort_annotations(annotations: Iterable[Annotation]) -> tuple[Annotation, ...]:
    """Return ``annotations`` in document order."""
    return tuple(sorted(annotations, key=_order))


def replace_annotation(
    annotations: Sequence[Annotation], before: Annotation | None, after: Annotation | None
) -> tuple[Annotation, ...]:
    """Return ``annotations`` (in document order) with ``before`` replaced by ``after``.

    Either may be ``None``. One removal and one insertion by bisection: a book
    may hold tens of thousands of annotations and this runs on every edit.
    """
    gone = {a.id for a in (before, after) if a is not None}
    kept = [a for a in annotations if a.id not in gone]
    if after is not None:
        bisect.insort(kept, after, key=_order)
    return tuple(kept)


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


class ReaderState:
    """The open document, its annotations and notes, and what the user did to them."""

    def __init__(self) -> None:
        self.document: DocumentInfo | None = None
        """The document in the reading pane."""
        self.text = ""
        """Its text (empty while opening or when unreadable)."""
        self.annotations: tuple[Annotation, ...] = ()
        """Its annotations in document order, the app's unsaved edits included."""
        self.notes = DocumentNotes()
        """Its own tags and note."""
        self.current: str | None = None
        """The id of the current annotation (what ``e``, ``d`` and ``c`` act on)."""
        self.opening = False
        """True while the document is being read."""
        self.serial = 0
        """Counts document opens; a load that finishes for an older serial is stale."""
        self.target = Target()
        """Where to go once the document being opened has loaded."""
        self.undo = UndoStack()
        """Changes ``u`` can undo."""
        self.tag_suggestions: set[str] = set()
        """Every tag seen, for the editors' completion."""
        self.me = ""
        """Who is annotating: the creator of new highlights."""
        self.coders = "everyone"
        """Whose highlights the pane shows: one of ``CODER_VIEWS``."""
        self.tokens: dict[Path, Token] = {}
        """The change token of each folder's store as last seen (writes and polls)."""
        # Edits of the open document whose write is queued or failed: they win
        # over what a poll reads from disk.
        self._pending: dict[str, Annotation | None] = {}
        # Notes writes queued or failed, per document path: a poll must not show older notes.
        self._notes_unsaved: Counter[Path] = Counter()
        # spans(): the last result with the annotations it was built from, and each
        # annotation's span (rebuilt only when the annotation changes).
        self._spans: tuple[tuple[Annotation, ...] | None, tuple[HighlightSpan, ...]] = (None, ())
        self._spans_view = ("everyone", "")
        self._span_of: dict[str, tuple[Annotation, HighlightSpan]] = {}
        self._stats: tuple[object, object, DocumentStats] = (None, None, DocumentStats())

    # ------------------------------------------------------------ documents

    def annotation(self, annotation_id: str | None) -> Annotation | None:
        """Return the open document's annotation with this id, if any."""
        for annotation in self.annotations:
            if annotation.id == annotation_id:
                return annotation
        return None

    def spans(self) -> tuple[HighlightSpan, ...]:
        """Return the highlights the reading pane draws (orphans have no place).

        The same tuple while the annotations are the same; each span is built
        once per annotation version (a book may hold tens of thousands).
        """
        annotations = self.annotations
        if self._spans[0] is annotations and self._spans_view == (self.coders, self.me):
            return self._spans[1]
        self._spans_view = (self.coders, self.me)
        mine = creator_key(self.me)
        made = self._span_of
        spans: list[HighlightSpan] = []
        orphaned = AnchorStatus.ORPHANED
        coders = self.coders
        for annotation in annotations:  # already in document order
            if annotation.status is orphaned:
                continue
            others = coders != "everyone" and creator_key(annotation.creator) != mine
            if others and coders == "mine":
                continue
            key = annotation.id
            known = made.get(key)
            if known is None or known[0] is not annotation or known[1].dim != others:
                span = HighlightSpan(
                    key, annotation.start, annotation.end, annotation.color, dim=others
                )
                made[key] = (annotation, span)
            else:
                span = known[1]
            spans.append(span)
        if len(made) > 2 * len(annotations) + 1000:
            live = {a.id for a in annotations}
            self._span_of = {k: v for k, v in made.items() if k in live}
        result = tuple(spans)
        self._spans = (annotations, result)
        return result

    def stats(self) -> DocumentStats:
        """Return what the document list shows about the open document (cached)."""
        key = (self.annotations, self.notes)
        if self._stats[0] is not key[0] or self._stats[1] is not key[1]:
            self._stats = (*key, DocumentStats.of(self.annotations, self.notes.tags))
        return self._stats[2]

    def is_open(self, info: DocumentInfo) -> bool:
        """True when ``info`` is the document in the reading pane."""
        return self.document is not None and self.document.path == info.path

    def begin_open(self, info: DocumentInfo, cursor: int, target: Target) -> Outcome:
        """Start opening ``info``; ``cursor`` is where the reader stood in the previous one.

        Returns the write of the previous document's reading position.
        """
        position = self.position_command(cursor)
        self.serial += 1
        self.document = info
        self.target = target
        self.text = ""
        self.annotations = ()
        self.notes = DocumentNotes()
        self.current = None
        self.opening = True
        self._pending.clear()
        return Outcome(() if position is None else (position,))

    def finish_open(self, serial: int, loaded: Loaded) -> Outcome | None:
        """Take the loaded document; ``None`` when the user opened another meanwhile.

        Returns the write that remembers it as the last document read.
        """
        info = self.document
        if serial != self.serial or info is None:
            return None
        self.opening = False
        self.text = loaded.text
        self.annotations = sort_annotations(loaded.annotations)
        self.notes = loaded.notes
        self.tokens[info.root] = loaded.token
        return Outcome((SetLastDocument(info.root, info.relpath),))

    def open_failed(self, serial: int) -> bool:
        """Note that loading failed; False when that load was stale anyway."""
        if serial != self.serial:
            return False
        self.opening = False
        return True

    def position_command(self, cursor: int) -> SetPosition | None:
        """Return the write of the reading position at ``cursor`` (none while opening)."""
        info = self.document
        if info is None or self.opening or not info.readable:
            return None
        return SetPosition(info.root, info.relpath, cursor)

    def take_target(self) -> Target:
        """Return where to go in the loaded document, and forget it."""
        target, self.target = self.target, Target()
        return target

    # ------------------------------------------------------------ highlights

    def _change(self, change: Change, *, record: bool) -> Outcome:
        """Show ``change`` at once and return its write (``record``: undoable)."""
        if record:
            self.undo.push(change)
        info = self.document
        target = change.annotation
        if info is not None and info.root == change.root and info.relpath == target.document:
            self.annotations = replace_annotation(self.annotations, change.before, change.after)
            self._pending[target.id] = change.after
        command: Command
        if change.after is None:
            command = DeleteAnnotation(change.root, target)
        else:
            command = SaveAnnotation(change.root, change.after)
        return Outcome((command,))

    def annotate(self, selection: tuple[int, int] | None, creator: str = "") -> Outcome:
        """Highlight ``selection`` in the open document; it becomes the current annotation."""
        info = self.document
        if info is None or self.opening or not self.text:
            raise Refusal("Open an article first.")
        if selection is None or selection[0] == selection[1]:
            raise Refusal(
                "Select text first: shift+arrows, v then arrows, or drag with the mouse.",
                title="Nothing selected",
            )
        start, end = sorted(selection)
        annotation = Annotation.create(
            self.text, start, end, info.relpath, creator=creator or self.me
        )
        outcome = self._change(Change(info.root, None, annotation), record=True)
        self.current = annotation.id
        return outcome

    def target_annotation(self, under_cursor: str | None) -> Annotation:
        """Return the annotation under the cursor, else the current one (``e``, ``d``)."""
        found = self.annotation(under_cursor) or self.annotation(self.current)
        if found is None:
            raise Refusal("No highlight here: move onto one, or choose one with ] or [.")
        return found

    def edit(self, annotation_id: str, note: str, tags: Iterable[str], color: str) -> Outcome:
        """Change an annotation's note, tags and colour (undoable)."""
        latest = self.annotation(annotation_id)
        info = self.document
        if latest is None or info is None:
            return Outcome()
        after = latest.edited(note=note, tags=tuple(tags), color=color)
        self.tag_suggestions.update(after.tags)
        return self._change(Change(info.root, latest, after), record=True)

    def delete(self, annotation: Annotation) -> Outcome:
        """Delete ``annotation`` (``u`` restores it)."""
        info = self.document
        if info is None:
            return Outcome()
        outcome = self._change(Change(info.root, annotation, None), record=True)
        if self.current == annotation.id:
            self.current = None
        return Outcome(outcome.commands, "Highlight deleted (u to undo).")

    def undo_last(self) -> tuple[Outcome, str | None]:
        """Undo the last create, edit or delete; return it and the id to go to, if any."""
        change = self.undo.pop()
        if change is None:
            raise Refusal("Nothing to undo.")
        outcome = self._change(change.inverse(), record=False)
        restored = change.before
        info = self.document
        go_to: str | None = None
        if (
            restored is not None
            and info is not None
            and info.relpath == restored.document
            and info.root == change.root
        ):
            go_to = restored.id
        elif restored is None and self.current == change.annotation.id:
            self.current = None
        undone = {"create": "creation", "edit": "edit", "delete": "deletion"}[change.kind]
        quote = excerpt(change.annotation.quote, UNDO_QUOTE_CHARS)
        return Outcome(outcome.commands, f"Undid the {undone} of “{quote}”."), go_to

    def step_highlight(self, cursor: int, step: int) -> tuple[str, bool]:
        """Return the id of the next highlight after ``cursor`` (``step=1``) or before it.

        The second value is True when the search wrapped around the text's end
        (or start), so the user can be told.
        """
        anchored = [a for a in self.annotations if a.is_anchored]
        if not anchored:
            raise Refusal("No highlights in this article.")
        if step > 0:
            after = [a for a in anchored if a.start > cursor]
            return (after[0].id, False) if after else (anchored[0].id, True)
        before = [a for a in anchored if a.start < cursor]
        return (before[-1].id, False) if before else (anchored[-1].id, True)

    def copy_text(self, selection: tuple[int, int] | None) -> str:
        """Return the selected text, else the current highlight's quote."""
        if self.text and selection is not None and selection[0] != selection[1]:
            start, end = sorted(selection)
            return self.text[start:end]
        annotation = self.annotation(self.current)
        if annotation is None:
            raise Refusal("Nothing to copy: select text or choose a highlight.")
        return annotation.quote

    # ------------------------------------------------------------ document notes

    def set_notes(self, info: DocumentInfo, notes: DocumentNotes) -> Outcome:
        """Store ``info``'s own tags and note (ignored unless it is still open)."""
        if not self.is_open(info):
            return Outcome()
        self.notes = notes
        self.tag_suggestions.update(notes.tags)
        self._notes_unsaved[info.path] += 1
        return Outcome((SetDocumentNotes(info.root, info.relpath, notes),))

    # ------------------------------------------------------------ writes reported

    def saved(self, command: Command, token: Token) -> None:
        """Note that ``command`` was written; the store's token is now ``token``."""
        self.tokens[command.root] = token
        if isinstance(command, SaveAnnotation | DeleteAnnotation):
            after = command.annotation if isinstance(command, SaveAnnotation) else None
            key = command.annotation.id
            # A newer edit of the same annotation may be queued behind this one.
            if key in self._pending and self._pending[key] == after:
                del self._pending[key]
        elif isinstance(command, SetDocumentNotes):
            self._notes_unsaved[command.root / command.document] -= 1

    # A failed write leaves its edit pending: later reloads keep showing it.

    def unsaved(self) -> int:
        """Count the changes whose write is queued or failed (once idle: failed)."""
        notes = sum(1 for count in self._notes_unsaved.values() if count > 0)
        return len(self._pending) + notes

    # ------------------------------------------------------------ changes by others

    def merge_stored(self, serial: int, polled: Polled) -> bool:
        """Show what another process stored; True when the view changed."""
        if serial != self.serial or self.opening or not self.is_open(polled.document):
            return False
        info = polled.document
        self.tokens[info.root] = polled.token
        changed = False
        annotations = merge_pending(polled.annotations, self._pending)
        if annotations != self.annotations:
            self.annotations = annotations
            changed = True
            if self.annotation(self.current) is None:
                self.current = None
        if polled.notes != self.notes and self._notes_unsaved[info.path] <= 0:
            self.notes = polled.notes
            changed = True
        return changed
