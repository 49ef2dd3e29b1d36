"""The codebook modal: a folder's tags as a tree, with counts, descriptions and colours.

The tree (``core.codebook.tag_tree``) is read in a thread worker. The keys
ask for a change — describe, rename (onto an existing tag: merge), move under
another parent, delete, give a colour a meaning — and the screen posts it to
its owner (the main screen) as a ``CodebookScreen.Requested`` intent; the
owner turns it into typed commands for its writer, and calls ``reload`` once
they are written. Nothing is written from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ipreader.core.codebook import Codebook, TagRow, tag_tree
from ipreader.core.errors import IpreaderError
from ipreader.core.model import COLORS
from ipreader.core.wording import plural
from ipreader.tui.display import one_line
from ipreader.tui.stylesheets import modal_stylesheets

if TYPE_CHECKING:
    from ipreader.core.store import FolderStore

#: Characters of a description shown in the tree (the input shows it whole).
DESCRIPTION_CHARS = 120

#: What each key asks for, as the input's label says it.
PROMPTS = {
    "describe": "Description of “{tag}” (enter saves, esc cancels)",
    "rename": "Rename “{tag}” (and its children) to — an existing tag merges",
    "move": "Move “{tag}” under which parent? (/ or empty: the top level)",
    "color": "Colour meaning: a colour then its meaning, e.g. “yellow claim” (meaning empty: none)",
}


class TagOptions(OptionList):
    """The tag tree; component classes style counts, descriptions and colour marks."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "codebook--counts",
        "codebook--description",
        *(f"codebook--{color}" for color in COLORS),
    }
    """``codebook--counts`` and ``--description`` style a row's details; ``codebook--<colour>``
    a tag's colour mark."""


