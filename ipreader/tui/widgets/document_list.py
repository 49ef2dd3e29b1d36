"""The document list: every article of the library, filterable and sortable."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
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
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from ipreader.core.documents import DocumentInfo
from ipreader.core.tags import tag_matches
from ipreader.tui.display import one_line
from ipreader.tui.session import DocumentStats

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
    return sorted(documents, key=lambda d: (str(d.root), d.relpath))


def filter_documents(
    documents: Sequence[DocumentInfo], query: str, stats: Mapping[Path, DocumentStats]
) -> list[DocumentInfo]:
    """Return the documents matching ``query``.

    Words are ANDed. ``tag:x`` matches a document carrying tag ``x`` (or a child
    tag, ``x/...``) itself or on one of its highlights; any other word matches
    the title, the path or a tag, case-insensitively.
    """
    words = query.split()
    if not words:
        return list(documents)
    result = []
    for info in documents:
        known = stats.get(info.path, DocumentStats())
        tags = (*known.tags, *known.highlight_tags)
        haystack = "\n".join((info.title, info.relpath, *tags)).casefold()
        for word in words:
            if word.casefold().startswith("tag:"):
                wanted = word[4:]
                ok = any(tag_matches(t, wanted) for t in tags) if wanted else bool(tags)
            else:
                ok = word.casefold() in haystack
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
    if not info.readable:
        return Prompt(title, [one_line(f"({info.error})", 60)], dim=True)
    date = info.date[:10] if info.date else ""
    if info.source:
        date = f"{date} {one_line(info.source, 20)}".strip()
    count = f"{stats.highlights:,}✎" if stats.highlights else ""
    tags = " ".join(f"#{one_line(tag, 24)}" for tag in stats.tags)
    tiers = [
        " · ".join(part for part in (date, count, tags) if part),
        " · ".join(part for part in (date, count) if part),
        count,
    ]
    return Prompt(title, list(dict.fromkeys(tier for tier in tiers if tier)))


def prepare_prompts(
    documents: Iterable[DocumentInfo], stats: Mapping[Path, DocumentStats]
) -> dict[Path, tuple[DocumentStats, Prompt]]:
    """Build every document's list entry, with the stats it shows.

    Meant for a worker thread (pass the result to ``DocumentList.prime``): with
    thousands of articles, building the entries takes a noticeable time.
    """
    prepared: dict[Path, tuple[DocumentStats, Prompt]] = {}
    for info in documents:
        shown = stats.get(info.path, DocumentStats())
        prepared[info.path] = (shown, document_prompt(info, shown))
    return prepared


class _DocumentOptions(OptionList):
    """The option list inside the document list (separate class for focus and CSS)."""


class DocumentList(Vertical):
    """The left pane: a filter input, a header with the sort order, then the articles."""

    DEFAULT_CSS = """
    DocumentList { height: 1fr; }
    DocumentList > #document-header { height: 1; }
    DocumentList > _DocumentOptions { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
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

    @dataclass
    class Opened(Message):
        """The user asked to open a document."""

        document: DocumentInfo
        """The document to open."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[DocumentInfo] = []
        # Built entries with the stats they show: rebuilt only when those change.
        self._prompts: dict[Path, tuple[DocumentStats, Prompt]] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter: words, tag:x", id="document-filter")
        yield Static(id="document-header")
        yield _DocumentOptions(id="document-options")

    @property
    def option_list(self) -> OptionList:
        """The list of articles (the widget that takes focus)."""
        return self.query_one(_DocumentOptions)

    @property
    def shown(self) -> list[DocumentInfo]:
        """The documents currently listed, in display order."""
        return list(self._shown)

    def prime(self, prompts: Mapping[Path, tuple[DocumentStats, Prompt]]) -> None:
        """Take list entries built ahead (``prepare_prompts``, e.g. in a worker thread)."""
        self._prompts.update(prompts)

    def _prompt(self, info: DocumentInfo, stats: DocumentStats) -> Prompt:
        cached = self._prompts.get(info.path)
        if cached is not None and cached[0] == stats:
            return cached[1]
        prompt = document_prompt(info, stats)
        self._prompts[info.path] = (stats, prompt)
        return prompt

    def focus_list(self) -> None:
        """Give the focus to the list of articles."""
        self.option_list.focus()

    def action_focus_list(self) -> None:
        """Move the focus from the filter input to the list."""
        self.focus_list()

    def on_mount(self) -> None:
        self._refresh_list()

    def watch_documents(self) -> None:
        self._refresh_list()

    def watch_stats(
        self, old: Mapping[Path, DocumentStats], new: Mapping[Path, DocumentStats]
    ) -> None:
        if not self.is_mounted:
            return
        query = self.query_one("#document-filter", Input).value
        changed = {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}
        if query.strip() or len(changed) > 50:
            self._refresh_list()  # tags count in any filter, or most rows changed
            return
        # One document's count or tags changed: re-render its row only (big libraries).
        options = self.option_list
        for info in self._shown:
            if info.path in changed:
                prompt = self._prompt(info, new.get(info.path, DocumentStats()))
                options.replace_option_prompt(str(info.path), prompt)

    def watch_sort_by(self) -> None:
        self._refresh_list()

    def watch_progress(self) -> None:
        self._refresh_header()

    def watch_document(self, document: DocumentInfo | None) -> None:
        self._highlight_current(document)

    @on(Input.Changed, "#document-filter")
    def _filter_changed(self) -> None:
        self._refresh_list()

    @on(Input.Submitted, "#document-filter")
    def _filter_submitted(self) -> None:
        self.focus_list()

    @on(OptionList.OptionSelected, "#document-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        if 0 <= index < len(self._shown):
            self.post_message(self.Opened(self._shown[index]))

    def _refresh_header(self) -> None:
        if not self.is_mounted:
            return
        header = self.query_one("#document-header", Static)
        if self.progress is not None:
            done, total = self.progress
            header.update(Text(f"Opening… {done}/{total}"))
            return
        count = len(self._shown)
        total = len(self.documents)
        shown = f"{count:,}" if count == total else f"{count:,}/{total:,}"
        noun = "article" if total == 1 else "articles"
        header.update(Text(f"{shown} {noun} · by {self.sort_by} (s)"))

    def _refresh_list(self) -> None:
        if not self.is_mounted:
            return
        query = self.query_one("#document-filter", Input).value
        stats = self.stats
        matching = filter_documents(self.documents, query, stats)
        self._shown = sort_documents(matching, self.sort_by)
        options = self.option_list
        previous = options.highlighted_option
        entries: list[Option] = []
        for info in self._shown:
            prompt = self._prompt(info, stats.get(info.path, DocumentStats()))
            entries.append(Option(prompt, id=str(info.path)))
        options.set_options(entries)
        if previous is not None and previous.id is not None:
            try:
                options.highlighted = options.get_option_index(previous.id)
            except OptionDoesNotExist:  # it was filtered out
                self._highlight_current(self.document)
        else:
            self._highlight_current(self.document)
        self._refresh_header()

    def _highlight_current(self, document: DocumentInfo | None) -> None:
        if not self.is_mounted or document is None:
            return
        options = self.option_list
        for index, info in enumerate(self._shown):
            if info.path == document.path:
                options.highlighted = index
                return
