"""Helpers that make user text safe and compact to show in one-line widgets.

Every character a terminal could act on (C0, DEL, C1, BiDi controls, line and
paragraph separators, lone surrogates) is replaced by the placeholders of
:func:`ipreader.core.safe_text.printable`, the one table shared with the CLI,
the exports and the reading pane.
"""

from __future__ import annotations

from ipreader.core.safe_text import printable
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
