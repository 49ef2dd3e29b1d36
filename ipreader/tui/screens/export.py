"""The modal that asks what to export (format, which articles) and where."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ipreader.core.export import FILE_EXPORT_FORMATS
from ipreader.tui.display import editable
from ipreader.tui.stylesheets import modal_stylesheets
from ipreader.tui.widgets.choice_row import ChoiceRow

#: The file extension proposed for each export format.
FORMAT_SUFFIXES: dict[str, str] = {
    "json": ".json",
    "w3c": ".jsonld",
    "markdown": ".md",
    "csv": ".csv",
    "qdc": ".qdc",
    "qdpx": ".qdpx",
}

#: Which articles an export covers, as offered (the first one offered is the default).
SCOPES: dict[str, str] = {
    "all": "all articles",
    "listed": "listed articles",
    "article": "this article",
}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What the user asked to export, and where."""

    format: str
    """One of ``core.export.FILE_EXPORT_FORMATS`` (``qdpx``: the REFI-QDA project, a zip)."""
    path: Path
    """The output file (``~`` expanded; relative paths are left to the caller)."""
    scope: str = "all"
    """One of ``SCOPES``: every article, the ones the list shows, the open one."""


def format_for(path: Path) -> str:
    """Return the export format whose extension ``path`` has (``json`` otherwise)."""
    for fmt, suffix in FORMAT_SUFFIXES.items():
        if path.suffix.lower() == suffix and fmt in FILE_EXPORT_FORMATS:
            return fmt
    return FILE_EXPORT_FORMATS[0]


def with_format_suffix(path_text: str, fmt: str) -> str:
    """Return ``path_text`` with its extension changed to ``fmt``'s.

    Only a known export extension is replaced, and one is added when there is
    none; any other extension was typed on purpose and is kept.
    """
    if not path_text.strip():
        return path_text
    path = Path(path_text)
    known = {suffix for suffix in FORMAT_SUFFIXES.values()}
    if path.suffix.lower() in known or not path.suffix:
        stem = path_text[: len(path_text) - len(path.suffix)] if path.suffix else path_text
        return stem + FORMAT_SUFFIXES.get(fmt, "")
    return path_text


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Choose the export format, the articles and the output file.

    Enter or ``ctrl+s`` dismisses with an ``ExportRequest``; an existing file is
    only replaced after a second enter (the dialog says so), an empty path or a
    folder shows an inline error; escape dismisses with ``None``. Changing the
    format changes the path's extension; typing a format's extension chooses it.
    """

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,enter", "export", "Export"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        default_path: Path,
        *,
        scopes: Sequence[str] = ("all",),
        scope: str | None = None,
    ) -> None:
        """Create the screen proposing ``default_path`` (its extension picks the format).

        ``scopes`` are the choices of ``SCOPES`` that make sense now (no "this
        article" without an open one); ``scope`` the one chosen at first.
        """
        super().__init__()
        self.default_path = default_path
        """The path proposed when the screen opens."""
        self.scopes = tuple(s for s in scopes if s in SCOPES) or ("all",)
        """The scopes offered."""
        self.scope = scope if scope in self.scopes else self.scopes[0]
        """The scope chosen when the screen opens."""
        self._confirmed: Path | None = None  # the existing file the user agreed to replace

    def compose(self) -> ComposeResult:
        """Lay out the format and scope choices, the path and the message line."""
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Export annotations"
            dialog.border_subtitle = "enter export · esc cancel"
            yield Label("Format", classes="field-label")
            yield ChoiceRow(FILE_EXPORT_FORMATS, format_for(self.default_path), id="format")
            yield Label("Articles", classes="field-label")
            yield ChoiceRow(self.scopes, self.scope, labels=SCOPES, id="scope")
            yield Label("File", classes="field-label")
            # The cursor lands at the end (no selection) so typing edits the proposal.
            yield Input(editable(str(self.default_path)), id="path", select_on_focus=False)
            yield Label("", id="error", classes="dialog-error")

    def on_mount(self) -> None:
        """Focus the path, where most changes happen."""
        self.query_one("#path", Input).focus()

    @on(ChoiceRow.Changed, "#format")
    def _format_changed(self, event: ChoiceRow.Changed) -> None:
        """Give the path the chosen format's extension."""
        path = self.query_one("#path", Input)
        path.value = with_format_suffix(path.value, event.value)

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        """Clear the message as soon as the path is edited; a typed extension picks its format.

        (``listed.csv`` typed with json chosen wrote JSON into a ``.csv`` file.)
        """
        self._show_error("")
        self._confirmed = None
        suffix = Path(event.value.strip()).suffix.lower()
        typed = next((fmt for fmt, known in FORMAT_SUFFIXES.items() if known == suffix), None)
        row = self.query_one("#format", ChoiceRow)
        if typed is not None and typed in FILE_EXPORT_FORMATS and typed != row.value:
            row.value = typed  # its Changed gives the path the suffix it already has

    @on(Input.Submitted, "#path")
    def _path_submitted(self) -> None:
        """Export on enter in the path."""
        self.action_export()

    def _show_error(self, message: str) -> None:
        """Show ``message`` under the path (hidden when empty)."""
        error = self.query_one("#error", Label)
        error.update(Text(message))  # may hold a user path: never markup
        error.set_class(bool(message), "-visible")

    def action_export(self) -> None:
        """Dismiss with the request, or show why it cannot be made (yet)."""
        value = self.query_one("#path", Input).value
        # A folder name may hold terminal controls, shown as symbols: unchanged, the real path.
        text = (
            str(self.default_path) if value == editable(str(self.default_path)) else value.strip()
        )
        if not text:
            self._show_error("Enter a file to export to.")
            self.query_one("#path", Input).focus()
            return
        checked = _checked_path(text)
        if isinstance(checked, str):
            self._show_error(checked)
            self.query_one("#path", Input).focus()
            return
        path, exists = checked
        if exists and self._confirmed != path:
            self._confirmed = path
            self._show_error(f"{path.name} exists: enter again to replace it, or change the name.")
            return
        self.dismiss(
            ExportRequest(
                self.query_one("#format", ChoiceRow).value,
                path,
                self.query_one("#scope", ChoiceRow).value,
            )
        )

    def action_cancel(self) -> None:
        """Dismiss without exporting."""
        self.dismiss(None)


def _checked_path(text: str) -> tuple[Path, bool] | str:
    """The file ``text`` names and whether it exists, or why it cannot be written to.

    A path that cannot be expanded (``~nobody``), holds a NUL, is too long, or
    leads through a folder that cannot be searched raised out of the dialog and
    closed the app; a folder cannot be exported to.
    """
    if "\0" in text:
        return "A file name cannot hold a NUL character."
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~user with no such user (no home directory to expand to)
        return f"No such user: {text.split('/', 1)[0]!r}."
    try:
        if path.is_dir():
            return "That is a folder; enter a file name."
        return path, path.exists()
    except OSError as error:
        return f"That path cannot be used: {error.strerror or error}."
