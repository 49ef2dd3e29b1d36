"""The three panes side by side: which are shown, and moving the focus between them.

``Panes`` holds the document list (``#documents``), the centre column with the
reading pane (``#reader``) and the annotation sidebar (``#annotations``).

* Wide (``NARROW_WIDTH`` columns or more): the three side by side; F2 and F3
  show or hide the side panes.
* Narrow: one pane at a time, full width: the one holding the focus. F2 shows
  the list (again: back to the article), F3 the annotations, tab the next pane;
  opening an article shows it.

Layout states are CSS classes on the container: ``-narrow``, ``-solo-<pane>``
(narrow), ``-hide-documents``, ``-hide-annotations`` (wide); the pane holding
the focus has the class ``-focused`` (its header is marked).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import DescendantBlur, DescendantFocus, Resize
from textual.reactive import reactive
from textual.widget import Widget

#: Below this many columns the panes are shown one at a time.
NARROW_WIDTH = 100

#: The panes by id, left to right, and what takes the focus in each.
PANES: dict[str, str] = {
    "documents": "#document-options",
    "centre": "#reader",
    "annotations": "#annotation-options",
}


class Panes(Horizontal):
    """The container of the document list, the reading column and the annotation sidebar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+b", "toggle_documents", "List"),
        Binding("f3,ctrl+r", "toggle_annotations", "Notes"),
        Binding("ctrl+f", "filter", "Filter list", show=False),
        Binding("tab", "focus_pane(1)", "Next pane", show=False),
        Binding("shift+tab", "focus_pane(-1)", "Previous pane", show=False),
    ]

    show_documents: reactive[bool] = reactive(True)
    """Whether the document list is shown (wide layout)."""
    show_annotations: reactive[bool] = reactive(True)
    """Whether the annotation sidebar is shown (wide layout)."""
    narrow: reactive[bool] = reactive(False)
    """Whether the panes are shown one at a time."""
    solo: reactive[str] = reactive("centre")
    """The pane shown in the narrow layout: ``documents``, ``centre`` or ``annotations``."""

    def on_mount(self) -> None:
        # Known before the first layout, so a narrow terminal never lays out three panes.
        self.narrow = self.app.size.width < NARROW_WIDTH

    def on_resize(self, event: Resize) -> None:
        self.narrow = event.size.width < NARROW_WIDTH

    def watch_narrow(self, narrow: bool) -> None:
        self.set_class(narrow, "-narrow")
        # With nothing focused (on mount, before AUTO_FOCUS) the marks are left as
        # composed: clearing the reader's column's, to set it again at once, would
        # restyle the column twice before the first paint.
        if self.screen.focused is not None:
            self._follow_focus()

    def watch_solo(self, old: str, new: str) -> None:
        # Called on mount with old == new: removing then adding the class would
        # restyle every widget of the screen twice before the first paint.
        if old != new:
            self.set_class(False, f"-solo-{old}")
        self.set_class(True, f"-solo-{new}")

    def __init__(self, *, id: str | None = None) -> None:
        # The solo class is there from the start: in the narrow layout the panes
        # without it are hidden, and a hidden focused widget would lose the focus.
        super().__init__(id=id, classes="-solo-centre")

    def watch_show_documents(self, shown: bool) -> None:
        self._hide("documents", not shown)

    def watch_show_annotations(self, shown: bool) -> None:
        self._hide("annotations", not shown)

    def _hide(self, pane: str, hidden: bool) -> None:
        self.set_class(hidden, f"-hide-{pane}")
        if hidden and self.focus_within(f"#{pane}"):
            self.query_one("#reader").focus()

    # ------------------------------------------------------------------ focus

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._follow_focus()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self._follow_focus()

    def _pane_of_focus(self) -> str | None:
        focused = self.screen.focused
        for pane in PANES:
            if focused is not None and self.query_one(f"#{pane}") in focused.ancestors_with_self:
                return pane
        return None

    def _follow_focus(self) -> None:
        """Mark the pane holding the focus; in the narrow layout, show it alone."""
        holding = self._pane_of_focus()
        for pane in PANES:
            self.query_one(f"#{pane}").set_class(pane == holding, "-focused")
        focused = self.screen.focused
        if self.narrow and holding is not None and holding != self.solo and focused is not None:
            self.solo = holding
            # Showing this pane hides the one shown before; its widgets' Hide events may
            # still be queued and would blur a widget focused in between: keep the focus.
            self.call_after_refresh(self._keep_focus, focused)

    def _keep_focus(self, widget: Widget) -> None:
        if self.screen.focused is not widget and widget.is_attached:
            widget.focus()

    def focus_within(self, selector: str) -> bool:
        """True when the focused widget is (inside) the pane matching ``selector``."""
        focused, found = self.screen.focused, self.query(selector)
        return focused is not None and bool(found) and found.first() in focused.ancestors_with_self

    def show(self, pane: str) -> None:
        """Show ``pane`` (``documents``, ``centre``, ``annotations``) and focus it."""
        if pane == "documents":
            self.show_documents = True
        elif pane == "annotations":
            self.show_annotations = True
        self.query_one(PANES[pane]).focus()

    def _visible(self) -> list[str]:
        if self.narrow:
            return list(PANES)
        return [
            pane
            for pane in PANES
            if (pane != "documents" or self.show_documents)
            and (pane != "annotations" or self.show_annotations)
        ]

    def action_focus_pane(self, step: int) -> None:
        """Move the focus to the next (``step=1``) or previous (``-1``) pane."""
        visible = self._visible()
        holding = self._pane_of_focus()
        index = visible.index(holding) if holding in visible else (-1 if step > 0 else 0)
        self.query_one(PANES[visible[(index + step) % len(visible)]]).focus()

    def _toggle(self, pane: str) -> None:
        if self.narrow:
            self.show("centre" if self.solo == pane else pane)
            return
        shown = not (self.show_documents if pane == "documents" else self.show_annotations)
        if shown:
            self.show(pane)
        elif pane == "documents":
            self.show_documents = False
        else:
            self.show_annotations = False

    def action_toggle_documents(self) -> None:
        """Show the document list (narrow: alone; again: back to the article) or hide it."""
        self._toggle("documents")

    def action_toggle_annotations(self) -> None:
        """Show the annotations (narrow: alone; again: back to the article) or hide them."""
        self._toggle("annotations")

    async def action_filter(self) -> None:
        """Show the document list and focus its filter."""
        from ipreader.tui.widgets.document_list import DocumentList

        self.show_documents = True
        await self.query_one("#documents", DocumentList).focus_filter()