class CodebookScreen(ModalScreen[None]):
    """Browse and edit one folder's codebook; changes are posted to ``owner`` as intents."""

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "ask('describe')", "Describe"),
        Binding("r", "ask('rename')", "Rename / merge"),
        Binding("m", "ask('move')", "Move"),
        Binding("x,delete", "delete", "Delete"),
        Binding("c", "ask('color')", "Colour meanings"),
        Binding("escape", "close", "Close"),
    ]

    @dataclass
    class Read(Message):
        """The worker read the folder's tags."""

        rows: list[TagRow]
        """The tag tree, parents first."""
        codebook: Codebook
        """The folder's codebook."""
        error: str = ""
        """Why it could not be read (empty when it could)."""

    @dataclass
    class Requested(Message):
        """The user asked for a change of the codebook (posted to the owner)."""

        root: Path
        """The folder."""
        kind: str
        """``describe``, ``rename``, ``move``, ``delete`` or ``color``."""
        tag: str
        """The tag acted on (for ``color``: the colour)."""
        value: str = ""
        """The new description, name, parent or meaning."""

    def __init__(self, root: Path, store: FolderStore, owner: Widget) -> None:
        """Show the codebook of ``root`` (read from ``store``); post intents to ``owner``."""
        super().__init__()
        self.root = root
        """The folder whose codebook is shown."""
        self.store = store
        """Its store (only read, in a worker)."""
        self.owner = owner
        """Who receives ``Requested`` (and writes)."""
        self.rows: list[TagRow] = []
        """The tree as last read."""
        self.codebook = Codebook()
        """The codebook as last read."""
        self.asking: str | None = None
        """What the input is asking for (a ``PROMPTS`` key), if it is open."""
        self._asked_tag = ""

    def compose(self) -> ComposeResult:
        """Lay out the tree, the status line and the (hidden) input."""
        with Vertical(classes="dialog dialog-wide") as dialog:
            dialog.border_title = f"Codebook · {one_line(self.root.name, 60)}"
            dialog.border_subtitle = (
                "d describe · r rename/merge · m move · x delete · c colours · esc close"
            )
            yield Label("Reading the tags…", id="status", classes="dialog-status")
            yield TagOptions(id="tags")
            yield Label("", id="prompt", classes="field-label")
            yield Input(id="answer")

    def on_mount(self) -> None:
        """Start reading; focus the tree."""
        self._show_input(False)
        self.query_one(TagOptions).focus()
        self.reload()

    # ------------------------------------------------------------------ reading

    @work(thread=True, exclusive=True, group="codebook", description="read the tags")
    def reload(self) -> None:
        """Read the folder's tags again (after a change was written)."""
        try:
            stored = self.store.stored_documents()
            book = self.store.codebook()
        except IpreaderError as error:
            self.post_message(self.Read([], Codebook(), str(error)))
            return
        documents = [(s.notes.tags, [a.tags for a in s.annotations]) for s in stored.values()]
        self.post_message(self.Read(tag_tree(documents, book), book))

    @on(Read)
    def _read(self, message: Read) -> None:
        status = self.query_one("#status", Label)
        if message.error:
            status.update(Text(message.error))
            return
        self.codebook = message.codebook
        options = self.query_one(TagOptions)
        chosen = options.highlighted
        wanted = self.rows[chosen].tag if chosen is not None and chosen < len(self.rows) else None
        self.rows = message.rows
        options.clear_options()
        options.add_options(
            [Option(self._prompt(row), id=f"t{n}") for n, row in enumerate(self.rows)]
        )
        if self.rows:
            at = next((n for n, r in enumerate(self.rows) if r.tag == wanted), chosen or 0)
            options.highlighted = min(at, len(self.rows) - 1)
        legend = self.codebook.legend() or "no colour has a meaning yet (c)"
        count = plural(sum(1 for r in self.rows if r.depth == 0), "top-level tag")
        shown = f"{count} · colours: {legend}" if self.rows else f"No tags yet · colours: {legend}"
        status.update(Text(shown))

    def _style(self, name: str) -> Style:
        options = self.query_one(TagOptions)
        return options.get_component_rich_style(f"codebook--{name}", partial=True)

    def _prompt(self, row: TagRow) -> Text:
        text = Text("  " * row.depth)
        # A colour mark or a blank of its width, so sibling names line up.
        text.append("▌" if row.color else " ", self._style(row.color) if row.color else "")
        text.append(one_line(row.label, 60), "bold" if row.depth == 0 else "")
        counts = f"  {plural(row.highlights, 'highlight')} · {plural(row.documents, 'document')}"
        text.append(counts, self._style("counts"))
        if row.description:
            text.append("\n" + "  " * (row.depth + 1))
            text.append(one_line(row.description, DESCRIPTION_CHARS), self._style("description"))
        return text

    @property
    def current(self) -> TagRow | None:
        """The highlighted tag, if any."""
        at = self.query_one(TagOptions).highlighted
        return self.rows[at] if at is not None and at < len(self.rows) else None

    # ------------------------------------------------------------------ asking

    def _show_input(self, shown: bool) -> None:
        self.query_one("#prompt").display = shown
        self.query_one("#answer").display = shown

    def action_ask(self, kind: str) -> None:
        """Open the input for ``kind`` (a ``PROMPTS`` key) about the highlighted tag."""
        row = self.current
        if row is None and kind != "color":
            self.notify("No tag chosen.", severity="warning")
            return
        tag = "" if row is None else row.tag
        self.asking, self._asked_tag = kind, tag
        start = {"describe": "" if row is None else row.description, "rename": tag}.get(kind, "")
        self.query_one("#prompt", Label).update(Text(PROMPTS[kind].format(tag=one_line(tag, 60))))
        answer = self.query_one("#answer", Input)
        answer.value = start
        self._show_input(True)
        answer.focus()

    @on(Input.Submitted, "#answer")
    def _answered(self, event: Input.Submitted) -> None:
        kind, tag, value = self.asking, self._asked_tag, event.value
        self._close_input()
        if kind == "color":
            color, _, meaning = value.strip().partition(" ")
            if color.casefold() not in COLORS:
                self.notify(f"Start with a colour: {', '.join(COLORS)}.", severity="warning")
                return
            self._request("color", color.casefold(), meaning.strip())
        elif kind is not None:
            self._request(kind, tag, value)

    def _close_input(self) -> None:
        self.asking = None
        self._show_input(False)
        self.query_one(TagOptions).focus()

    def action_delete(self) -> None:
        """Ask, then request the deletion of the highlighted tag (``u`` restores it)."""
        from ipreader.tui.screens.confirm import ConfirmScreen

        row = self.current
        if row is None:
            return
        question = (
            f"Remove “{one_line(row.tag, 60)}” and its children from "
            f"{plural(row.highlights, 'highlight')} and every document carrying them? "
            "The highlights stay. u in the main screen restores the tags."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._request("delete", row.tag)

        self.app.push_screen(ConfirmScreen("Delete tag", question, "delete", "keep"), answered)

    def _request(self, kind: str, tag: str, value: str = "") -> None:
        self.owner.post_message(self.Requested(self.root, kind, tag, value))

    def action_close(self) -> None:
        """Close the input if open, else the screen."""
        if self.asking is not None:
            self._close_input()
        else:
            self.dismiss(None)
