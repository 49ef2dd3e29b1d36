"""The document list: every article of the library, filterable and sortable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import ClassVar, overload

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Input, Static

from ipreader.core.documents import DocumentInfo
from ipreader.core.tags import tag_matches
from ipreader.tui.display import one_line
from ipreader.tui.message_fields import FieldsRepr
from ipreader.tui.session import DocumentStats
from ipreader.tui.widgets.document_rows import DocumentRows

#: What the empty filter field says.
FILTER_PLACEHOLDER = "Filter: words, tag:x"

#: The sort orders the list cycles through, in order.
SORT_ORDERS: tuple[str, ...] = ("name", "date", "title")


def sort_documents(documents: Sequence[DocumentInfo], order: str) -> list[DocumentInfo]:
    """Return ``documents`` sorted by ``name`` (path), ``date`` (newest first) or ``title``."""
    if order == "date":
        # Undated articles go last; ties fall back to the path so the order is stable.
        dated = sorted((d for d in documents if d.date), key=lambda d: (d.date or "", d.relpath))
        dated.reverse()
        return dated + sorted((d for d in documents if not d.date), key=lambda d: d.relpath)
    if order == "title":
        return sorted(documents, key=lambda d: (d.title.casefold(), d.relpath))
    # By root, then relpath: grouped by root first, so the 10,000 keys of a big folder are
    # read by attrgetter (C) rather than built as tuples by a Python lambda; and one folder
    # (its documents share one root object) is not grouped at all.
    if len({*map(id, map(attrgetter("root"), documents))}) <= 1:
        return sorted(documents, key=attrgetter("relpath"))
    by_root: dict[Path, list[DocumentInfo]] = {}
    for info in documents:
        by_root.setdefault(info.root, []).append(info)
    ordered: list[DocumentInfo] = []
    for root in sorted(by_root, key=str):
        ordered.extend(sorted(by_root[root], key=attrgetter("relpath")))
    return ordered


#: What ``filter_documents`` matches a document against, by path: the stats it was made
#: from, the document's and its highlights' tags, and the casefolded searchable text.
Haystacks = dict[Path, tuple[DocumentStats, tuple[str, ...], str]]


def filter_documents(
    documents: Sequence[DocumentInfo],
    query: str,
    stats: Mapping[Path, DocumentStats],
    haystacks: Haystacks | None = None,
) -> list[DocumentInfo]:
    """Return the documents matching ``query``.

    Words are ANDed. ``tag:x`` matches a document carrying tag ``x`` (or a child
    tag, ``x/...``) itself or on one of its highlights; any other word matches
    the title, the path or a tag, case-insensitively. ``haystacks`` keeps what
    each document is matched against between calls (each keystroke of a filter
    over thousands of articles), rebuilt when its stats change.
    """
    words = [word.casefold() for word in query.split()]
    if not words:
        return list(documents)
    known = {} if haystacks is None else haystacks
    empty = DocumentStats()
    result = []
    for info in documents:
        shown = stats.get(info.path, empty)
        cached = known.get(info.path)
        if cached is not None and cached[0] == shown:
            tags, haystack = cached[1], cached[2]
        else:
            tags = (*shown.tags, *shown.highlight_tags)
            haystack = "\n".join((info.title, info.relpath, *tags)).casefold()
            known[info.path] = (shown, tags, haystack)
        for word in words:
            if word.startswith("tag:"):
                wanted = word[4:]
                ok = any(tag_matches(t, wanted) for t in tags) if wanted else bool(tags)
            else:
                ok = word in haystack
            if not ok:
                break
        else:
            result.append(info)
    return result


class Prompt(Visual):
    """A list entry on one row: the title, then as many details as fit, right-aligned.

    The details come in tiers (date, highlights and tags; date and highlights;
    highlights; nothing); the widest that leaves the title ``MIN_TITLE``
    cells is shown, so a wider list shows more of each title and of its
    details. Entries are never wrapped, so an entry's height is known without
    measuring it: with thousands of articles the list lays out fast.
    """

    #: Cells always left for the title (unless the title is shorter).
    MIN_TITLE = 16

    def __init__(self, title: str, details: Sequence[str], *, dim: bool = False) -> None:
        self.title = title
        """The title, on one line, control characters made visible."""
        self.details = tuple(details)
        """Detail tiers, widest first (each a full detail string)."""
        self.dim = dim
        """True for an unreadable document."""

    @property
    def plain(self) -> str:
        """The entry's text without styles (its widest form)."""
        widest = self.details[0] if self.details else ""
        return f"{self.title}  {widest}".rstrip()

    def layout(self, width: int) -> Content:
        """Return the entry laid out in ``width`` cells."""
        title_cells = cell_len(self.title)
        details = ""
        for tier in self.details:
            if width - cell_len(tier) - 2 >= min(self.MIN_TITLE, title_cells):
                details = tier
                break
        room = max(1, width - cell_len(details) - (2 if details else 0))
        title = Content(self.title).truncate(room, ellipsis=True)
        gap = max(0, width - title.cell_length - cell_len(details))
        if self.dim:
            title = title.stylize("dim")
        return Content.assemble(title, " " * gap, (details, "dim"))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.layout(width).render_strips(width, 1, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


def document_prompt(info: DocumentInfo, stats: DocumentStats) -> Prompt:
    """Return the list entry for ``info`` (user text kept literal)."""
    title = one_line(info.title, 300)
    count = f"{stats.highlights:,}✎" if stats.highlights else ""
    if not info.readable:
        # The reason, else its first words ("missing", "binary file"), each with the
        # highlights it keeps: a reason too long for the list hid both (a missing
        # article's row looked like an empty readable one).
        reason = one_line(info.error or "unreadable", 60)
        short = reason.split(":")[0].split(";")[0].strip()
        tiers = [f"({reason}) {count}".strip(), f"({short}) {count}".strip(), count]
        return Prompt(title, list(dict.fromkeys(tier for tier in tiers if tier)), dim=True)
    date = info.date[:10] if info.date else ""
    if info.source:
        date = f"{date} {one_line(info.source, 20)}".strip()
    tags = " ".join(f"#{one_line(tag, 24)}" for tag in stats.tags)
    tiers = [
        " · ".join(part for part in (date, count, tags) if part),
        " · ".join(part for part in (date, count) if part),
        count,
    ]
    return Prompt(title, list(dict.fromkeys(tier for tier in tiers if tier)))


class _Entries(Sequence[Prompt]):
    """The list's entries in display order, each built when first asked for (a visible row)."""

    def __init__(self, owner: DocumentList, shown: Sequence[DocumentInfo]) -> None:
        self._owner = owner
        self._shown = shown
        self._stats = owner.stats
        self._empty = DocumentStats()

    def __len__(self) -> int:
        return len(self._shown)

    @overload
    def __getitem__(self, index: int) -> Prompt: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Prompt]: ...
    def __getitem__(self, index: int | slice) -> Prompt | Sequence[Prompt]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        info = self._shown[index]
        return self._owner.prompt_for(info, self._stats.get(info.path, self._empty))


