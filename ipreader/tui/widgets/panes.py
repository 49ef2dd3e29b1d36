"""The three panes side by side: which are shown, and moving the focus between them.

``Panes`` holds the document list (``#documents``), the centre column with the
reading pane (``#reader``) and the annotation sidebar (``#annotations``). Below
``NARROW_WIDTH`` columns both side panes collapse; F2 and F3 show or hide
them, tab and shift+tab move the focus across the visible ones. Layout
states are CSS classes on the container: ``-narrow``, ``-hide-documents``,
``-hide-annotations``.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.reactive import reactive
from textual.widget import Widget

#: Below this many columns both side panes collapse (they can still be toggled).
NARROW_WIDTH = 100


class Panes(Horizontal):
    """The container of the document list, the reading column and the annotation sidebar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+b", "toggle_documents", "Show/hide document list", show=False),
        Binding("f3,ctrl+r", "toggle_annotations", "Show/hide annotations", show=False),
        Binding("ctrl+f", "filter", "Filter list", show=False),
        Binding("tab", "focus_pane(1)", "Next pane", show=False),
        Binding("shift+tab", "focus_pane(-1)", "Previous pane", show=False),
    ]

    show_documents: reactive[bool] = reactive(True)
    """Whether the document list is shown."""
    show_annotations: reactive[bool] = reactive(True)
    """Whether the annotation sidebar is shown."""
    narrow: reactive[bool | None] = reactive(None)
    """Whether the terminal is too narrow for three panes (None until laid out)."""

    def on_resize(self, event: Resize) -> None:
        self.narrow = event.size.width < NARROW_WIDTH

    def watch_narrow(self, narrow: bool | None) -> None:
        if narrow is not None:
            self.set_class(narrow, "-narrow")
            self.show_documents = self.show_annotations = not narrow

    def watch_show_documents(self, shown: bool) -> None:
        self._show("#documents", shown, "-hide-documents")

    def watch_show_annotations(self, shown: bool) -> None:
        self._show("#annotations", shown, "-hide-annotations")

    def _show(self, selector: str, shown: bool, hidden_class: str) -> None:
        self.set_class(not shown, hidden_class)
        if not shown and self.focus_within(selector):
            self.query_one("#reader").focus()

    def focus_within(self, selector: str) -> bool:
        """True when the focused widget is (inside) the pane matching ``selector``."""
        focused, found = self.screen.focused, self.query(selector)
        return focused is not None and bool(found) and found.first() in focused.ancestors_with_self

    def _focus_targets(self) -> list[Widget]:
        """The widgets tab moves between: each visible pane's list, or the reading pane."""
        targets: list[Widget] = [self.query_one("#reader")]
        if self.show_documents:
            targets.insert(0, self.query_one("#document-options"))
        if self.show_annotations:
            targets.append(self.query_one("#annotation-options"))
        return targets

    def action_focus_pane(self, step: int) -> None:
        """Move the focus to the next (``step=1``) or previous (``-1``) visible pane."""
        targets = self._focus_targets()
        focused = self.screen.focused
        index = -1 if step > 0 else 0
        for number, target in enumerate(targets):
            if focused is not None and (focused is target or target.parent in focused.ancestors):
                index = number
                break
        targets[(index + step) % len(targets)].focus()

    def action_toggle_documents(self) -> None:
        """Show or hide the document list (its list takes the focus when shown)."""
        self.show_documents = not self.show_documents
        if self.show_documents:
            self.query_one("#document-options").focus()

    def action_toggle_annotations(self) -> None:
        """Show or hide the annotation sidebar (its list takes the focus when shown)."""
        self.show_annotations = not self.show_annotations
        if self.show_annotations:
            self.query_one("#annotation-options").focus()

    def action_filter(self) -> None:
        """Show the document list and focus its filter."""
        self.show_documents = True
        self.query_one("#document-filter").focus()
