"""The annotation sidebar: the document's tags and note, its highlights, its orphans."""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from ipreader.core.identity import CoderView
from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes
from ipreader.core.wording import plural
from ipreader.tui.display import one_line, visible
from ipreader.tui.message_fields import FieldsRepr
from ipreader.tui.ordered import Edit, InPlaceOrder, edit_from, locate, place
from ipreader.tui.widgets.annotation_rows import AnnotationRows, Entry

#: How much of a quote and of a note the sidebar shows.
QUOTE_EXCERPT = 140
NOTE_PREVIEW = 80

#: Every annotation's entry id starts with this; the heading's never does, so no stored
#: id (whatever a file says) can be taken for the heading.
OPTION_PREFIX = "annotation:"
ORPHANS_HEADING_ID = "orphans-heading"

_Counts = tuple[int, int, int, bool, bool, str, CoderView | None]


def option_id(annotation_id: str) -> str:
    """The entry id of an annotation."""
    return f"{OPTION_PREFIX}{annotation_id}"


def annotation_id_of(entry: Entry) -> str | None:
    """The id of the annotation an entry shows (``None`` for headings and hints)."""
    if entry.id is None or not entry.id.startswith(OPTION_PREFIX):
        return None
    return entry.id.removeprefix(OPTION_PREFIX)


#: Most highlights listed at once: a window around the current one. The list is
#: rebuilt on the UI thread, and one book can hold tens of thousands.
WINDOW = 60


def split_annotations(
    annotations: Sequence[Annotation],
) -> tuple[list[Annotation], list[Annotation]]:
    """Return ``(anchored in document order, orphaned)``."""
    # Runs on every a / d / u with every highlight of the document (tens of
    # thousands in a book): comprehensions and C-level checks only.
    orphaned = AnchorStatus.ORPHANED
    anchored = [a for a in annotations if a.status is not orphaned]
    orphans = (
        [a for a in annotations if a.status is orphaned] if len(anchored) < len(annotations) else []
    )
    # The state's annotations come sorted (InPlaceOrder): checking again is one more
    # pass over every highlight of a book on each key.
    if not isinstance(annotations, InPlaceOrder):
        keys = [(a.start, a.end) for a in anchored]
        if not all(map(operator.le, keys, itertools.islice(keys, 1, None))):
            anchored.sort(key=lambda a: (a.start, a.end))
    return anchored, orphans


def split_edited(
    split: tuple[list[Annotation], list[Annotation]], edit: Edit[Annotation]
) -> tuple[list[Annotation], list[Annotation]] | None:
    """Apply one edit (``ordered.Edit``) to a split; ``None`` when it does not fit (split again).

    Both lists are in document order, as ``split_annotations`` makes them from the
    state's tuple; the removed highlight is found by bisection and identity.
    """
    anchored, orphans = list(split[0]), list(split[1])
    orphaned = AnchorStatus.ORPHANED
    removed, added = edit.removed, edit.added
    if removed is not None:
        listed = orphans if removed.status is orphaned else anchored
        at = bisect.bisect_left(listed, place(removed), key=place)
        if at == len(listed) or listed[at] is not removed:
            return None
        del listed[at]
    if added is not None:
        listed = orphans if added.status is orphaned else anchored
        bisect.insort_right(listed, added, key=place)
    return anchored, orphans


def _index_of(annotations: list[Annotation], annotation_id: str | None) -> int | None:
    """The position of the annotation ``annotation_id`` in ``annotations``, if there."""
    if annotation_id is None:
        return None
    try:
        return [a.id for a in annotations].index(annotation_id)  # the search runs in C
    except ValueError:
        return None


