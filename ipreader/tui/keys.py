"""Key bindings as shown to the user: help rows and command-palette entries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.widget import Widget

#: The help screen's rows after the bindings: keys every screen has, and the filter words.
EXTRA_HELP_ROWS: tuple[tuple[str, str], ...] = (
    ("", "Anywhere"),
    ("ctrl+p", "Command palette (every action, theme)"),
    ("ctrl+q", "Quit"),
    ("", "Filters (document list ctrl+f, highlights h)"),
    ("words", "in the title, path, quote, note or tags (any case)"),
    ("tag:x", "a document's or a highlight's tag x, or a child x/…"),
    ("color:x", "the highlight colour (highlights view)"),
    ("status:x", "moved, approximate, notfound, missing (highlights view)"),
    ("has:note, by:x", "a note; made by x (highlights view)"),
)


def binding_rows(app: App[object], bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """Return ``(keys, description)`` rows; aliases sharing a description share a row."""
    rows: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for binding in Binding.make_bindings(bindings):
        if not binding.description:
            continue
        key = binding.key_display or app.get_key_display(binding)
        if binding.description in seen:
            index = seen[binding.description]
            rows[index] = (f"{rows[index][0]}, {key}", binding.description)
            continue
        seen[binding.description] = len(rows)
        rows.append((key, binding.description))
    return rows


def help_rows(
    app: App[object], groups: Sequence[tuple[str, Iterable[BindingType]]]
) -> list[tuple[str, str]]:
    """Return the help screen's rows: a heading row ``("", title)`` then each group's keys."""
    rows: list[tuple[str, str]] = []
    for title, bindings in groups:
        rows.append(("", title))
        rows.extend(binding_rows(app, bindings))
    return rows


def system_commands(
    node: Widget, bindings: Iterable[BindingType], skip: Iterable[str] = ()
) -> Iterable[SystemCommand]:
    """Yield a command-palette entry running each described binding's action on ``node``."""
    skipped = set(skip)
    for binding in Binding.make_bindings(bindings):
        if binding.action in skipped or not binding.description:
            continue
        skipped.add(binding.action)
        key = node.app.get_key_display(binding)
        yield SystemCommand(
            binding.description, f"Key: {key}", partial(node.run_action, binding.action)
        )
