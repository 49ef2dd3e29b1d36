"""The modal that lists and filters every highlight of the opened folders."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeAlias

from textual import on
from textual.app import ComposeResult
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
from ipreader.core.wording import plural
from ipreader.tui.display import one_line
from ipreader.tui.screens.picker import PickerScreen

#: Most rows put in the list at once; the rest are summarised in a "+N more" line.
MAX_ROWS = 500

#: Seconds of typing pause before the filter is applied.
FILTER_DELAY = 0.12

#: Characters of quote shown per row (fits one line of the dialog at 80 columns).
QUOTE_CHARS = 68

Entry: TypeAlias = tuple[DocumentInfo, Annotation]
"""A highlight with the document it belongs to."""


@dataclass(frozen=True, slots=True)
class _Indexed:
    """An entry's pre-computed search keys (built once; filtering runs per keystroke)."""

    text: str
    """Quote, note and document title, case-folded."""
    tags: frozenset[str]
    """Tag keys (``model.tag_key``)."""
    color: str
    """The highlight colour."""
    has_note: bool
    """True when the note is not blank."""
    status: str = ""
    """The status shown (``drift.STATUSES``: ``moved``, ``fuzzy``, ``orphaned``, ``missing``...)."""


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
            return lambda item: key in item.tags
        if field in ("color", "colour"):
            return lambda item: item.color == key
        if field == "has" and key == "note":
            return lambda item: item.has_note
        if field == "status":
            return lambda item: item.status == key
    needle = term.casefold()
    return lambda item: needle in item.text


def parse_filter(query: str) -> list[Predicate]:
    """Parse a filter into predicates that must all hold (AND).

    Terms are separated by spaces (double quotes group words, e.g.
    ``tag:"machine learning"``). ``tag:x`` matches a tag case-insensitively,
    ``color:x`` the colour, ``has:note`` a non-blank note, ``status:x`` the
    status (``moved``, ``fuzzy``, ``orphaned``, ``missing``); any other term is
    plain text matched, case-insensitively, in the quote, note or document title.
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


class HighlightsScreen(PickerScreen[Entry]):
    """Browse every highlight; filter with text, ``tag:x``, ``color:x``, ``has:note``.

    Enter (in the filter or the list) or a click dismisses with the chosen
    ``(DocumentInfo, Annotation)``; escape with ``None``. At most ``MAX_ROWS``
    rows are shown, followed by a "+N more" line (never chosen).
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        """Create the screen over ``entries`` (every highlight with its document)."""
        super().__init__()
        self.entries: Sequence[Entry] = entries
        """Every highlight, in the order listed when no filter is set."""
        self._index: list[_Indexed] = [self.index_entry(entry) for entry in entries]
        self._timer: Timer | None = None
        self._shown_query: str | None = None

    @staticmethod
    def index_entry(entry: Entry) -> _Indexed:
        """Return the search keys of ``entry`` (what ``parse_filter``'s predicates test)."""
        info, annotation = entry
        return _Indexed(
            text="\n".join((annotation.quote, annotation.note, info.title)).casefold(),
            tags=frozenset(tag_key(tag) for tag in annotation.tags),
            color=annotation.color,
            has_note=bool(annotation.note.strip()),
            status=shown_status(annotation, missing=is_missing(info)),
        )

    def compose(self) -> ComposeResult:
        """Lay out the filter, the status line and the list."""
        with Vertical(classes="dialog dialog-wide") as dialog:
            dialog.border_title = "Highlights"
            dialog.border_subtitle = "enter open · esc close"
            yield Input(
                placeholder="filter: words  tag:x  color:x  has:note  status:fuzzy",
                id="filter",
            )
            yield Label("", id="status", classes="dialog-status")
            yield HighlightOptions(id="results")

    def on_mount(self) -> None:
        """List everything and focus the filter."""
        self.apply_filter("")
        self.query_one("#filter", Input).focus()

    def _matching(self, query: str) -> list[int]:
        """Return the indexes of the entries matching ``query``."""
        predicates = parse_filter(query)
        if not predicates:
            return list(range(len(self._index)))
        return [
            position
            for position, item in enumerate(self._index)
            if all(predicate(item) for predicate in predicates)
        ]

    def _prompt(self, position: int, swatches: dict[str, Style], meta: Style) -> Content:
        """Return the two-line row for entry ``position`` (user text kept literal)."""
        info, annotation = self.entries[position]
        quote = one_line(annotation.quote, QUOTE_CHARS)
        details = one_line(info.title, 200)
        if annotation.tags:
            details += "  " + " ".join(f"#{one_line(tag, 30)}" for tag in annotation.tags)
        if annotation.note.strip():
            details += "  ✎"
        # Plain strings in Content.assemble are literal text, never markup.
        return Content.assemble(
            ("▌", swatches.get(annotation.color, Style())), " ", quote, "\n  ", (details, meta)
        )

    def apply_filter(self, query: str) -> None:
        """Filter now (the debounced typing path ends here too)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._shown_query = query
        matching = self._matching(query)
        options = self.query_one("#results", HighlightOptions)
        # Content builds (and measures) faster than rich Text: up to 500 rows per filter.
        swatches = {
            color: options.get_visual_style(f"swatch--{color}", partial=True) for color in COLORS
        }
        meta = options.get_visual_style("highlights--meta", partial=True)
        rows: list[Option | None] = [
            Option(self._prompt(position, swatches, meta), id=str(position))
            for position in matching[:MAX_ROWS]
        ]
        hidden = len(matching) - MAX_ROWS
        if hidden > 0:
            rows.append(None)  # a separator line
            rows.append(Option(Content(f"+{hidden:,} more — refine the filter"), disabled=True))
        options.clear_options()
        options.add_options(rows)
        if matching:
            options.highlighted = 0
        total = len(self.entries)
        status = self.query_one("#status", Label)
        if query.strip():
            status.update(f"{len(matching):,} of {plural(total, 'highlight')}")
        else:
            status.update(plural(total, "highlight"))

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
