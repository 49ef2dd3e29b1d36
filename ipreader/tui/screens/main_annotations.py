"""The main screen's annotation actions: highlight, edit, delete, undo, step, copy.

The current document's annotations are changed in the app's view at once and
their writes queued (``MainScreenBase._write``); ``u`` undoes through an
``UndoStack`` of ``Change``s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on

from ipreader.core.model import Annotation
from ipreader.tui.reader.pane import HighlightSpan, ReadingPane
from ipreader.tui.screens.main_base import MainScreenBase
from ipreader.tui.session import Session, replace_annotation
from ipreader.tui.undo import Change, UndoStack
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar, split_annotations

if TYPE_CHECKING:
    from ipreader.core.store import FolderStore


class AnnotationActions(MainScreenBase):
    """The main screen's part for ``a``, ``e``, ``d``, ``u``, ``]``, ``[`` and ``c``."""

    def __init__(self, session: Session) -> None:
        """Create the part over ``session``, with nothing to undo."""
        super().__init__(session)
        self.undo_stack = UndoStack()
        """Changes ``u`` can undo."""

    @staticmethod
    def _spans(annotations: Iterable[Annotation]) -> list[HighlightSpan]:
        return [
            HighlightSpan(a.id, a.start, a.end, a.color)
            for a in sorted(annotations, key=lambda a: (a.start, a.end))
            if a.is_anchored
        ]

    def watch_annotations(self, annotations: tuple[Annotation, ...]) -> None:
        if not self.opening:
            self.reader.set_highlights(self._spans(annotations))

    def choose_annotation(self, annotation_id: str) -> None:
        """Make ``annotation_id`` current and scroll the reading pane to it."""
        annotation = self._annotation(annotation_id)
        if annotation is None:
            return
        self.current_annotation = annotation.id
        if annotation.is_anchored:
            self.reader.move_cursor(annotation.start)
            self.reader.scroll_to_offset(annotation.start)

    @on(AnnotationSidebar.Chosen)
    def _annotation_chosen(self, event: AnnotationSidebar.Chosen) -> None:
        self.choose_annotation(event.annotation_id)

    @on(AnnotationSidebar.EditRequested)
    def _annotation_edit_requested(self, event: AnnotationSidebar.EditRequested) -> None:
        self.choose_annotation(event.annotation_id)
        self._edit(event.annotation_id)

    @on(ReadingPane.CursorMoved)
    def _cursor_moved(self, event: ReadingPane.CursorMoved) -> None:
        under = self.reader.highlight_at(event.offset)
        if under is not None:
            self.current_annotation = under

    def _replace_local(self, before: Annotation | None, after: Annotation | None) -> None:
        """Apply a change to the app's view of the current document's annotations."""
        self.annotations = replace_annotation(self.annotations, before, after)
        if self.document is not None:
            self._set_stats(self.document)

    def _apply_change(self, change: Change, *, record: bool) -> None:
        """Show ``change`` at once and queue its write (``record``: undoable)."""
        info = self.document
        target = change.annotation
        if record:
            self.undo_stack.push(change)
        is_current = (
            info is not None and info.root == change.root and info.relpath == target.document
        )
        if is_current:
            self._replace_local(change.before, change.after)
            self._pending[target.id] = change.after
        after = change.after
        if after is None:
            what = "the deletion of a highlight"

            def op(store: FolderStore) -> None:
                store.delete_annotation(target.document, target.id)
        else:
            what = "a highlight"

            def op(store: FolderStore) -> None:
                store.save_annotation(after)

        def done() -> None:
            # A failed write leaves its edit pending: later reloads keep showing it.
            if self._pending.get(target.id, False) is after:
                del self._pending[target.id]

        self._write(change.root, what, op, done)

    def action_annotate(self) -> None:
        """Highlight the selection (it becomes the current annotation)."""
        info = self.document
        selection = self.reader.selection
        if info is None or self.opening or not self.text:
            self.notify("Open an article first.", severity="warning")
            return
        if selection is None or selection[0] == selection[1]:
            self.notify(
                "Select text first: shift+arrows, v then arrows, or drag with the mouse.",
                title="Nothing selected",
                severity="warning",
            )
            return
        start, end = sorted(selection)
        annotation = Annotation.create(self.text, start, end, info.relpath)
        self._apply_change(Change(info.root, None, annotation), record=True)
        self.reader.clear_selection()
        self.current_annotation = annotation.id

    def _target_annotation(self) -> Annotation | None:
        under = self.reader.highlight_at(self.reader.cursor) if self.text else None
        return self._annotation(under) or self._annotation(self.current_annotation)

    def action_edit(self) -> None:
        """Edit the highlight under the cursor, or the current one."""
        annotation = self._target_annotation()
        if annotation is None:
            self.notify("No highlight here: move onto one, or choose one with ] or [.")
            return
        self.current_annotation = annotation.id
        self._edit(annotation.id)

    def _edit(self, annotation_id: str) -> None:
        from ipreader.tui.screens.editor import AnnotationEditor, EditorResult

        annotation = self._annotation(annotation_id)
        info = self.document
        if annotation is None or info is None:
            return
        root = info.root

        def edited(result: EditorResult | None) -> None:
            latest = self._annotation(annotation_id)
            if result is None or latest is None:
                return
            after = latest.edited(note=result.note, tags=result.tags, color=result.color)
            self._tag_suggestions.update(after.tags)
            self._apply_change(Change(root, latest, after), record=True)

        self.app.push_screen(
            AnnotationEditor(annotation, sorted(self._tag_suggestions, key=str.casefold)), edited
        )

    def action_delete(self) -> None:
        """Delete the highlight under the cursor, or the current one (``u`` restores it)."""
        annotation = self._target_annotation()
        info = self.document
        if annotation is None or info is None:
            self.notify("No highlight here: move onto one, or choose one with ] or [.")
            return
        self._apply_change(Change(info.root, annotation, None), record=True)
        if self.current_annotation == annotation.id:
            self.current_annotation = None
        self.notify("Highlight deleted (u to undo).")

    def action_undo(self) -> None:
        """Undo the last create, edit or delete."""
        change = self.undo_stack.pop()
        if change is None:
            self.notify("Nothing to undo.")
            return
        self._apply_change(change.inverse(), record=False)
        restored = change.before
        info = self.document
        if (
            restored is not None
            and info is not None
            and info.relpath == restored.document
            and info.root == change.root
        ):
            self.choose_annotation(restored.id)
        elif restored is None and self.current_annotation == change.annotation.id:
            self.current_annotation = None
        undone = {"create": "creation", "edit": "edit", "delete": "deletion"}[change.kind]
        self.notify(f"Undid the {undone} of “{change.annotation.quote[:40]}”.")

    def _step_highlight(self, step: int) -> None:
        anchored, _ = split_annotations(self.annotations)
        if not anchored:
            self.notify("No highlights in this article.")
            return
        ids = [a.id for a in anchored]
        if self.current_annotation in ids:
            index = (ids.index(self.current_annotation) + step) % len(ids)
        else:
            cursor = self.reader.cursor
            after = [i for i, a in enumerate(anchored) if a.start > cursor]
            before = [i for i, a in enumerate(anchored) if a.start < cursor]
            if step > 0:
                index = after[0] if after else 0
            else:
                index = before[-1] if before else len(ids) - 1
        self.choose_annotation(ids[index])

    def action_next_highlight(self) -> None:
        """Make the next highlight current (wrapping around)."""
        self._step_highlight(1)

    def action_previous_highlight(self) -> None:
        """Make the previous highlight current (wrapping around)."""
        self._step_highlight(-1)

    def action_copy(self) -> None:
        """Copy the selection, or the current highlight's quote, to the clipboard."""
        selection = self.reader.selection if self.text else None
        if selection is not None and selection[0] != selection[1]:
            start, end = sorted(selection)
            copied = self.text[start:end]
        else:
            annotation = self._annotation(self.current_annotation)
            if annotation is None:
                self.notify("Nothing to copy: select text or choose a highlight.")
                return
            copied = annotation.quote
        self.app.copy_to_clipboard(copied)
        self.notify(f"Copied {len(copied)} characters.")
