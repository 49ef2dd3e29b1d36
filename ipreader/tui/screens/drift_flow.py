"""The main screen's handling of articles that change under it, and of reviews.

``DriftFlow`` carries out what happens when the open article changes on disk
(re-read, the view kept on the same text), goes away (the folder opened
again: renamed articles found, deleted ones listed as missing), when a save
meets a newer version (the conflict dialog) or a changed text (re-anchored and
saved again), and the review of doubtful highlights (``r``; the palette: every article). The
screen's message handlers and actions are one line calling the method of the
same name here; the decisions themselves are ``ReaderState``'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.documents import DocumentInfo
from ipreader.core.text_version import StaleTextError
from ipreader.tui.messages import DocumentChanged, DocumentGone, ReviewGathered, SaveFailed
from ipreader.tui.session import DocumentStats

if TYPE_CHECKING:
    from ipreader.core.review import ReviewDecision
    from ipreader.core.revisions import ConflictError
    from ipreader.tui.commands import RelinkDocument
    from ipreader.tui.screens.main import MainScreen


class DriftFlow:
    """Changed and vanished articles, save conflicts, and the review (module docstring)."""

    def __init__(self, screen: MainScreen) -> None:
        self._screen = screen
        self._review_at = 0  # where a review resumes after a decision was carried out

    # ------------------------------------------------------------------ the file

    def check_the_file(self) -> None:
        """Re-read the open article if its file changed on disk (a ``stat`` otherwise)."""
        screen = self._screen
        info, version = screen.state.document, screen.state.version
        if info is not None and version is not None and not screen.state.opening:
            screen.loader.watch(info, screen.state.serial, version)

    def file_changed(self, message: DocumentChanged) -> None:
        """Show the re-read article, the view on the same text, the cursor on the same word."""
        screen = self._screen
        state, reader = screen.state, screen.reader
        old_text = state.text
        top = reader.index.offset_at(round(reader.scroll_y), 0) if old_text else 0
        cursor = reader.cursor
        outcome = state.reload(message.serial, message.loaded)
        if outcome is None:
            return
        if state.text != old_text:
            from ipreader.core.review import follow

            new_text = state.text
            reader.load(new_text, state.spans(), follow(old_text, new_text, top))
            reader.move_cursor(follow(old_text, new_text, cursor))
            screen.show_position()
        screen.carry_out(outcome)

    def file_gone(self, message: DocumentGone) -> None:
        """Say the open article is gone; look for it again when nothing is unsaved."""
        screen = self._screen
        if not screen.state.file_gone(message.serial):
            return
        text = f"{message.error}. Its highlights are kept; nothing can be saved against it."
        if not screen.state.unsaved():
            # Open the folder again: a renamed article is found (and opened) under its new
            # name, a deleted one listed as missing.
            text += " Looking for it in the folder…"
            screen.session.forget_vanished_paths()
            screen.loader.open_library()
        screen.notify(text, title="Article gone", severity="warning", timeout=15)

    # ------------------------------------------------------------------ saves

    def save_failed(self, message: SaveFailed) -> None:
        """Resolve a conflict or a changed text; otherwise say the change is not saved."""
        screen = self._screen
        from ipreader.core.revisions import ConflictError
        from ipreader.tui.commands import SaveAnnotation

        command, error = message.command, message.error
        if isinstance(error, ConflictError):
            self.show_conflict(command.root, error)
            return
        if isinstance(error, StaleTextError) and isinstance(command, SaveAnnotation):
            screen.carry_out(screen.state.stale_save(command))
            screen.notify(
                "The article changed on disk before the highlight was saved: it is "
                "re-anchored on the new text and saved then.",
                title="Article changed",
                severity="warning",
            )
            return
        where = message.location or command.root
        screen.notify(
            f"Could not save {command.what} in {where}: {error}\n"
            "The change is kept in this session but is NOT saved.",
            title="Not saved",
            severity="error",
            timeout=15,
        )

    def show_conflict(self, where: Path | DocumentInfo | None, conflict: ConflictError) -> None:
        """Show both versions of a highlight changed elsewhere; save the one the user keeps."""
        from ipreader.tui.screens.conflict import ConflictScreen

        screen = self._screen
        folder = where.root if isinstance(where, DocumentInfo) else where
        if folder is None:
            return

        def chosen(choice: str | None) -> None:
            if choice is None:
                screen.notify("Your change is kept in this session, NOT saved.", severity="warning")
                return
            screen.carry_out(screen.state.resolve(folder, conflict, choice))

        screen.app.push_screen(ConflictScreen(conflict), chosen)

    def saved(self, command: object, result: object = None) -> None:
        """A write was done: a relinked article takes its new name in the list."""
        from ipreader.tui.commands import RelinkDocument

        if isinstance(command, RelinkDocument) and isinstance(result, DocumentStats):
            self._relinked(command, result)

    def _relinked(self, command: RelinkDocument, stats: DocumentStats) -> None:
        """A missing article was relinked: list the file it became (with ``stats``, read
        from the store: the list's counts may not be in yet), and open it if shown."""
        screen = self._screen
        gone = command.root / command.old
        screen.session.forget_missing(command.root, command.old)
        screen.documents = tuple(d for d in screen.documents if d.path != gone)
        new = next((d for d in screen.documents if d.path == command.root / command.new), None)
        screen.notify(f"Relinked {command.old} to {command.new}.", title="Relinked")
        if new is not None:
            screen.stats = {**screen.stats, new.path: stats}
            if screen.state.document is not None and screen.state.document.path == gone:
                screen.open_document(new)

    # ------------------------------------------------------------------ review

    def review(self, whole_library: bool = False) -> None:
        """Gather the open article's approximate and lost highlights (or the whole folder's)."""
        screen = self._screen
        if screen.library is None:
            screen.notify("The library is still opening.")
            return
        screen.loader.gather_review(None if whole_library else screen.state.document)

    def review_gathered(self, message: ReviewGathered) -> None:
        """Show the gathered highlights to review, one at a time."""
        from ipreader.tui.screens.review import ReviewScreen

        screen = self._screen
        if not message.items:
            if not message.whole_library:
                # Nothing here: the whole folder's, so r always leads somewhere.
                screen.notify("Nothing to review in this article; looking in every article.")
                screen.loader.gather_review(None)
                return
            screen.notify("Nothing to review in any article: every highlight is exact or moved.")
            return

        def decided(decision: ReviewDecision | None) -> None:
            if decision is not None and self._carry_out_review(decision):
                # Gathered again once written: the next item is shown where this one was.
                self._review_at = decision.index
                only = None if message.whole_library else screen.state.document
                screen.loader.gather_review(only)

        start, self._review_at = self._review_at, 0
        screen.app.push_screen(ReviewScreen(message.items, start), decided)

    def _carry_out_review(self, decision: ReviewDecision) -> bool:
        """Carry out a review decision; True when the review goes on."""
        from ipreader.core.review import HighlightReview

        screen = self._screen
        item, place = decision.item, decision.place
        if decision.action != "reselect" or not isinstance(item, HighlightReview):
            screen.carry_out(screen.state.decide(decision))
            return True
        # By hand: the user selects the text in the reading pane, then presses a.
        selection = None if place is None else (place.start, place.end)
        screen.open_document(item.info, selection=selection, cursor=item.annotation.start)
        screen.state.relinking = item.annotation
        screen.notify("Select the text this highlight should cover, then press a to relink it.")
        return False
