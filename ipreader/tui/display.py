"""Helpers that make user text safe and compact to show in one-line widgets.

Every character a terminal could act on (C0, DEL, C1, BiDi controls, line and
paragraph separators, lone surrogates) is replaced by the placeholders of
:func:`ipreader.core.safe_text.printable`, the one table shared with the CLI,
the exports and the reading pane.
"""

from __future__ import annotations

from ipreader.core.safe_text import PRINTABLE_TABLE, printable
from ipreader.core.wording import excerpt


def visible(text: str) -> str:
    """Return ``text`` with every terminal control replaced by a visible symbol.

    Newlines are kept as line breaks; a tab becomes spaces.
    """
    return printable(text, multiline=True)


def one_line(text: str, limit: int) -> str:
    """Return ``text`` on one line (whitespace collapsed), cut at a word to ``limit`` characters.

    A cut text ends with "…" (see ``core.wording.excerpt``).
    """
    return printable(excerpt(text, limit))


# What an input field may show: every terminal control made visible, but tabs and
# newlines kept (a TextArea draws them itself).
_EDITABLE_TABLE = {code: glyph for code, glyph in PRINTABLE_TABLE.items() if code not in (9, 10)}


def editable(text: str) -> str:
    """Return ``text`` as an input field may show it: controls visible, tabs and newlines kept.

    A field filled with ``editable(value)`` and saved unchanged must save
    ``value`` itself (see ``NotesFormScreen``): the placeholders are for the
    screen only.
    """
    return text.translate(_EDITABLE_TABLE)
