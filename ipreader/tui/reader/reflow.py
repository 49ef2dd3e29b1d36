"""Paragraphs of hard-wrapped text: which line breaks are joined for display (Textual-free).

A text wrapped at ~70 columns (a Project Gutenberg book, an e-mail) shown in a
pane of another width looks like a ragged comb. Reflowed, the line breaks
*inside* a paragraph are shown as spaces and the paragraph is soft-wrapped to
the pane (:class:`ipreader.tui.reader.wrap.WrapIndex` with ``reflow``); the text
is never altered, so offsets stay code points into the original text.

A line break is joined (:meth:`Reflow.joins`) when the line above ended
*because of the wrap width*: its next word would not have fitted on it (the
greedy wrapper's own rule, with some tolerance). Blank lines, indented lines,
list items, Markdown headings, quotes and tables, and short lines (headings,
verse, a paragraph's last line) are kept as they are.

:func:`looks_hard_wrapped` decides the default from a bounded sample of lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

__all__ = [
    "Reflow",
    "hard_wrap_width",
    "looks_hard_wrapped",
]

SAMPLE_CHARS = 16_384
"""Characters read at each of :data:`SAMPLE_PLACES` places of a text by the detector."""

SAMPLE_PLACES = 4
"""Evenly spaced places (start, ..., near the end) the detector samples."""

MIN_SAMPLE_LINES = 12
"""Fewer non-blank lines than this in the sample: not judged hard-wrapped."""

WIDTHS = range(30, 121)
"""Wrap widths the detector recognises (a longer "width" is one line per paragraph)."""

FALLBACK_WIDTH = 72
"""The width assumed when reflow is asked for a text that does not look hard-wrapped."""

_KEPT = (
    r"[\s#>|]|```|~~~"  # blank, indented, a Markdown heading, quote, table or fence
    r"|(?:[-*+•‣◦–—]|\d{1,3}[.)]|[A-Za-z][.)]|\(\w{1,3}\))[ \t]"  # a list item
)
_NEXT_KEPT = re.compile(_KEPT)
"""Matches at the start of a line that is kept as it is (never joined to the one above)."""


@lru_cache(maxsize=8)
def _joinable(width: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Return the patterns of a line that may be joined to the next, for ``width``.

    A line (``line``) that is not blank, does not start a Markdown heading, quote
    or table, and is at most ``width + 1`` long, followed by a line that is not
    kept (``_KEPT``) — nor empty, as the text's last line may be — whose first
    word is ``word``. The first pattern starts at
    the newline before the line: a literal first character lets the engine jump
    from line to line (the bulk scan); the second starts at the line itself.
    """
    line = (
        rf"(?![#>|])(?=[^\n]*\S)(?P<line>[^\n]{{1,{width + 1}}}+)"
        rf"(?=\n(?!{_KEPT})(?P<word>\S+))"
    )
    return re.compile("\n" + line), re.compile(line)


def tolerance(width: int) -> int:
    """Return how much shorter than ``width`` a wrapped line may be (uneven wrappers)."""
    return max(3, width // 10)


@dataclass(frozen=True, slots=True)
class Reflow:
    """How a text's hard-wrapped paragraphs are joined: the width it was wrapped at."""

    width: int
    """The column the text was wrapped at (see :func:`hard_wrap_width`)."""

    @classmethod
    def for_text(cls, text: str) -> Reflow:
        """Return the reflow of ``text``: its detected wrap width, else :data:`FALLBACK_WIDTH`."""
        return cls(hard_wrap_width(text) or FALLBACK_WIDTH)

    def joins(self, text: str, newline: int) -> bool:
        """True when the newline at ``newline`` is inside a paragraph (shown as a space)."""
        start = text.rfind("\n", 0, newline) + 1
        match = _joinable(self.width)[1].match(text, start)
        # The line broke because of the width: its next word would not have fitted.
        # (A shorter line is a heading, verse, a paragraph's last line.)
        shortest = self.width - tolerance(self.width)
        return (
            match is not None
            and match.end("line") == newline
            and match.end("word") - start > shortest
        )

    def joined_newlines(self, text: str, low: int, high: int) -> list[int]:
        """Return the joined newlines ending the lines that start in ``[low, high)``.

        ``low`` and ``high`` are line starts (or the text's end). The same rule as
        :meth:`joins`, run by one regular expression scan: 2x faster than a call
        per line on a 20 MB book.
        """
        found: list[int] = []
        if low == 0:
            first = text.find("\n", 0, high)
            if first < 0:
                return found
            if self.joins(text, first):
                found.append(first)
            low = first + 1
        # The line below the last one counts (its start, its first word): scan it too.
        after = text.find("\n", high)
        end = len(text) if after < 0 else after + 1
        shortest = self.width - tolerance(self.width)
        for match in _joinable(self.width)[0].finditer(text, low - 1, end):
            if match.start() >= high - 1:
                break
            if match.end("word") - match.start("line") > shortest:
                found.append(match.end("line"))
        return found


def _sampled_lines(text: str) -> list[tuple[int, str]]:
    """Return ``(length, next word)`` of sampled non-blank lines followed by a line.

    The next word is empty when the next line is blank or starts a kept line.
    """
    size = len(text)
    places = [size * n // SAMPLE_PLACES for n in range(SAMPLE_PLACES)] if size else []
    pairs: list[tuple[int, str]] = []
    end = 0
    for place in places:
        start = max(text.find("\n", place) + 1 if place else 0, end)
        end = min(size, start + SAMPLE_CHARS)
        lines = text[start:end].split("\n")[:-1]  # the last one may be cut
        for line, following in pairwise(lines):
            if line.strip():
                kept = not following or _NEXT_KEPT.match(following) is not None
                pairs.append((len(line), "" if kept else following.split(None, 1)[0]))
    return pairs


def hard_wrap_width(text: str) -> int | None:
    """Return the column ``text`` is hard-wrapped at, or None if it does not look wrapped.

    Reads a bounded sample (:data:`SAMPLE_PLACES` x :data:`SAMPLE_CHARS`). The
    width is the 98th percentile of the sampled line lengths; the text counts as
    hard-wrapped when that is a plausible width (:data:`WIDTHS`), almost no line
    is longer, most lines followed by a non-blank line were broken by the width
    (their next word would not have fitted), and the next lines often go on in
    lower case (mid-sentence: verse starts its lines with capitals).
    """
    pairs = _sampled_lines(text)
    if len(pairs) < MIN_SAMPLE_LINES:
        return None
    lengths = sorted(length for length, _ in pairs)
    width = lengths[min(len(lengths) - 1, len(lengths) * 98 // 100)]
    if width not in WIDTHS:
        return None
    longer = len(lengths) - bisect_left(lengths, width + 3)
    if longer > len(lengths) // 50:
        return None
    followed = [(length, word) for length, word in pairs if word]
    broken = sum(length + 1 + len(word) > width - tolerance(width) for length, word in followed)
    # Wrapped prose: many lines go on on the next line (a third: paragraphs of two
    # or three lines), and most of those were broken by the width.
    if len(followed) * 3 < len(pairs) or broken * 4 < len(followed) * 3:
        return None
    cased = [word[0].islower() for _, word in followed if word[0].isupper() or word[0].islower()]
    if cased and sum(cased) * 10 < len(cased) * 3:
        return None  # fewer than 30 % go on in lower case: verse, a list of titles
    return width


def looks_hard_wrapped(text: str) -> bool:
    """True when ``text`` looks hard-wrapped (reflow on by default); a bounded sample."""
    return hard_wrap_width(text) is not None
