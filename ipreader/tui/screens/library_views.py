"""The main screen's views over the whole library and the open article's layout.

``LibraryViews`` carries out the main screen's actions that open another
screen: every highlight (``h``), find in all articles (``f``), export (``x``),
reports (``R``), the codebook (``T``), the document's tags and note (``t``),
headings (``o``), plus
the coder view (``C``) and reflow (``w``). Each action's binding is in
``MainScreen.BINDINGS``; the screen's ``action_*`` method is one line calling
the method of the same name here. Work that reads files runs in the screen's
``Loader`` and comes back as a message the screen hands on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.identity import CODER_VIEWS
from ipreader.core.model import DocumentNotes
from ipreader.tui.display import one_line
from ipreader.tui.messages import (
    Exported,
    ExportFailed,
    HeadingsFound,
    HighlightsGathered,
    Saved,
)
from ipreader.tui.outcome import Refusal

if TYPE_CHECKING:
    from ipreader.core.library import Library
    from ipreader.tui.screens.codebook import CodebookScreen
    from ipreader.tui.screens.main import MainScreen

#: Default export file name (written in the working directory unless changed).
EXPORT_FILENAME = "ipreader-export.json"

#: How many documents' reflow choices are remembered.
REFLOW_MEMORY = 500


class LibraryViews:
    """The main screen's library-wide views and layout choices (see the module docstring)."""

    def __init__(self, screen: MainScreen) -> None:
        self._screen = screen

    def _library_or_say(self) -> Library | None:
        screen = self._screen
        if screen.library is None:
            screen.notify("The library is still opening.")
        return screen.library

    # ------------------------------------------------------------------ every highlight

    def highlights(self) -> None:
        """Gather every highlight of the library (shown by ``show_highlights``)."""
        if self._library_or_say() is not None:
            self._screen.loader.gather_highlights()

    def show_highlights(self, message: HighlightsGathered) -> None:
        """Show the gathered highlights; the chosen one is opened."""
        from ipreader.tui.screens.highlights import Entry, HighlightsScreen

        screen = self._screen
        gathered = message.gathered
        for error in gathered.errors:
            screen.notify(error, severity="error")
        entries, info = gathered.entries, screen.state.document
        document_tags = dict(gathered.document_tags)
        if info is not None:
            # The open document's view includes edits not (yet) saved, in its place.
            mine = [(info, a) for a in screen.state.annotations]
            at = next((n for n, e in enumerate(entries) if e[0].path == info.path), None)
            entries = [e for e in entries if e[0].path != info.path]
            if at is None:
                later = (n for n, e in enumerate(entries) if e[0].relpath > info.relpath)
                at = next(later, len(entries))
            entries[at:at] = mine
            document_tags[info.path] = screen.state.notes.tags  # as shown, like its entries

        def chosen(entry: Entry | None) -> None:
            if entry is not None:
                screen.open_document(entry[0], annotation=entry[1].id)
                screen.reader.focus()

        meanings = {root: book.colors for root, book in screen.state.codebooks.books.items()}
        screen.app.push_screen(HighlightsScreen(entries, document_tags, meanings), chosen)

    def find_corpus(self) -> None:
        """Find text across every document; the chosen match is opened and selected."""
        from ipreader.core.search import CorpusMatch
        from ipreader.tui.screens.corpus_find import CorpusFindScreen

        screen = self._screen
        library = self._library_or_say()
        if library is None:
            return

        def chosen(match: CorpusMatch | None) -> None:
            if match is not None:
                screen.open_document(match.document, selection=(match.start, match.end))
                screen.reader.focus()

        screen.app.push_screen(CorpusFindScreen(library.documents()), chosen)

    # ------------------------------------------------------------------ export

    def export(self) -> None:
        """Ask what to export where (all, the listed articles or this one), then export."""
        from ipreader.tui.screens.export import ExportRequest, ExportScreen, with_format_suffix

        screen = self._screen
        library = self._library_or_say()
        if library is None:
            return
        settings = getattr(screen.app, "settings", {})
        fmt, folder = settings.get("export_format"), settings.get("export_folder")
        folder = Path(folder) if isinstance(folder, str) and folder else Path.cwd()
        name = with_format_suffix(EXPORT_FILENAME, fmt if isinstance(fmt, str) else "json")
        info, listed = screen.state.document, screen.document_list.shown
        scopes = ["all"]
        if len(listed) < len(screen.documents):
            scopes.append("listed")
        if info is not None and info.readable:
            scopes.append("article")

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            path = request.path if request.path.is_absolute() else Path.cwd() / request.path
            only: set[Path] | None = None
            if request.scope == "listed":
                only = {d.path for d in listed}
            elif request.scope == "article" and info is not None:
                only = {info.path}
            screen.loader.export(library, request.format, path, only)

        screen.app.push_screen(ExportScreen(folder / name, scopes=scopes), chosen)

    def exported(self, message: Exported) -> None:
        """Say where the export went; remember its format and folder for the next one."""
        screen = self._screen
        settings = getattr(screen.app, "settings", None)
        if isinstance(settings, dict):
            settings.update(export_format=message.format, export_folder=str(message.path.parent))
        screen.notify(f"Exported {message.format} to {message.path}", title="Export")

    def export_failed(self, message: ExportFailed) -> None:
        """Say why the export was not written."""
        self._screen.notify(
            f"Could not export to {message.path}: {message.error}", title="Not exported",
            severity="error", timeout=15,
        )  # fmt: skip

    # ------------------------------------------------------------------ coding

    def cycle_coders(self) -> None:
        """Show everyone's highlights, the user's with the others' dimmed, or the user's only."""
        screen = self._screen
        state = screen.state
        state.coders = CODER_VIEWS[(CODER_VIEWS.index(state.coders) + 1) % len(CODER_VIEWS)]
        screen.show_state()
        who = one_line(state.me, 40) or "an unnamed user"
        views = {
            "everyone": "Everyone's highlights.",
            "others dimmed": f"Highlights by {who}; the others' dimmed.",
            "mine": f"Only the highlights by {who}.",
        }
        screen.notify(views[state.coders], timeout=3)

    def reports(self) -> None:
        """Coding reports over every highlight; Enter on a passage opens it."""
        from ipreader.tui.screens.reports import ReportsScreen, ReportTarget

        screen = self._screen
        library = self._library_or_say()
        if library is None:
            return

        def chosen(target: ReportTarget | None) -> None:
            if target is None:
                return
            for info in library.documents():
                if info.root == target.root and info.relpath == target.relpath:
                    screen.open_document(info, cursor=target.start)
                    screen.reader.focus()
                    return

        screen.app.push_screen(ReportsScreen(library, screen.state.codebooks.of), chosen)

    # ------------------------------------------------------------------ the codebook

    def codebook(self) -> None:
        """Open the codebook of the open article's folder (else the first folder's)."""
        from ipreader.tui.screens.codebook import CodebookScreen

        screen = self._screen
        library = self._library_or_say()
        if library is None or not library.collections:
            return
        info = screen.state.document
        root = info.root if info is not None else library.collections[0].root
        screen.app.push_screen(CodebookScreen(root, screen.session.store_at(root), screen))

    def codebook_requested(self, message: CodebookScreen.Requested) -> None:
        """Turn the codebook screen's request into the state's commands, or say why not."""
        screen = self._screen
        codebooks, root, tag, value = (
            screen.state.codebooks,
            message.root,
            message.tag,
            message.value,
        )
        try:
            if message.kind == "describe":
                outcome = codebooks.describe(root, tag, value)
            elif message.kind == "rename":
                outcome = codebooks.rename(root, tag, value)
            elif message.kind == "move":
                outcome = codebooks.move(root, tag, value)
            elif message.kind == "delete":
                outcome = codebooks.delete(root, tag)
            else:
                outcome = codebooks.set_meaning(root, tag, value)
        except Refusal as refusal:
            screen.notify(refusal.message, title=refusal.title, severity="warning")
            return
        screen.carry_out(outcome)

    def codebook_saved(self, message: Saved) -> None:
        """A codebook change was written: say what changed, show it, reload what shows it."""
        from ipreader.core.codebook import Retagged, Revert
        from ipreader.tui.commands import RetagTags

        screen = self._screen
        result, command = message.result, message.command
        if isinstance(result, Retagged):
            reverted = isinstance(command, RetagTags) and isinstance(command.operation, Revert)
            undo = "" if reverted else " (u to undo)"
            screen.notify(f"Tags changed on {result.summary()}{undo}.")
            screen.check_for_changes()  # the open article's highlights may have changed
        screen.show_state()
        self.reload_codebooks()

    def reload_codebooks(self, root: Path | None = None) -> None:
        """Have every open codebook screen (of ``root``, else of any folder) read its tags again.

        Also when another program changed the folder (``ipreader tags ... rename`` beside
        the app): an open codebook kept showing the tags as they were.
        """
        from ipreader.tui.screens.codebook import CodebookScreen

        for shown in self._screen.app.screen_stack:
            if isinstance(shown, CodebookScreen) and root in (None, shown.root):
                shown.reload()

    def document_notes(self) -> None:
        """Edit the open document's tags and note."""
        from ipreader.tui.screens.doc_notes import DocumentNotesEditor

        screen = self._screen
        state = screen.state
        info = state.document
        if info is None or state.opening:
            return

        shown = state.notes  # what the editor starts from: the base of the change

        def edited(notes: DocumentNotes | None) -> None:
            if notes is not None:
                screen.carry_out(state.set_notes(info, notes, shown))

        suggestions = state.codebooks.suggestions(info.root, state.tag_suggestions)
        screen.app.push_screen(DocumentNotesEditor(info.title, shown, suggestions), edited)

    # ------------------------------------------------------------------ the open article

    def headings(self) -> None:
        """Find the open article's chapters and headings (shown by ``show_headings``)."""
        screen = self._screen
        state = screen.state
        if not state.text or state.opening:
            screen.notify("Open an article first.", severity="warning")
            return
        serial = state.serial
        screen.loader.find_headings(state.text, serial, lambda: state.serial == serial)

    def show_headings(self, message: HeadingsFound) -> None:
        """Pick a heading of the open article and go to it."""
        from ipreader.core.headings import Heading
        from ipreader.tui.screens.headings import HeadingsScreen

        screen = self._screen
        if message.serial != screen.state.serial:
            return
        if not message.headings:
            screen.notify("No chapters or headings found in this article.")
            return
        reader = screen.reader

        def chosen(heading: Heading | None) -> None:
            if heading is not None:
                reader.move_cursor(heading.offset)
                reader.scroll_to_offset(heading.offset, top=True)  # a chapter starts the page
                reader.focus()

        screen.app.push_screen(HeadingsScreen(message.headings, reader.cursor), chosen)

    def reflow_choices(self) -> dict[str, bool]:
        """The user's reflow choice per document path (settings ``reflow``)."""
        settings = getattr(self._screen.app, "settings", {})
        choices = settings.get("reflow") if isinstance(settings, dict) else None
        if not isinstance(choices, dict):
            return {}
        return {str(k): v for k, v in choices.items() if isinstance(v, bool)}

    def toggle_reflow(self) -> None:
        """Join hard-wrapped lines into paragraphs, or show the lines as in the file."""
        screen = self._screen
        info = screen.state.document
        if info is None or not screen.state.text:
            return
        reflow = not screen.reader.reflow
        screen.reader.reflow = reflow
        choices = self.reflow_choices()
        choices.pop(str(info.path), None)
        choices[str(info.path)] = reflow  # the most recent last; the oldest dropped
        remember = getattr(screen.app, "remember", None)
        if remember is not None:
            remember("reflow choice", reflow=dict(list(choices.items())[-REFLOW_MEMORY:]))
        screen.notify("Paragraphs reflowed." if reflow else "Lines as in the file.", timeout=2)
