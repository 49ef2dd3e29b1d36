"""Find text: in one document (smart case) and lazily across many documents."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ipreader.core.documents import DocumentInfo, read_document
from ipreader.core.errors import DocumentError

#: Characters of context shown on each side of a corpus match.
CONTEXT_CHARS = 40

_SPACES = re.compile(r"\s+")
_SPACE = re.compile(r"\s")
_NON_SPACE = re.compile(r"\S")


class _Fold(dict[int, int]):
    """``str.translate`` table lower-casing one code point to exactly one code point.

    Characters whose lower case is longer (``İ`` -> ``i̇``) stay as they are,
    so offsets into the folded text are offsets into the original.
    """

    def __missing__(self, code: int) -> int:
        lower = chr(code).lower()
        folded = ord(lower) if len(lower) == 1 else code
        self[code] = folded
        return folded


_FOLD = _Fold()


def fold_case(text: str) -> str:
    """Return ``text`` lower-cased character by character (same length, same offsets)."""
    lowered = text.lower()
    # str.lower is per character except for expansions (length changes) and
    # the final-sigma rule (only for capital sigma); both are rare.
    if len(lowered) == len(text) and "\u03a3" not in text:
        return lowered
    return text.translate(_FOLD)


def is_case_sensitive(query: str) -> bool:
    """Smart case: a query with an upper-case letter is matched case-sensitively."""
    return any(ch.isupper() for ch in query)


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` of every non-overlapping match of ``query``, in order.

    Smart case: case-insensitive unless ``query`` contains an upper-case
    letter. Whitespace in the query matches any run of whitespace, line breaks
    included (a hard-wrapped paragraph breaks lines anywhere). An empty query
    matches nothing.
    """
    words = query.split()
    if not words:
        return []
    if not is_case_sensitive(query):
        text = fold_case(text)
        words = [fold_case(word) for word in words]
    if len(words) > 1:
        pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
        return [match.span() for match in pattern.finditer(text)]
    query = words[0]
    matches: list[tuple[int, int]] = []
    size = len(query)
    start = text.find(query)
    while start >= 0:
        matches.append((start, start + size))
        start = text.find(query, start + size)
    return matches


@dataclass(frozen=True)
class CorpusMatch:
    """One match of a corpus search."""

    document: DocumentInfo
    """The document the match is in."""
    start: int
    """First code point of the match in the document's text."""
    end: int
    """One past the last code point of the match."""
    context: str
    """The match with up to ``2 * CONTEXT_CHARS`` characters around it (``context_of``),
    whitespace collapsed, cut at word edges (``…`` where the text goes on)."""


def context_of(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """Return ``text[start:end]`` with up to ``width`` characters each side, whitespace
    collapsed; cut at a word's edge where one is within reach, ``…`` where cut.

    What one side cannot use (a match near the text's start or end) goes to the
    other: a match in an article's first words is shown with ``2 * width`` after it.
    """
    spare_before = max(0, width - start)
    spare_after = max(0, width - (len(text) - end))
    left = max(0, start - width - spare_after)
    right = min(len(text), end + width + spare_before)
    if left > 0 and not text[left - 1].isspace():
        # Mid-word: from the next space on, when there is one before the match.
        space = _SPACE.search(text, left, start)
        if space is not None:
            left = space.end()
    if right < len(text) and not text[right].isspace():
        spaces = [m.start() for m in _SPACE.finditer(text, end, right)]
        if spaces:
            right = spaces[-1]
    snippet = _SPACES.sub(" ", text[left:right]).strip()
    # "…" says text was left out: not for blank lines or spaces alone (each search
    # stops at the first character that is not a space: at once in running text).
    cut_before = _NON_SPACE.search(text, 0, left) is not None
    cut_after = _NON_SPACE.search(text, right) is not None
    return ("…" if cut_before else "") + snippet + ("…" if cut_after else "")


def find_in_documents(
    docs: Iterable[DocumentInfo], query: str, limit: int = 500
) -> Iterator[CorpusMatch]:
    """Yield matches of ``query`` across ``docs`` as each document is read, at most ``limit``.

    Unreadable documents (listed with an error, or failing to read now) are
    skipped. Being a generator, the first results arrive before the last
    documents are read, and stopping early reads no more files.
    """
    if not query or limit <= 0:
        return
    found = 0
    for doc in docs:
        if not doc.readable:
            continue
        try:
            text = read_document(doc.path).text
        except DocumentError:
            continue
        for start, end in find_all(text, query):
            yield CorpusMatch(doc, start, end, context_of(text, start, end))
            found += 1
            if found >= limit:
                return
