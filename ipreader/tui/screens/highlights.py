"""The modal that lists and filters every highlight of the opened folders."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeAlias

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.style import Style
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ipreader.core.documents import DocumentInfo
from ipreader.core.drift import shown_status
from ipreader.core.model import COLORS, Annotation, tag_key
from ipreader.core.relink import is_missing
from ipreader.core.tags import tag_matches
from ipreader.core.wording import plural
from ipreader.tui.display import one_line
from ipreader.tui.option_fill import SlicedList
from ipreader.tui.screens.picker import PickerScreen

#: Most rows put in the list at once; the rest are summarised in a "+N more" line.
MAX_ROWS = 500

#: The worker group of the rows still to come (one filter's at a time).
FILL_GROUP = "highlights-fill"

#: Seconds of typing pause before the filter is applied.
FILTER_DELAY = 0.12

#: Characters of quote and of note shown per row (they wrap over several lines).
QUOTE_CHARS = 300
NOTE_CHARS = 200

#: The orders ``ctrl+o`` cycles through, with what the status line calls them.
SORT_ORDERS: dict[str, str] = {
    "document": "document and position",
    "date": "date, newest first",
    "colour": "colour",
}

#: What a row says about a highlight that is not where it was made.
DRIFT_LABELS = {
    "moved": "moved",
    "fuzzy": "approximate",
    "orphaned": "not found",
    "missing": "article missing",
}

#: Filter words for statuses (``status:approximate`` = fuzzy, ``status:notfound`` = orphaned).
_STATUS_WORDS = {
    "anchored": "anchored",
    "moved": "moved",
    "fuzzy": "fuzzy",
    "approximate": "fuzzy",
    "orphaned": "orphaned",
    "notfound": "orphaned",
    "missing": "missing",
}

Entry: TypeAlias = tuple[DocumentInfo, Annotation]
"""A highlight with the document it belongs to."""


@dataclass(frozen=True, slots=True)
class _Indexed:
    """An entry's pre-computed search keys (built once; filtering runs per keystroke)."""

    text: str
    """Quote, note, document title and tags, case-folded."""
    tags: tuple[str, ...]
    """The highlight's and its document's tags (``tag:x`` matches them and their children)."""
    color: str
    """The highlight colour."""
    meaning: str
    """What the colour means in the highlight's folder, case-folded (empty: nothing)."""
    has_note: bool
    """True when the note is not blank."""
    status: str
    """The status shown (``drift.STATUSES``: ``moved``, ``fuzzy``, ``orphaned``, ``missing``...)."""
    creator: str
    """Who made it, case-folded."""


Predicate = Callable[[_Indexed], bool]

# A term: runs of non-space characters and double-quoted parts (an unclosed
# quote, common while typing, runs to the end). Apostrophes are plain text.
_TOKEN = re.compile(r'(?:[^\s"]+|"[^"]*"?)+')


def _term_predicate(term: str) -> Predicate:
    """Return the test for one filter term (see ``parse_filter``)."""
    field, sep, value = term.partition(":")
    field = field.casefold()
    if sep and value:
        key = tag_key(value)
        if field == "tag":
            return lambda item: any(tag_matches(tag, value) for tag in item.tags)
        if field in ("color", "colour"):
            return lambda item: item.color == key or (bool(item.meaning) and item.meaning == key)
        if field == "has" and key == "note":
            return lambda item: item.has_note
        if field == "status":
            status = _STATUS_WORDS.get(key.replace(" ", "").replace("-", ""), key)
            return lambda item: item.status == status
        if field == "by":
            return lambda item: key in item.creator
    needle = term.casefold()
    return lambda item: needle in item.text


def parse_filter(query: str) -> list[Predicate]:
    """Parse a filter into predicates that must all hold (AND).

    Terms are separated by spaces (double quotes group words, e.g.
    ``tag:"machine learning"``). ``tag:x`` matches the highlight's or its
    document's tag ``x`` or a child of it (``x/y``), case-insensitively;
    ``color:x`` the colour or its meaning in the highlight's folder
    (``color:claim`` when yellow means "claim"), ``has:note`` a non-blank note, ``status:x`` the
    anchoring status (moved, approximate, notfound, missing), ``by:x`` the
    creator; any other term is plain text matched, case-insensitively, in the
    quote, note, tags or document title.
    """
    terms = (token.replace('"', "") for token in _TOKEN.findall(query))
    return [_term_predicate(term) for term in terms if term.strip()]


