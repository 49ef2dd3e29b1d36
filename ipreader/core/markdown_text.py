"""Plain text inside Markdown: escape only what CommonMark would interpret there.

Quotes and notes are prose; a digest stays pleasant to read raw only if
``1.4 million`` stays ``1.4 million`` and ``snake_case`` stays ``snake_case``.
So a character is escaped only where CommonMark would give it a meaning:

* anywhere: ``\\`` before punctuation or at the end of a line, every backtick
  and ``[``, ``*`` and ``_`` that could open or close emphasis (not between
  two spaces; ``_`` not inside a word), ``<`` that could start a tag or an
  autolink, ``&`` that would start a character reference;
* at the start of a line: heading ``#``, block quote ``>``, list markers
  (``-``, ``+``, ``*``, ``1.``, ``1)``), thematic breaks and setext underlines
  (``---``, ``===``, ``___``) and ``~~~`` fences;
* leading and trailing blanks are dropped (CommonMark drops them from a
  paragraph anyway; kept, four leading spaces would start a code block and two
  trailing spaces a line break).

``escape_cell`` also escapes ``|`` and joins lines, for GitHub-style tables.
Every terminal control is shown as a visible symbol (``safe_text.printable``):
a digest is read with ``cat`` as often as rendered.
"""

from __future__ import annotations

import re

from ipreader.core.safe_text import printable

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

_MARKER_STARTS = frozenset("#>~-+*=_0123456789")
_CANDIDATES = re.compile(r"[\\`\[*_<&]")
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_BULLET = re.compile(r"[-+*](?:[ \t]|$)")
_ORDERED = re.compile(r"([0-9]{1,9})([.)])(?=[ \t]|$)")
_BREAK_OR_UNDERLINE = re.compile(r"([-=_])[-=_ \t]*$")


def _is_blank(char: str) -> bool:
    """True for the characters that count as whitespace around a delimiter (or no character)."""
    return char == "" or char.isspace()


def _escape_inline(line: str) -> str:
    """Escape the characters of ``line`` that CommonMark would read as inline markup."""

    def escaped(match: re.Match[str]) -> str:
        char, index = match.group(), match.start()
        before = line[index - 1] if index else ""
        after = line[index + 1 : index + 2]
        if char == "\\":
            special = after == "" or after in _ASCII_PUNCTUATION
        elif char in "`[":
            special = True
        elif char == "*":
            special = not (_is_blank(before) and _is_blank(after))
        elif char == "_":
            within_word = before.isalnum() and after.isalnum()
            special = not (within_word or (_is_blank(before) and _is_blank(after)))
        elif char == "<":
            special = after.isalpha() or after in ("/", "!", "?")
        else:  # "&"
            special = _REFERENCE.match(line, index) is not None
        return "\\" + char if special else char

    # Only the few candidate characters are looked at: most prose has none.
    return _CANDIDATES.sub(escaped, line)


def _escape_line_start(line: str) -> str:
    """Escape a block-level marker at the start of ``line`` (already stripped, inline-escaped)."""
    if line[:1] not in _MARKER_STARTS:
        return line  # most lines: no block marker can start here
    if line.startswith(">") or _HEADING.match(line) or line.startswith("~~~"):
        return "\\" + line
    if _BREAK_OR_UNDERLINE.match(line) or _BULLET.match(line):
        return line if line.startswith("\\") else "\\" + line
    ordered = _ORDERED.match(line)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{line[ordered.end() :]}"
    return line


def escape_line(line: str) -> str:
    """Return one line of plain text as Markdown that renders as exactly that text.

    Terminal controls in it are shown as visible symbols.
    """
    return _escape_line_start(_escape_inline(printable(line.strip(" \t"))))


def escape_text(text: str) -> list[str]:
    """Return the lines of ``text`` escaped with ``escape_line`` (newlines split lines)."""
    return [escape_line(line) for line in text.split("\n")]


def escape_cell(text: str) -> str:
    """Return ``text`` for a cell of a GitHub-style table: one line, ``|`` escaped."""
    return escape_line(" ".join(text.split())).replace("|", "\\|")