def window_around(count: int, index: int | None, previous: int, size: int = WINDOW) -> int:
    """Return where a window of ``size`` items starts so that ``index`` is well inside it.

    Without an ``index`` (no current item) the ``previous`` start is kept (clamped).
    """
    if count <= size:
        return 0
    if index is None:
        return min(max(previous, 0), count - size)
    if previous <= index < previous + size and count - size >= previous:
        margin = size // 6  # recentre only near the edges, so small steps keep the list still
        if previous + margin <= index < previous + size - margin or previous == 0:
            return previous
    return min(max(index - size // 2, 0), count - size)


class AnnotationSidebar(Vertical):
    """The right pane. Choosing a highlight posts ``Chosen``; ``enter`` posts ``EditRequested``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "annotation-sidebar--yellow",
        "annotation-sidebar--green",
        "annotation-sidebar--blue",
        "annotation-sidebar--pink",
        "annotation-sidebar--purple",
        "annotation-sidebar--note",
        "annotation-sidebar--tags",
        "annotation-sidebar--orphan",
        "annotation-sidebar--drift",
    }
    """Colour marks of the five highlight colours, and the styles of notes, tags, orphans and
    drift marks (moved, approximate)."""

    DEFAULT_CSS = """
    AnnotationSidebar { height: 1fr; }
    AnnotationSidebar > #document-notes { height: auto; max-height: 8; }
    AnnotationSidebar > AnnotationRows { height: 1fr; }
    """

    # ``var``: the container draws nothing itself; its watchers refresh the children that
    # change (a repainting reactive would redraw the whole pane on every change).
    annotations: var[tuple[Annotation, ...]] = var((), always_update=True)
    """The open document's annotations (any order; shown in document order)."""
    notes: var[DocumentNotes] = var(DocumentNotes)
    """The open document's own tags and note."""
    current: var[str | None] = var(None)
    """The id of the current annotation."""
    covers: var[dict[str, str]] = var(dict)
    """What each approximate highlight now covers, by id (its quote is what was highlighted)."""
    missing: var[bool] = var(False)
    """True when the open article is no longer in its folder (its highlights are kept)."""
    opening: var[bool] = var(False)
    """True while the article shown is being opened: its highlights are not listed yet."""
    unreadable: var[str] = var("")
    """Set when the article could not be read: what to say instead of listing its
    highlights (why, and how many it keeps); "" when it could."""
    legend: var[str] = var("")
    """The folder's colour meanings on one line (``yellow = claim · pink = evidence``)."""
    coder_view: var[CoderView] = var(CoderView)
    """Whose highlights are listed: another coder's entries are dimmed and say whose they
    are, or are left out and counted."""

    @dataclass(repr=False, eq=False)
    class Chosen(FieldsRepr, Message):
        """The user chose an annotation in the list."""

        annotation_id: str
        """The chosen annotation's id."""

    @dataclass(repr=False, eq=False)
    class EditRequested(FieldsRepr, Message):
        """The user asked to edit an annotation (``enter`` on it)."""

        annotation_id: str
        """The annotation's id."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._start = 0  # the window's first highlight (index among the anchored ones)
        self._shown: tuple[Annotation, ...] = ()  # what the options show now
        # (start, anchored, orphans, missing, opening, unreadable, coder view) when the
        # options were built; a start of -1: never.
        self._counts: _Counts = (-1, 0, 0, False, False, "", None)
        self._covers: dict[str, str] = {}  # the covered texts the options show
        # Each listed highlight's entry and what it was made from (the annotation object,
        # the article missing, the covered text, another coder's): an unchanged highlight
        # keeps its entry, so the list measures and renders only the entries an edit made.
        self._entries: dict[str, tuple[Annotation, bool, str, bool, Entry]] = {}
        # ``annotations`` split into placed and orphaned, and the tuple it was split from
        # (an edit of that tuple moves one highlight instead of splitting them all again).
        self._split: tuple[
            tuple[Annotation, ...] | None, tuple[list[Annotation], list[Annotation]] | None
        ] = (None, None)

    def compose(self) -> ComposeResult:
        yield Static(id="document-notes")
        yield AnnotationRows(id="annotation-options")

    @property
    def option_list(self) -> AnnotationRows:
        """The list of annotations (the widget that takes focus)."""
        return self.query_one(AnnotationRows)

    def on_mount(self) -> None:
        self._refresh_notes()
        self._refresh_list()

    def watch_annotations(
        self, old: tuple[Annotation, ...], annotations: tuple[Annotation, ...]
    ) -> None:
        if old is not annotations or not self._shown:
            self._refresh_list()

    def watch_covers(self) -> None:
        self._refresh_list()

    def watch_missing(self) -> None:
        self._refresh_list()

    def watch_opening(self) -> None:
        self._refresh_list()

    def watch_unreadable(self) -> None:
        self._refresh_list()

    def watch_coder_view(self) -> None:
        self._refresh_list()

    def watch_notes(self) -> None:
        self._refresh_notes()

    def watch_legend(self) -> None:
        self._refresh_notes()

    def watch_current(self, current: str | None) -> None:
        if current is not None and current not in self.option_ids():
            self._refresh_list()  # outside the window: move the window to it
        else:
            self._highlight(current)

    def option_ids(self) -> set[str]:
        """The ids of the annotations listed now (the window)."""
        return {a.id for a in self._shown}

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"annotation-sidebar--{name}", partial=True)

    def _refresh_notes(self) -> None:
        if not self.is_mounted:
            return
        notes = self.notes
        text = Text()
        if notes.tags:
            text.append(" ".join(f"#{one_line(t, 40)}" for t in notes.tags), self._style("tags"))
        if notes.note:
            if text:
                text.append("\n")
            text.append(visible(notes.note.strip()), self._style("note"))
        if not text:
            text.append("No document tags or note (t)", "dim")
        if self.legend:
            text.append(f"\n{one_line(self.legend, 200)}", "dim")
        self.query_one("#document-notes", Static).update(text)

    def _prompt(self, annotation: Annotation, others: bool = False) -> Text:
        orphan = self.missing or not annotation.is_anchored
        text = Text()
        text.append("▌", self._style("orphan" if orphan else annotation.color))
        text.append(f"“{one_line(annotation.quote, QUOTE_EXCERPT)}”", "italic" if orphan else "")
        status = annotation.status
        if self.missing:
            text.append("\n  article missing", self._style("orphan"))
        elif orphan:
            text.append("\n  text not found (r to review)", self._style("orphan"))
        elif status is AnchorStatus.MOVED:
            text.append("\n  ↷ moved: found elsewhere in the text", self._style("drift"))
        elif status is AnchorStatus.FUZZY:
            score = "" if annotation.score is None else f" {annotation.score:.0f}%"
            text.append(f"\n  ≈ approximate{score}, now covers ", self._style("drift"))
            covered = self.covers.get(annotation.id, "")
            text.append(f"“{one_line(covered, QUOTE_EXCERPT)}”", self._style("drift"))
        if annotation.tags:
            tags = " ".join(f"#{one_line(t, 30)}" for t in annotation.tags)
            text.append(f"\n  {tags}", self._style("tags"))
        if annotation.note:
            text.append(f"\n  {one_line(annotation.note, NOTE_PREVIEW)}", self._style("note"))
        if others:  # beside the user's own: whose it is, and dimmed like in the text
            who = one_line(annotation.creator, 40) or "an unnamed coder"
            text.append(f"\n  by {who}")
            text.stylize("dim")
        return text

    def _refresh_list(self) -> None:
        if not self.is_mounted:
            return
        annotations = self.annotations
        held, split = self._split
        if held is not annotations or split is None:  # several watchers refresh in a row
            edit = edit_from(annotations, held) if isinstance(held, InPlaceOrder) else None
            moved = None if edit is None or split is None else split_edited(split, edit)
            split = moved or split_annotations(annotations)
            self._split = (annotations, split)
        anchored, orphans = split
        if self.missing:  # no text: every highlight is listed under the notice
            anchored, orphans = [], list(self.annotations)
        if self.unreadable:  # no text to place them in: counted by the notice, not listed
            anchored, orphans = [], []
        hidden = 0
        view = self.coder_view
        if view.view == "mine":  # the others' highlights are left out, and counted
            every = len(anchored) + len(orphans)
            anchored = [a for a in anchored if not view.leaves_out(a.creator)]
            orphans = [a for a in orphans if not view.leaves_out(a.creator)]
            hidden = every - len(anchored) - len(orphans)
        start = window_around(len(anchored), self._current_index(anchored), self._start)
        shown = tuple(anchored[start : start + WINDOW]) + tuple(orphans[:WINDOW])
        counts = (
            start,
            len(anchored),
            len(orphans),
            self.missing,
            self.opening,
            self.unreadable,
            view,
        )
        if shown == self._shown and counts == self._counts and self.covers is self._covers:
            self._highlight(self.current)
            return  # the same highlights, window and covered texts: nothing to rebuild
        self._start, self._shown, self._counts = start, shown, counts
        self._covers = self.covers
        entries: list[Entry] = []
        if start:
            entries.append(self._more(f"{plural(start, 'earlier highlight')} ([ to go back)"))
        entries.extend(self._entry(a) for a in anchored[start : start + WINDOW])
        later = len(anchored) - start - WINDOW
        if later > 0:
            entries.append(self._more(f"{plural(later, 'later highlight')} (] to go on)"))
        if self.opening and not anchored:
            entries.append(self._more("Opening the article: reading its highlights…"))
        elif self.unreadable:
            # Not "no highlights": a file made binary keeps the ones stored for it.
            entries.append(self._more(self.unreadable))
        elif not anchored and not self.missing and not hidden:
            entries.append(self._more("No highlights yet. Select text, then press a."))
        if hidden:
            others = plural(hidden, "highlight")
            entries.append(self._more(f"{others} by other coders not listed (C lists them)"))
        if orphans:
            heading = Text(f"Orphaned ({len(orphans):,}): text not found", "bold")
            if self.missing:
                kept = plural(len(orphans), "highlight")
                heading = Text(f"Article missing: {kept} kept", "bold")
            entries.append(Entry(heading, id=ORPHANS_HEADING_ID, disabled=True))
            entries.extend(self._entry(a) for a in orphans[:WINDOW])
            if len(orphans) > WINDOW:
                entries.append(self._more(f"{len(orphans) - WINDOW:,} more (h lists them all)"))
        listed = {a.id for a in shown}
        self._entries = {k: v for k, v in self._entries.items() if k in listed}
        current = self.current
        self.option_list.replace_entries(entries, None if current is None else option_id(current))

    def _entry(self, annotation: Annotation) -> Entry:
        """The entry of ``annotation``: the one made before when nothing it shows changed."""
        cover = (
            self.covers.get(annotation.id, "") if annotation.status is AnchorStatus.FUZZY else ""
        )
        others = self.coder_view.others(annotation.creator)
        made = self._entries.get(annotation.id)
        if made is not None and made[0] is annotation and made[1:4] == (
            self.missing, cover, others,
        ):  # fmt: skip
            return made[4]
        entry = Entry(self._prompt(annotation, others), id=option_id(annotation.id), divider=True)
        self._entries[annotation.id] = (annotation, self.missing, cover, others, entry)
        return entry

    def _current_index(self, anchored: list[Annotation]) -> int | None:
        """Where the current highlight is among ``anchored``: by bisection when the
        state's tuple knows it by id, else first near the list shown.

        A new or edited highlight is where the reader is, in or beside the window
        on screen; the whole list (tens of thousands in a book) is searched only
        when it is not there.
        """
        current = self.current
        if current is None:
            return None
        if isinstance(self.annotations, InPlaceOrder) and self.annotations.unique_ids():
            annotation = self.annotations.by_id().get(current)
            return None if annotation is None else locate(anchored, annotation)
        near = max(0, self._start - WINDOW)
        found = _index_of(anchored[near : self._start + 2 * WINDOW], current)
        return near + found if found is not None else _index_of(anchored, current)

    @staticmethod
    def _more(label: str) -> Entry:
        return Entry(Text(label, "dim italic"), disabled=True)

    def _highlight(self, annotation_id: str | None) -> None:
        if not self.is_mounted:
            return
        rows = self.option_list
        rows.highlighted = (
            None if annotation_id is None else rows.index_of(option_id(annotation_id))
        )

    @on(AnnotationRows.Highlighted, "#annotation-options")
    def _entry_highlighted(self, event: AnnotationRows.Highlighted) -> None:
        event.stop()
        # Programmatic moves to the current annotation come back here: ignore them.
        chosen = annotation_id_of(event.rows.entry(event.index))
        if chosen is not None and chosen != self.current and self.option_list.has_focus:
            self.post_message(self.Chosen(chosen))

    @on(AnnotationRows.Selected, "#annotation-options")
    def _entry_selected(self, event: AnnotationRows.Selected) -> None:
        event.stop()
        chosen = annotation_id_of(event.rows.entry(event.index))
        if chosen is not None:
            self.post_message(self.Chosen(chosen))

    @on(AnnotationRows.Activated, "#annotation-options")
    def _entry_activated(self, event: AnnotationRows.Activated) -> None:
        event.stop()
        chosen = annotation_id_of(event.rows.entry(event.index))
        if chosen is not None:
            self.post_message(self.EditRequested(chosen))