class HighlightOptions(OptionList):
    """The result list; its component classes give each colour mark its look."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"swatch--{color}" for color in COLORS),
        "highlights--meta",
    }
    """``swatch--<colour>`` styles a row's colour mark; ``highlights--meta`` the title/tags line."""

    def scroll_to_highlight(self, top: bool = False) -> None:
        """Scroll to the highlighted row; on the last row before the "+N more" line, to the
        list's end, so that line shows too (``end`` and ``pagedown`` stop at that row)."""
        super().scroll_to_highlight(top)
        last = self.option_count - 1
        if self.highlighted == last - 1 and self.get_option_at_index(last).disabled:
            self.scroll_end(animate=False)


class HighlightsScreen(PickerScreen[Entry]):
    """Browse every highlight; filter (see ``parse_filter``), sort with ``ctrl+o``.

    Each row shows the whole quote (wrapped), the note, and where the
    highlight is: its article, how far into it, when it was made, its tags and
    any drift. Enter (in the filter or the list) or a click dismisses with the
    chosen ``(DocumentInfo, Annotation)``; escape with ``None``. At most
    ``MAX_ROWS`` rows are shown, followed by a "+N more" line (never chosen).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "cycle_sort", "Sort"),
    ]

    def __init__(
        self,
        entries: Sequence[Entry],
        document_tags: Mapping[Path, Sequence[str]] | None = None,
        meanings: Mapping[Path, Mapping[str, str]] | None = None,
    ) -> None:
        """Create the screen over ``entries`` (by document, then position in it).

        ``document_tags`` are each document's own tags (``tag:x`` matches them too);
        ``meanings`` each folder's colour meanings, by root (``color:x`` matches them).
        """
        super().__init__()
        self.entries: Sequence[Entry] = entries
        """Every highlight, in the order listed when no filter is set."""
        tags_of = document_tags or {}
        meant = meanings or {}
        self._index: list[_Indexed] = [
            self.index_entry(entry, tags_of.get(entry[0].path, ()), meant.get(entry[0].root))
            for entry in entries
        ]
        self.sort_by = "document"
        """One of ``SORT_ORDERS``."""
        self._timer: Timer | None = None
        self._shown_query: str | None = None

    @staticmethod
    def index_entry(
        entry: Entry,
        document_tags: Sequence[str] = (),
        meanings: Mapping[str, str] | None = None,
    ) -> _Indexed:
        """Return the search keys of ``entry`` (what ``parse_filter``'s predicates test).

        ``meanings`` are the colour meanings of the entry's folder.
        """
        info, annotation = entry
        tags = (*annotation.tags, *document_tags)
        return _Indexed(
            text="\n".join((annotation.quote, annotation.note, info.title, *tags)).casefold(),
            tags=tags,
            color=annotation.color,
            meaning=tag_key((meanings or {}).get(annotation.color, "")),
            has_note=bool(annotation.note.strip()),
            status=shown_status(annotation, missing=is_missing(info)),
            creator=annotation.creator.casefold(),
        )

    def compose(self) -> ComposeResult:
        """Lay out the filter, the status line and the list."""
        with Vertical(classes="dialog dialog-wide") as dialog:
            dialog.border_title = "Highlights"
            dialog.border_subtitle = "enter open · ctrl+o sort · esc close"
            yield Input(
                placeholder="filter: words  tag:x  color:x  has:note  status:moved  by:name",
                id="filter",
            )
            yield Label("", id="status", classes="dialog-status")
            yield HighlightOptions(id="results")

    def on_mount(self) -> None:
        """List everything and focus the filter."""
        self._results = self.query_one("#results", HighlightOptions)
        self._listed = SlicedList(self, self._results, self._rows, group=FILL_GROUP)
        self.apply_filter("")
        self.query_one("#filter", Input).focus()

    def action_cycle_sort(self) -> None:
        """Sort by the next order (document and position, date, colour)."""
        orders = list(SORT_ORDERS)
        self.sort_by = orders[(orders.index(self.sort_by) + 1) % len(orders)]
        self.apply_filter(self.query_one("#filter", Input).value)

    def _sorted(self, positions: list[int]) -> list[int]:
        """Return ``positions`` in the chosen order (entries come by document and position)."""
        entries = self.entries
        if self.sort_by == "date":
            return sorted(positions, key=lambda n: entries[n][1].created, reverse=True)
        if self.sort_by == "colour":
            rank = {color: number for number, color in enumerate(COLORS)}
            return sorted(positions, key=lambda n: rank.get(entries[n][1].color, len(rank)))
        return positions

    def _matching(self, query: str) -> list[int]:
        """Return the indexes of the entries matching ``query``, in the chosen order."""
        # One pass per predicate over what the ones before kept: no generator and all()
        # per entry (over 20,000 highlights, 15-29 ms of a filter's 24-43 ms).
        index = self._index
        positions = list(range(len(index)))
        for predicate in parse_filter(query):
            positions = [position for position in positions if predicate(index[position])]
        return self._sorted(positions)

    def _prompt(self, position: int, swatches: dict[str, Style], meta: Style) -> Content:
        """Return the row for entry ``position``: quote, note, then where (user text literal)."""
        info, annotation = self.entries[position]
        parts: list[str | Content | tuple[str, str | Style]] = [
            ("▌", swatches.get(annotation.color, Style())),
            " ",
            f"“{one_line(annotation.quote, QUOTE_CHARS)}”",
        ]
        if annotation.note.strip():
            parts += ["\n  ", ("✎ " + one_line(annotation.note, NOTE_CHARS), meta)]
        where = [one_line(info.title, 120)]
        if info.chars and annotation.is_anchored:
            where.append(f"{annotation.start * 100 // max(info.chars, 1)}% in")
        where.append(annotation.created[:10])
        where.extend(f"#{one_line(tag, 30)}" for tag in annotation.tags)
        if annotation.status.value in DRIFT_LABELS:
            where.append(DRIFT_LABELS[annotation.status.value])
        if annotation.creator:
            where.append(f"by {one_line(annotation.creator, 40)}")
        parts += ["\n  ", (" · ".join(where), meta)]
        # Plain strings in Content.assemble are literal text, never markup.
        return Content.assemble(*parts)

    def apply_filter(self, query: str) -> None:
        """Filter now (the debounced typing path ends here too).

        Up to ``MAX_ROWS`` rows, listed a slice at a time (``tui/option_fill.py``):
        the first at once, so a filter over 20,000 highlights never holds the
        screen (500 rows measured at once took 70-120 ms).
        """
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._shown_query = query
        matching = self._matching(query)
        self._listed.clear()  # an older filter's rows still to come are dropped
        options = self._results
        # Content builds (and measures) faster than rich Text; its styles taken once a filter.
        swatches = {c: options.get_visual_style(f"swatch--{c}", partial=True) for c in COLORS}
        self._looks = (swatches, options.get_visual_style("highlights--meta", partial=True))
        hidden = len(matching) - MAX_ROWS
        more = [None, Option(Content(f"+{hidden:,} more — refine the filter"), disabled=True)]
        self._listed.add(matching[:MAX_ROWS], more if hidden > 0 else ())
        total = len(self.entries)
        status = self.query_one("#status", Label)
        order = SORT_ORDERS[self.sort_by]
        if query.strip():
            status.update(f"{len(matching):,} of {plural(total, 'highlight')} · by {order}")
        else:
            status.update(f"{plural(total, 'highlight')} · by {order}")

    def _rows(self, positions: Sequence[int]) -> list[Option]:
        """The list's rows for the entries at ``positions``, in the filter's look."""
        swatches, meta = self._looks
        return [Option(self._prompt(n, swatches, meta), id=str(n)) for n in positions]

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Re-filter after a short pause in typing."""
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(FILTER_DELAY, lambda: self.apply_filter(value))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        """Open the highlighted row (filtering first if typing was still pending)."""
        if event.value != self._shown_query:
            self.apply_filter(event.value)
        self.open_highlighted()

    def option_value(self, option_id: str) -> Entry:
        """Return the entry behind a row's id (its index in ``entries``)."""
        return self.entries[int(option_id)]
