"""The main screen's state, kept Textual-free.

(Over 450 lines: one state object for one screen; opening, edits, undo,
reloads, conflicts and review decisions all read and change the same open
document, so splitting it would pass that document around; pending edits
and outcomes are already in pending.py and outcome.py.)

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
import itertools
import operator
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.documents import DocumentInfo
from ipreader.core.identity import CoderView
from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes
from ipreader.core.text_version import TextVersion
from ipreader.core.wording import excerpt, plural
from ipreader.tui.drawn_spans import DrawnSpans
from ipreader.tui.ordered import InPlaceOrder, edit_from
from ipreader.tui.outcome import Outcome, Refusal, Target
from ipreader.tui.pending import PendingEdits, replace_annotation, sort_annotations
from ipreader.tui.reader.styles import HighlightSpan
from ipreader.tui.session import DocumentStats, Loaded, Polled, Token

if TYPE_CHECKING:
    from ipreader.core.codebook import Retagged
    from ipreader.core.review import ReviewDecision
    from ipreader.core.revisions import ConflictError
    from ipreader.tui.codebook_state import CodebookState

    # The commands are made only once a document is open (or the user acts): imported
    # there, after the first paint (tests/test_start_imports.py).
    from ipreader.tui.commands import Command, SaveAnnotation, SetDocumentNotes, SetPosition

    # The undo stack is made at the first edit (the opening thread imports it after the
    # first paint: tui/loader.py's AFTER_THE_PAINT); see ReaderState.undo.
    from ipreader.tui.undo import Change, UndoStack

#: How much of a quote the undo message shows.
UNDO_QUOTE_CHARS = 40


def _change_of(root: Path, before: Annotation | None, after: Annotation | None) -> Change:
    """An undoable change of one annotation (``tui/undo.py``, loaded with the first)."""
    from ipreader.tui.undo import Change

    return Change(root, before, after)


#: Where an annotation starts (``step_highlight``'s bisection).
_start_of = operator.attrgetter("start")


class ReaderState:
    """The open document, its annotations and notes, and what the user did to them."""

    def __init__(self) -> None:
        self.document: DocumentInfo | None = None
        """The document in the reading pane."""
        self.text = ""
        """Its text (empty while opening or when unreadable)."""
        self.version: TextVersion | None = None
        """Which read of the file ``text`` is (saves are checked against it)."""
        self.missing = False
        """True when the document is no longer in its folder (no text; highlights kept)."""
        self.gone = False
        """True when the open article's file went away while it was shown."""
        self.annotations: tuple[Annotation, ...] = ()
        """Its annotations in document order, the app's unsaved edits included."""
        self.notes = DocumentNotes()
        """Its own tags and note."""
        self.current: str | None = None
        """The id of the current annotation (what ``e``, ``d`` and ``c`` act on)."""
        self.relinking: Annotation | None = None
        """A highlight the user is re-selecting by hand (``a`` then relinks it)."""
        self.opening = False
        """True while the document is being read."""
        self.unreadable = ""
        """Why reading the document failed (binary, undecodable; "" when it did not): no
        text, no highlights listed, its stored ones untouched (``unreadable_notice``)."""
        self._unreadable_kept = 0  # the list's count of its highlights when it failed
        self.serial = 0
        """Counts document opens; a load that finishes for an older serial is stale."""
        self.target = Target()
        """Where to go once the document being opened has loaded."""
        self._undo: UndoStack | None = None  # see undo
        self.tag_suggestions: set[str] = set()
        """Every tag seen, for the editors' completion."""
        self._codebooks: CodebookState | None = None  # see codebooks
        self.me = ""
        """Who is annotating: the creator of new highlights."""
        self.coders = "everyone"
        """Whose highlights the pane and the sidebar show: one of ``CODER_VIEWS`` (``C``)."""
        self.tokens: dict[Path, Token] = {}
        """The change token of each folder's store as last seen (writes and polls)."""
        self.pending = PendingEdits()
        """Edits of the open document whose write is queued or failed (they win over polls)."""
        # Notes writes queued or failed, per document path: a poll must not show older notes.
        self._notes_unsaved: Counter[Path] = Counter()
        self._notes_sent: dict[Path, SetDocumentNotes] = {}  # the last notes write per article
        self._drawn = DrawnSpans()  # what spans() returns, kept between calls
        self._stats: tuple[object, object, DocumentStats] = (None, None, DocumentStats())
        # How many of ``_stats``'s annotations carry each tag (an edit adjusts two entries).
        self._tag_counts: Counter[str] = Counter()
        self._covers: tuple[object, dict[str, str]] = (None, {})

    @property
    def undo(self) -> UndoStack:
        """Changes ``u`` can undo."""
        if self._undo is None:
            # Imported here: its two frozen dataclasses cost the start ~2 ms, and nothing
            # before the first edit needs them (tests/test_start_imports.py).
            from ipreader.tui.undo import UndoStack

            self._undo = UndoStack()
        return self._undo

    @property
    def codebooks(self) -> CodebookState:
        """Each folder's codebook (descriptions, colour meanings) and the tag operations."""
        if self._codebooks is None:
            # Made when first asked for, once the library is open: the codebook's model
            # then loads after the first paint (tests/test_start_imports.py).
            from ipreader.tui.codebook_state import CodebookState

            self._codebooks = CodebookState()
        return self._codebooks

    # ------------------------------------------------------------ documents

    def annotation(self, annotation_id: str | None) -> Annotation | None:
        """Return the open document's annotation with this id, if any."""
        if isinstance(self.annotations, InPlaceOrder):  # as the state keeps them: no pass
            return None if annotation_id is None else self.annotations.by_id().get(annotation_id)
        for annotation in self.annotations:
            if annotation.id == annotation_id:
                return annotation
        return None

    def spans(self) -> tuple[HighlightSpan, ...]:
        """Return the highlights the reading pane draws (orphans have no place).

        The same tuple while the annotations are the same; each span is built
        once per annotation version (``drawn_spans.py``).
        """
        if self.missing:
            return ()
        return self._drawn.of(self.annotations, self.coder_view, opening=self.opening)

    @property
    def coder_view(self) -> CoderView:
        """The coder view as a value (what the sidebar is given)."""
        return CoderView(self.coders, self.me)

    def preview_spans(self, annotations: Iterable[Annotation]) -> tuple[HighlightSpan, ...]:
        """Return the highlights ``annotations`` (not the open document's) are drawn with.

        For an article shown before it is opened (``FirstText``).
        """
        return self._drawn.preview(annotations, self.coder_view)

    def covers(self) -> dict[str, str]:
        """Return what each approximate highlight now covers (its quote is what was made).

        The same dict while the annotations are the same (one scan per change).
        """
        annotations = self.annotations
        held = self._covers[0]
        if held is not annotations:
            fuzzy = AnchorStatus.FUZZY
            edit = edit_from(annotations, held if isinstance(held, tuple) else None)
            if edit is not None:  # one highlight out, one in: no pass over the others
                found = dict(self._covers[1])
                for gone in (edit.removed, edit.added):
                    if gone is not None:
                        found.pop(gone.id, None)
                new = edit.added
                if new is not None and new.status is fuzzy and new.end <= len(self.text):
                    found[new.id] = self.text[new.start : new.end]
            else:
                found = {
                    a.id: self.text[a.start : a.end]
                    for a in annotations
                    if a.status is fuzzy and a.end <= len(self.text)
                }
            self._covers = (annotations, found)
        return self._covers[1]

    def stats(self) -> DocumentStats:
        """Return what the document list shows about the open document (cached)."""
        annotations, notes = self.annotations, self.notes
        held, held_notes, stats = self._stats
        if held is annotations and held_notes is notes:
            return stats
        counts = self._tag_counts
        if held is not annotations:
            edit = edit_from(annotations, held if isinstance(held, tuple) else None)
            if edit is None:  # another document, a reload, a poll: count them all
                counts = Counter(t for a in annotations for t in a.tags)
            else:  # one highlight out, one in (a / d / u): adjust their tags only
                if edit.removed is not None:
                    counts.subtract(edit.removed.tags)
                if edit.added is not None:
                    counts.update(edit.added.tags)
                counts = +counts  # without the tags no highlight carries any more
        self._tag_counts = counts
        stats = DocumentStats(len(annotations), notes.tags, frozenset(counts))
        self._stats = (annotations, notes, stats)
        return stats

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
        self.version = None
        self.missing = self.gone = False
        self.unreadable = ""
        self.annotations = ()
        self.notes = DocumentNotes()
        self.current = None
        self.relinking = None
        self.opening = True
        self.pending.clear()
        return Outcome(() if position is None else (position,))

    def finish_open(self, serial: int, loaded: Loaded) -> Outcome | None:
        """Take the loaded document; ``None`` when the user opened another meanwhile.

        Returns the write that remembers it as the last document read, and the
        drift notice when its text changed since its highlights were anchored.
        """
        from ipreader.tui.commands import SetLastDocument

        info = self.document
        if serial != self.serial or info is None:
            return None
        self.opening = False
        self.text = loaded.text
        self.version = loaded.version
        self.missing = loaded.missing
        self.annotations = sort_annotations(loaded.annotations)
        self.notes = loaded.notes
        self.tokens[info.root] = loaded.token
        notice = ""
        if loaded.text_changed:
            from ipreader.core.drift import DriftCounts, opening_notice

            notice = opening_notice(DriftCounts.of(self.annotations))
        if loaded.missing:
            notice = (
                "This article is no longer in its folder (moved or deleted): its highlights "
                "are kept and listed — r to review"
            )
        return Outcome((SetLastDocument(info.root, info.relpath),), notice)

    def file_gone(self, serial: int) -> bool:
        """Note that the open article's file went away; True the first time (to tell the user)."""
        if serial != self.serial or self.gone:
            return False
        self.gone = True
        return True

    def open_failed(self, serial: int, reason: str = "", kept: int = 0) -> bool:
        """Note that loading failed (``reason``: why; ``kept``: the highlights the list
        counts for it); False when that load was stale anyway."""
        if serial != self.serial:
            return False
        self.opening = False
        self.unreadable = reason or "unreadable"
        self._unreadable_kept = kept
        return True

    def unreadable_counted(self, kept: int) -> bool:
        """The list's count of the open unreadable article's highlights, when it came after
        the failure (the library's counts arrive after its first article is opened); True
        when its notice changed."""
        if not self.unreadable or self._unreadable_kept or not kept:
            return False
        self._unreadable_kept = kept
        return True

    def unreadable_notice(self) -> str:
        """What the sidebar says instead of listing an unreadable article's highlights
        (they have no text to be placed in); "" when the article is not unreadable."""
        if not self.unreadable:
            return ""
        # A poll brings the stored highlights a moment after the failure: their count is
        # the store's; until then the list's.
        kept = len(self.annotations) or self._unreadable_kept
        if kept:
            held = (
                f"It keeps {plural(kept, 'highlight')}, stored untouched: listed again "
                "once it can be read (ipreader check lists them)."
            )
        else:
            held = "It has no highlights."
        return f"The article cannot be read: {self.unreadable}.\n\n{held}"

    def position_command(self, cursor: int) -> SetPosition | None:
        """Return the write of the reading position at ``cursor`` (none while opening)."""
        from ipreader.tui.commands import SetPosition

        info = self.document
        if info is None or self.opening or not info.readable or self.gone:
            return None
        return SetPosition(info.root, info.relpath, cursor)

    def take_target(self) -> Target:
        """Return where to go in the loaded document, and forget it."""
        target, self.target = self.target, Target()
        return target

    def reload(self, serial: int, loaded: Loaded) -> Outcome | None:
        """Take the open article read again after its file changed; ``None`` when stale.

        The highlights come re-anchored; edits whose save the change refused are
        re-anchored on the new text and saved again. The message says what changed.
        """
        info = self.document
        if serial != self.serial or info is None or self.opening:
            return None
        same_text = loaded.text == self.text
        self.text, self.version, self.gone = loaded.text, loaded.version, False
        commands = self.pending.rebase(info.root, self.text, self.version)
        self.annotations = self.pending.overlay(loaded.annotations)
        self.tokens[info.root] = loaded.token
        if self.annotation(self.current) is None:
            self.current = None
        if same_text:
            return Outcome(tuple(commands))
        from ipreader.core.drift import DriftCounts, opening_notice

        lead = "The article changed on disk and was reloaded"
        notice = opening_notice(DriftCounts.of(self.annotations), lead)
        return Outcome(tuple(commands), notice or f"{lead}; every highlight is where it was.")

    # ------------------------------------------------------------ highlights

    def _change(
        self, change: Change, *, record: bool, text: TextVersion | None = None, made: bool = False
    ) -> Outcome:
        """Show ``change`` at once and return its write (``record``: undoable).

        ``made``: the change adds a highlight just created (its id new, drawn at random).

        The write is checked against the version it changes (``change.before``)
        and, for the open document, against the text shown (or ``text``).
        """
        before, after = change.before, change.after
        if before is not None and after is not None and after.revision <= before.revision:
            from ipreader.core.revisions import resolved

            # An undo puts an older version back: as a new revision, after the current one;
            # the changes recorded before it now leave that revision.
            stored = resolved(after, before)
            self.undo.rebase(after, stored)
            after = stored
            change = _change_of(change.root, before, after)
        if record:
            self.undo.push(change)
        info = self.document
        target = change.annotation
        shown_here = (
            info is not None and info.root == change.root and info.relpath == target.document
        )
        if shown_here:
            shown = self.annotations
            self.annotations = replace_annotation(shown, before, after, made=made)
            if not self.missing:  # else spans() draws none
                self._drawn.carry(shown, self.annotations, before, after, self.coder_view)
            self.pending.record(change)
            text = text or self.version
        from ipreader.tui.commands import DeleteAnnotation, SaveAnnotation

        # Another document's row in the list is recounted from its store once written.
        command: Command
        if after is None:
            command = DeleteAnnotation(change.root, target, recount=not shown_here)
        else:
            command = SaveAnnotation(
                change.root, after, base=before, text=text, recount=not shown_here
            )
        return Outcome((command,))

    def annotate(self, selection: tuple[int, int] | None, creator: str = "") -> Outcome:
        """Highlight ``selection`` in the open document; it becomes the current annotation.

        The selection is trimmed of surrounding whitespace. While a highlight is
        being re-selected by hand (``relinking``), it is relinked there instead.
        """
        info = self.document
        if info is not None and self.missing:
            raise Refusal(
                "This article is no longer in its folder: its highlights are kept, but "
                "nothing can be highlighted until it is relinked (r to review).",
                title="Article missing",
            )
        if info is None or self.opening or not self.text:
            raise Refusal("Open an article first.")
        if self.gone:
            raise Refusal("The article's file is gone (moved or deleted): nothing can be saved.")
        if selection is None or selection[0] == selection[1]:
            raise Refusal(
                "Select text first: shift+arrows, v then arrows, or drag with the mouse.",
                title="Nothing selected",
            )
        # Imported here: the anchoring package (and rapidfuzz) is not needed to start.
        from ipreader.core.anchoring import trim_span

        span = trim_span(self.text, *sorted(selection))
        if span is None:
            raise Refusal("Only spaces are selected: nothing to highlight.")
        if self.relinking is not None:
            relinking, self.relinking = self.relinking, None
            return self.relink(info.root, relinking, self.text, self.version, span)
        start, end = span
        annotation = Annotation.create(
            self.text, start, end, info.relpath, creator=creator or self.me
        )
        outcome = self._change(_change_of(info.root, None, annotation), record=True, made=True)
        self.current = annotation.id
        return outcome

    def relink(
        self,
        root: Path,
        annotation: Annotation,
        text: str,
        version: TextVersion | None,
        span: tuple[int, int],
    ) -> Outcome:
        """Make ``annotation`` exact on ``text[span]`` (undoable); ``text`` is its article's."""
        from ipreader.core.review import relinked  # rapidfuzz: loaded when first needed

        after = relinked(annotation, text, *span)
        outcome = self._change(_change_of(root, annotation, after), record=True, text=version)
        if self.annotation(after.id) is not None:
            self.current = after.id
        quote = excerpt(after.quote, UNDO_QUOTE_CHARS)
        return Outcome(outcome.commands, f"Relinked to “{quote}” (u to undo).")

    def decide(self, decision: ReviewDecision) -> Outcome:
        """Carry out a review decision: accept a place, delete, or relink a missing article.

        (Re-selecting by hand is the screen's: it opens the article, then ``annotate``.)
        """
        from ipreader.core.review import HighlightReview
        from ipreader.tui.commands import RelinkDocument

        item = decision.item
        if decision.action == "relink_document" and decision.relpath is not None:
            return Outcome((RelinkDocument(item.info.root, item.info.relpath, decision.relpath),))
        if not isinstance(item, HighlightReview):
            return Outcome()
        if decision.action == "delete":
            return self.delete(item.annotation, root=item.info.root)
        if decision.action == "accept" and decision.place is not None:
            span = (decision.place.start, decision.place.end)
            return self.relink(item.info.root, item.annotation, item.text, item.version, span)
        return Outcome()

    def target_annotation(self, under_cursor: str | None) -> Annotation:
        """Return the annotation under the cursor, else the current one (``e``, ``d``)."""
        found = self.annotation(under_cursor) or self.annotation(self.current)
        if found is None:
            raise Refusal("No highlight here: move onto one, or choose one with ] or [.")
        return found

    def edit(
        self,
        annotation_id: str,
        note: str,
        tags: Iterable[str],
        color: str,
        base: Annotation | None = None,
    ) -> Outcome:
        """Change an annotation's note, tags and colour (undoable).

        ``base`` is the version the editor showed; when another program changed
        the highlight meanwhile, ``ConflictError`` carries both versions.
        """
        latest = self.annotation(annotation_id)
        info = self.document
        if latest is None or info is None:
            return Outcome()
        after = (base or latest).edited(note=note, tags=tuple(tags), color=color)
        if base is not None:
            from ipreader.core.revisions import check_save

            check_save(latest, after, base)
            after = replace(after, start=latest.start, end=latest.end, status=latest.status)
        self.tag_suggestions.update(after.tags)
        return self._change(_change_of(info.root, latest, after), record=True)

    def delete(self, annotation: Annotation, root: Path | None = None) -> Outcome:
        """Delete ``annotation`` (``u`` restores it); ``root`` is its folder if not open."""
        info = self.document
        where = root or (info.root if info is not None else None)
        if where is None:
            return Outcome()
        outcome = self._change(_change_of(where, annotation, None), record=True)
        if self.current == annotation.id:
            self.current = None
        return Outcome(outcome.commands, "Highlight deleted (u to undo).")

    def undo_last(self) -> tuple[Outcome, str | None]:
        """Undo the last create, edit or delete; return it and the id to go to, if any."""
        change = self.undo.pop()
        if change is None:
            raise Refusal("Nothing to undo.")
        from ipreader.tui.undo import TagChange  # loaded with the stack (see undo)

        if isinstance(change, TagChange):
            return self.codebooks.undo(change), None
        inverse = change.inverse()
        info = self.document
        outcome = self._change(inverse, record=False)
        restored = change.before
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
        annotations = self.annotations
        if not isinstance(annotations, InPlaceOrder):
            annotations = sort_annotations(annotations)
        # By bisection from the cursor, then the nearest placed one (orphans have no
        # place to go to): ``]`` in a book of tens of thousands of highlights.
        count = len(annotations)
        if step > 0:
            at = bisect.bisect_right(annotations, cursor, key=_start_of)
            order = itertools.chain(range(at, count), range(at))
        else:
            at = bisect.bisect_left(annotations, cursor, key=_start_of)
            order = itertools.chain(range(at - 1, -1, -1), range(count - 1, at - 1, -1))
        orphaned = AnchorStatus.ORPHANED
        for number, index in enumerate(order):
            if annotations[index].status is not orphaned:
                wrapped = number >= (count - at if step > 0 else at)
                return annotations[index].id, wrapped
        raise Refusal("No highlights in this article.")

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

    def set_notes(
        self, info: DocumentInfo, notes: DocumentNotes, base: DocumentNotes | None = None
    ) -> Outcome:
        """Store ``info``'s own tags and note (ignored unless it is still open).

        ``base``: the notes the editor showed; a change another program made since
        is merged in by the store, not overwritten.
        """
        from ipreader.tui.commands import SetDocumentNotes

        if not self.is_open(info):
            return Outcome()
        self.notes = notes
        self.tag_suggestions.update(notes.tags)
        self._notes_unsaved[info.path] += 1
        command = SetDocumentNotes(info.root, info.relpath, notes, base)
        self._notes_sent[info.path] = command  # what a retry writes, if it fails
        return Outcome((command,))

    # ------------------------------------------------------------ writes reported

    def saved(self, command: Command, token: Token, result: object = None) -> None:
        """Note that ``command`` was written (returning ``result``); the token is now ``token``."""
        from ipreader.tui.commands import (
            DeleteAnnotation,
            RetagTags,
            SaveAnnotation,
            SetDocumentNotes,
        )

        if isinstance(command, RetagTags):
            # The token is not recorded: the next poll then reloads the open document,
            # whose highlights the operation may have changed.
            change = self.codebooks.saved(command, result)
            if change is not None:
                self.undo.push(change)
            from ipreader.core.codebook import Retagged

            if isinstance(result, Retagged):
                self._retagged(result)
            return
        self.codebooks.saved(command, result)
        self.tokens[command.root] = token
        if isinstance(command, SaveAnnotation | DeleteAnnotation):
            after = command.annotation if isinstance(command, SaveAnnotation) else None
            # A newer edit of the same annotation may be queued behind this one.
            self.pending.saved(command.annotation.id, after)
        elif isinstance(command, SetDocumentNotes):
            path = command.root / command.document
            self._notes_unsaved[path] -= 1
            if self._notes_unsaved[path] <= 0:
                self._notes_sent.pop(path, None)  # nothing left to retry for it
            info = self.document
            if isinstance(result, DocumentNotes) and info is not None and info.path == path:
                self.notes = result  # merged with another program's change: shown as stored

    def _retagged(self, done: Retagged) -> None:
        """Completion forgets tags no highlight or document carries any more, learns new ones."""
        for before, after in done.highlights:
            self.tag_suggestions.difference_update(set(before.tags) - set(after.tags))
        for _relpath, before_tags, after_tags in done.documents:
            self.tag_suggestions.difference_update(set(before_tags) - set(after_tags))
        self.tag_suggestions.update(t for _b, a in done.highlights for t in a.tags)
        self.tag_suggestions.update(t for _p, _b, a in done.documents for t in a)

    # A failed write leaves its edit pending: later reloads keep showing it.

    def stale_save(self, command: SaveAnnotation) -> Outcome:
        """A save refused because the article changed on disk: saved again once reloaded.

        When the new text is already shown, the edit is re-anchored on it now.
        """
        info = self.document
        self.pending.stale(command.annotation.id)
        if info is None or info.root != command.root or command.text == self.version:
            return Outcome()  # the reload (within a second or two) re-anchors and saves it
        return Outcome(tuple(self.pending.rebase(info.root, self.text, self.version)))

    def resolve(self, root: Path, conflict: ConflictError, choice: str) -> Outcome:
        """Settle a conflict: keep ``"mine"``, ``"theirs"`` or ``"both"`` (notes and tags merged).

        The kept version is saved as the revision after the stored one.
        """
        from ipreader.core.revisions import merged, resolved

        mine, stored = conflict.mine, conflict.stored
        shown = mine or stored
        assert shown is not None  # a conflict has at least one version
        self.pending.drop(shown.id)
        # The change refused is on the undo stack as it was meant (from the version this
        # session had): it becomes what is written now, from the stored version, so ``u``
        # undoes this session's part and puts the other program's version back.
        if choice == "theirs":
            self.undo.settle(mine, shown.id, None)
            if self.annotation(shown.id) is not None or stored is not None:
                self.annotations = replace_annotation(self.annotations, shown, stored)
            return Outcome(message="Kept the version saved by the other program.")
        if mine is None:
            assert stored is not None
            change = _change_of(root, stored, None)
            self.undo.settle(mine, shown.id, change)
            return self._change(change, record=False)
        after = merged(mine, stored) if choice == "both" and stored else resolved(mine, stored)
        change = _change_of(root, stored, after)
        self.undo.settle(mine, shown.id, change)
        outcome = self._change(change, record=False)
        kept = "both versions merged" if choice == "both" and stored else "your version"
        return Outcome(outcome.commands, f"Saved {kept}.")

    def unsaved(self) -> int:
        """Count the changes whose write is queued or failed (once idle: failed)."""
        notes = sum(1 for count in self._notes_unsaved.values() if count > 0)
        return len(self.pending) + notes

    def unsaved_changes(self) -> list[str]:
        """Name each change whose write is queued or failed (``the edit of “…”``)."""
        named = []
        for base, after in self.pending.unsaved():
            if base is None and after is not None:
                named.append(f"the new highlight “{excerpt(after.quote, UNDO_QUOTE_CHARS)}”")
            elif after is None and base is not None:
                named.append(f"the deletion of “{excerpt(base.quote, UNDO_QUOTE_CHARS)}”")
            elif after is not None:
                named.append(f"the edit of “{excerpt(after.quote, UNDO_QUOTE_CHARS)}”")
            else:
                named.append("the deletion of a highlight")
        for path, count in self._notes_unsaved.items():
            if count > 0:
                sent = self._notes_sent.get(path)
                named.append(f"the tags and note of {sent.document if sent else path.name}")
        return named

    def retry_unsaved(self) -> Outcome:
        """Write again every change whose write failed, each against the version it changes
        (a conflict found then is shown as any other)."""
        from ipreader.tui.commands import DeleteAnnotation, SaveAnnotation

        commands: list[Command] = []
        info = self.document
        if info is not None:
            for base, after in self.pending.unsaved():
                if after is not None:
                    commands.append(SaveAnnotation(info.root, after, base=base, text=self.version))
                elif base is not None:
                    commands.append(DeleteAnnotation(info.root, base))
        for path, count in self._notes_unsaved.items():
            sent = self._notes_sent.get(path)
            if count > 0 and sent is not None:
                self._notes_unsaved[path] = 1  # the one write sent now
                commands.append(sent)
        return Outcome(tuple(commands))

    # ------------------------------------------------------------ changes by others

    def merge_stored(self, serial: int, polled: Polled) -> bool:
        """Show what another process stored; True when the view changed."""
        if serial != self.serial or self.opening or not self.is_open(polled.document):
            return False
        info = polled.document
        self.tokens[info.root] = polled.token
        changed = False
        if polled.codebook is not None and polled.codebook != self.codebooks.of(info.root):
            self.codebooks.books[info.root] = polled.codebook
            changed = True
        annotations = self.pending.overlay(polled.annotations)
        if annotations != self.annotations:
            self.annotations = annotations
            changed = True
            if self.annotation(self.current) is None:
                self.current = None
        if polled.notes != self.notes and self._notes_unsaved[info.path] <= 0:
            self.notes = polled.notes
            changed = True
        return changed