def opening_header(done: int, total: int) -> str:
    """Return the list's header while the folders open: ``Opening… 1,200/10,000``.

    Before the folders are walked the total is not known (0): no count is given
    then, rather than ``0/0``.
    """
    if total <= 0:
        return "Opening…"
    return f"Opening… {done:,}/{total:,}"


class DocumentList(Vertical):
    """The left pane: a filter input, a header with the sort order, then the articles."""

    DEFAULT_CSS = """
    DocumentList { height: 1fr; }
    DocumentList > #document-header { height: 1; }
    DocumentList > DocumentRows { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "focus_list", "To list", show=False),
    ]

    # ``var``: the container draws nothing itself; its watchers refresh the children that
    # change (a repainting reactive would redraw the whole pane on every change).
    documents: var[tuple[DocumentInfo, ...]] = var(())
    """All the documents of the library."""
    stats: var[Mapping[Path, DocumentStats]] = var(dict, always_update=True)
    """Highlight counts and tags, keyed by the document's absolute path."""
    document: var[DocumentInfo | None] = var(None)
    """The document open in the reading pane (marked in the list)."""
    sort_by: var[str] = var("name")
    """One of ``SORT_ORDERS``."""
    progress: var[tuple[int, int] | None] = var(None)
    """``(done, total)`` while the library is being opened, else ``None``."""
    counting: var[bool] = var(False)
    """True while the listed documents' highlights are read (no counts or tags shown yet)."""

    @dataclass(repr=False, eq=False)
    class Opened(FieldsRepr, Message):
        """The user asked to open a document."""

        document: DocumentInfo
        """The document to open."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[DocumentInfo] = []
        # Built entries with the stats they show: rebuilt only when those change.
        self._prompts: dict[Path, tuple[DocumentInfo, DocumentStats, Prompt]] = {}
        self._haystacks: Haystacks = {}

    def compose(self) -> ComposeResult:
        # The filter's Input is mounted in this line's place when first used (see
        # filter_input): until then its placeholder is drawn by a Static of the same look.
        # An Input in the first frame costs its CSS and four component classes styled at
        # every pass, ~5 ms of the UI thread before the first paint.
        yield Static(FILTER_PLACEHOLDER, id="document-filter-hint", markup=False)
        yield Static(id="document-header")
        yield DocumentRows(id="document-options")

    @property
    def option_list(self) -> DocumentRows:
        """The list of articles (the widget that takes focus)."""
        return self.query_one(DocumentRows)

    @property
    def shown(self) -> list[DocumentInfo]:
        """The documents currently listed, in display order."""
        return list(self._shown)

    def prompt_for(self, info: DocumentInfo, stats: DocumentStats) -> Prompt:
        """The list entry of ``info`` showing ``stats`` (built once while they are unchanged)."""
        cached = self._prompts.get(info.path)
        # The very entry it was built for: a listing replaced (the kept one by the
        # library's, an article edited) brings new entries, their title or date changed.
        if cached is not None and cached[0] is info and cached[1] == stats:
            return cached[2]
        prompt = document_prompt(info, stats)
        self._prompts[info.path] = (info, stats, prompt)
        return prompt

    @property
    def highlighted_document(self) -> DocumentInfo | None:
        """The document on the highlighted row, if any."""
        return self._highlighted_document()

    def highlight(self, document: DocumentInfo) -> None:
        """Highlight ``document``'s row (by path), if it is listed."""
        self._highlight_current(document)

    def focus_list(self) -> None:
        """Give the focus to the list of articles."""
        self.option_list.focus()

    async def filter_input(self) -> Input:
        """The filter's input, mounted in its placeholder's place the first time."""
        found = self.query("#document-filter")
        if found:
            return found.first(Input)
        field = Input(placeholder=FILTER_PLACEHOLDER, id="document-filter")
        hint = self.query("#document-filter-hint")
        await self.mount(field, before=0)
        await hint.remove()
        return field

    async def focus_filter(self) -> None:
        """Give the focus to the filter (mounted first if it is not yet)."""
        (await self.filter_input()).focus()

    @on(events.Click, "#document-filter-hint")
    async def _hint_clicked(self) -> None:
        await self.focus_filter()

    def _filter_query(self) -> str:
        """What the filter holds (nothing until its input is mounted)."""
        found = self.query("#document-filter")
        return found.first(Input).value if found else ""

    def action_focus_list(self) -> None:
        """Move the focus from the filter input to the list."""
        self._enter_list()

    def _enter_list(self) -> None:
        # From the filter: onto a row, the first when none is highlighted (the one that was
        # is filtered out), so Enter opens an article at once instead of doing nothing.
        rows = self.option_list
        if rows.highlighted is None and rows.row_count:
            rows.highlighted = 0
        self.focus_list()

    def on_mount(self) -> None:
        self._refresh_list()

    def watch_documents(self) -> None:
        self._refresh_list()

    def watch_stats(self) -> None:
        if not self.is_mounted:
            return
        if self._filter_query().strip():
            self._refresh_list()  # tags count in any filter
            return
        # Counts and tags decide neither which rows are shown nor their order: the same
        # rows, their entries rebuilt as they are drawn.
        self.option_list.replace_rows(_Entries(self, self._shown))

    def watch_sort_by(self) -> None:
        self._refresh_list()

    def watch_progress(self) -> None:
        self._refresh_header()

    def watch_counting(self) -> None:
        self._refresh_header()

    def watch_document(self, document: DocumentInfo | None) -> None:
        self._highlight_current(document)

    @on(Input.Changed, "#document-filter")
    def _filter_changed(self) -> None:
        self._refresh_list()

    @on(Input.Submitted, "#document-filter")
    def _filter_submitted(self) -> None:
        self._enter_list()

    @on(DocumentRows.Selected, "#document-options")
    def _option_selected(self, event: DocumentRows.Selected) -> None:
        event.stop()
        index = event.index
        if 0 <= index < len(self._shown):
            self.post_message(self.Opened(self._shown[index]))

    def _refresh_header(self) -> None:
        if not self.is_mounted:
            return
        header = self.query_one("#document-header", Static)
        if self.progress is not None:
            done, total = self.progress
            # One line, as wide as the pane, whatever it says: redrawn without laying out
            # the screen again (ten times a second while a big folder opens).
            header.update(Text(opening_header(done, total)), layout=False)
            return
        count = len(self._shown)
        total = len(self.documents)
        shown = f"{count:,}" if count == total else f"{count:,}/{total:,}"
        noun = "article" if total == 1 else "articles"
        # Said while counting (instead of the sort order: the line is narrow): a tag filter
        # cannot match before the tags are read.
        state = "counting highlights…" if self.counting else f"by {self.sort_by} (s)"
        header.update(Text(f"{shown} {noun} · {state}"), layout=False)

    def _refresh_list(self) -> None:
        if not self.is_mounted:
            return
        query = self._filter_query()
        stats = self.stats
        matching = filter_documents(self.documents, query, stats, self._haystacks)
        # Asked before the rows change: the highlighted index is a row of the old list.
        previous = self._highlighted_document()
        self._shown = sort_documents(matching, self.sort_by)
        rows = self.option_list
        # The row highlighted before stays highlighted; else (filtered out) the open document's.
        highlighted = self._index_of(previous) if previous is not None else None
        if highlighted is None:
            highlighted = self._index_of(self.document)
        rows.set_rows(_Entries(self, self._shown), highlighted)
        self._refresh_header()

    def _highlighted_document(self) -> DocumentInfo | None:
        index = self.option_list.highlighted
        if index is None or not 0 <= index < len(self._shown):
            return None
        return self._shown[index]

    def _index_of(self, document: DocumentInfo | None) -> int | None:
        if document is None:
            return None
        for index, info in enumerate(self._shown):
            if info.path == document.path:
                return index
        return None

    def _highlight_current(self, document: DocumentInfo | None) -> None:
        if not self.is_mounted:
            return
        index = self._index_of(document)
        if index is not None:
            self.option_list.highlighted = index
