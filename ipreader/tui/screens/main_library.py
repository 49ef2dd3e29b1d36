"""The main screen's library-wide actions: every highlight, find across documents,
export, and the open document's tags and note.

Each action opens a modal screen; the modal screens (and the core modules
behind them: search, export) are imported when first used, not at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from ipreader.core.documents import DocumentInfo
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.tui.screens.main_base import MainScreenBase

if TYPE_CHECKING:
    from ipreader.core.search import CorpusMatch
    from ipreader.core.store import FolderStore
    from ipreader.tui.screens.export import ExportRequest

#: Default export file name (written in the working directory unless changed).
EXPORT_FILENAME = "ipreader-export.json"


class LibraryActions(MainScreenBase):
    """The main screen's part for ``h``, ``f``, ``x`` and ``t``."""

    def action_highlights(self) -> None:
        """Browse every highlight of the library."""
        if self.library is None:
            self.notify("The library is still opening.")
            return
        self._gather_highlights()

    @work(thread=True, exclusive=True, group="highlights")
    def _gather_highlights(self) -> None:
        entries, errors = self.session.gather_highlights()
        for error in errors:
            self.app.call_from_thread(self.notify, error, severity="error")
        self.app.call_from_thread(self._show_highlights, entries)

    def _show_highlights(self, entries: list[tuple[DocumentInfo, Annotation]]) -> None:
        from ipreader.tui.screens.highlights import HighlightsScreen

        info = self.document
        if info is not None:
            # The open document's view includes edits not (yet) saved.
            entries = [e for e in entries if e[0].path != info.path]
            entries.extend((info, a) for a in self.annotations)

        def chosen(entry: tuple[DocumentInfo, Annotation] | None) -> None:
            if entry is not None:
                document, annotation = entry
                self.open_document(document, annotation=annotation.id)
                self.reader.focus()

        self.app.push_screen(HighlightsScreen(entries), chosen)

    def action_find_corpus(self) -> None:
        """Find text across every document."""
        from ipreader.tui.screens.corpus_find import CorpusFindScreen

        if self.library is None:
            self.notify("The library is still opening.")
            return

        def chosen(match: CorpusMatch | None) -> None:
            if match is not None:
                self.open_document(match.document, selection=(match.start, match.end))
                self.reader.focus()

        self.app.push_screen(CorpusFindScreen(self.library.documents()), chosen)

    def action_export(self) -> None:
        """Export every annotation to a file."""
        from ipreader.tui.screens.export import ExportScreen

        library = self.library
        if library is None:
            self.notify("The library is still opening.")
            return

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            path = request.path if request.path.is_absolute() else Path.cwd() / request.path
            fmt = request.format

            def export(_store: FolderStore) -> None:
                from ipreader.core.export import render_export
                from ipreader.core.storage import atomic_write_bytes

                atomic_write_bytes(path, render_export(library, fmt).encode("utf-8"))

            def done() -> None:
                self.notify(f"Exported {fmt} to {path}", title="Export")

            # Queued behind pending saves, so the export includes them.
            self._write(library.collections[0].root, f"the export to {path}", export, done)

        self.app.push_screen(ExportScreen(Path.cwd() / EXPORT_FILENAME), chosen)

    def action_document_notes(self) -> None:
        """Edit the current document's tags and note."""
        from ipreader.tui.screens.doc_notes import DocumentNotesEditor

        info = self.document
        if info is None or self.opening:
            return
        before = self.notes

        def edited(notes: DocumentNotes | None) -> None:
            if notes is None or self.document is None or self.document.path != info.path:
                return
            self.notes = notes
            self._tag_suggestions.update(notes.tags)
            self._set_stats(info)
            relpath = info.relpath
            path = info.path
            self._notes_unsaved[path] += 1

            def saved() -> None:
                self._notes_unsaved[path] -= 1

            self._write(
                info.root,
                "the document's tags and note",
                lambda store: store.set_document_notes(relpath, notes),
                saved,
            )

        self.app.push_screen(
            DocumentNotesEditor(
                info.title, before, sorted(self._tag_suggestions, key=str.casefold)
            ),
            edited,
        )
