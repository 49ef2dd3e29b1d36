"""What the line-API lists share: ``OptionList``'s keys, look and mouse hover.

``DocumentRows`` (one line per article) and ``AnnotationRows`` (a few lines
per highlight) each draw only what is visible and keep what they rendered;
both look and move like Textual's ``OptionList`` (its component class names),
which they replaced where it measured and rendered every entry again.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class OptionRows(ScrollView, can_focus=True):
    """A scrolling list with ``OptionList``'s keys (less ``enter``), look and hover."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
    ]

    # OptionList's look, under the same component class names.
    DEFAULT_CSS = """
    OptionRows {
        color: $foreground;
        overflow-x: hidden;
        background: $surface;
        & > .option-list--option-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .option-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .option-list--separator {
            color: $foreground 15%;
        }
        & > .option-list--option-disabled {
            color: $text-disabled;
        }
        & > .option-list--option-hover {
            background: $block-hover-background;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "option-list--option",
        "option-list--option-disabled",
        "option-list--option-highlighted",
        "option-list--option-hover",
        "option-list--separator",
    }
    """
    | Class | Description |
    | :- | :- |
    | `option-list--option` | Every entry (its padding applies to all entries). |
    | `option-list--option-disabled` | Entries that cannot be chosen (headings, hints). |
    | `option-list--option-highlighted` | The highlighted entry. |
    | `option-list--option-hover` | The entry under the mouse. |
    | `option-list--separator` | The rules between entries. |
    """

    highlighted: reactive[int | None] = reactive(None)
    """The index of the highlighted entry, or ``None``."""
    hovered: reactive[int | None] = reactive(None)
    """The index of the entry under the mouse, or ``None``."""

    # The strip of an empty row (width, strip); None once the styles change.
    _blank: tuple[int, Strip] | None = None

    def blank_row(self, width: int) -> Strip:
        """An empty row under the entries, ``width`` cells wide.

        One strip for all of them until the styles change: a short list (an
        article without highlights) draws a pane of them in the first frame.
        """
        if self._blank is None or self._blank[0] != width:
            style = self.get_visual_style("option-list--option").rich_style
            self._blank = (width, Strip.blank(width, style))
        return self._blank[1]

    def notify_style_update(self) -> None:
        self._blank = None
        super().notify_style_update()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        row = event.style.meta.get("row")
        self.hovered = row if isinstance(row, int) else None

    def _on_leave(self, _: events.Leave) -> None:
        self.hovered = None
