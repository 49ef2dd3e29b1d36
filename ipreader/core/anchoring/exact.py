"""The exact tiers: the quote verbatim, then the quote with its whitespace ignored.

Both tiers choose between repeats the same way: the occurrence whose
surroundings best match the stored prefix/suffix, then the one nearest the
old position. Every search runs in C (``str.find``/``count``, ``re``), and at
most ``MAX_EXACT_CANDIDATES`` occurrences are scored in Python.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from ipreader.core.anchoring.spans import context_score

#: Most occurrences scored individually; beyond that, only the ones nearest to
#: the old position are (a one-word quote in a book).
MAX_EXACT_CANDIDATES = 2_000

#: First radius of the outward search for the quote with its whole context; the
#: radius grows eightfold per round, so a quote that moved a little is found
#: after reading a little of the text, even in a 20 MB article.
NEAR_RADIUS = 4_096

#: Closeness to the old position breaks ties between repeats whose contexts
#: are equally similar; worth at most this many points of context score.
PROXIMITY_POINTS = 2.0

#: Words of a quote matched by pattern from its first word to the longest of
#: its first ``LOOSE_WORDS``, and from there on; the words of a longer quote
#: beyond those are compared as a list (a pattern of a whole long quote would
#: take seconds to compile).
LOOSE_WORDS = 32

#: How much longer than in the quote a stretch of its words may be in the text
#: (re-wrapping, indentation), as a factor, plus ``LOOSE_EXTRA`` characters.
LOOSE_STRETCH = 2
LOOSE_EXTRA = 64

#: Most characters the whitespace-insensitive tier reads to compare the words
#: of long quotes, all candidates together (periodic text has many).
LOOSE_BUDGET = 20_000_000


def nearest_occurrence(text: str, needle: str, hint: int) -> int | None:
    """Return the start of the occurrence of ``needle`` nearest to ``hint`` (earlier on a tie).

    Searches outwards from ``hint``, so the cost grows with the distance to
    the nearest occurrence, not with the text. ``None`` when there is none.
    """
    hint = min(max(hint, 0), len(text))
    radius = NEAR_RADIUS
    size = len(needle)
    while True:
        lo, hi = max(0, hint - radius), min(len(text), hint + radius + size)
        # The last start at or before the hint, and the first one after it.
        found = [
            at
            for at in (
                text.rfind(needle, lo, min(len(text), hint + size)),
                text.find(needle, hint + 1, hi),
            )
            if at != -1
        ]
        if found:
            return min(found, key=lambda at: (abs(at - hint), at))
        if lo == 0 and hi == len(text):
            return None
        radius *= 8


def occurrences(text: str, needle: str, hint: int | None) -> list[int]:
    """Return the starts of ``needle`` in ``text`` (overlapping ones too), in order.

    All of them, or when there are more than ``MAX_EXACT_CANDIDATES`` the ones
    nearest to ``hint`` (the first ones without a hint).
    """
    center = min(max(hint or 0, 0), len(text))
    size = len(needle)
    found: list[int] = []
    # Outwards from the hint: the last start before it, the first one at or after it.
    left = text.rfind(needle, 0, center - 1 + size)
    right = text.find(needle, center)
    while len(found) < MAX_EXACT_CANDIDATES and (left != -1 or right != -1):
        if right == -1 or (left != -1 and center - left <= right - center):
            found.append(left)
            left = text.rfind(needle, 0, left - 1 + size)
        else:
            found.append(right)
            right = text.find(needle, right + 1)
    return sorted(found)


def best_span(
    text: str, spans: list[tuple[int, int]], prefix: str, suffix: str, hint: int | None
) -> tuple[int, int] | None:
    """Return the span whose surroundings best match the context, then nearest to ``hint``."""
    if not spans:
        return None

    def rank(span: tuple[int, int]) -> tuple[float, int]:
        context = context_score(text, span[0], span[1], prefix, suffix) or 0.0
        near = 0.0 if hint is None else 1.0 - abs(span[0] - hint) / max(len(text), 1)
        # The earlier span wins a full tie (deterministic when there is no hint).
        return context + PROXIMITY_POINTS * near, -span[0]

    return max(spans, key=rank)


def find_verbatim(
    text: str, quote: str, prefix: str, suffix: str, hint: int | None
) -> tuple[int, int] | None:
    """Return the best occurrence of ``quote`` itself, or ``None``."""
    size = len(quote)
    if prefix or suffix:
        # The quote with its whole context beats any other occurrence; of
        # several, the nearest wins, so the search can stop at the nearest.
        full = nearest_occurrence(text, prefix + quote + suffix, (hint or 0) - len(prefix))
        if full is not None:
            return full + len(prefix), full + len(prefix) + size
    spans = [(at, at + size) for at in occurrences(text, quote, hint)]
    return best_span(text, spans, prefix, suffix, hint)


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...], anchored_end: bool = False) -> re.Pattern[str]:
    """Return the pattern of ``words`` separated by any run of whitespace.

    With ``anchored_end`` it ends with whitespace at the end of the searched
    stretch (``\\Z`` at the search's end position).
    """
    pattern = r"\s+".join(map(re.escape, words))
    return re.compile(pattern + r"\s+\Z" if anchored_end else pattern)


def find_loose(
    text: str, quote: str, prefix: str, suffix: str, hint: int | None
) -> tuple[int, int] | None:
    """Return the best occurrence of ``quote``'s words separated by any whitespace, or ``None``.

    The span runs from the first character of the first word to the last of
    the last word, so a re-wrapped paragraph is found on the right characters.
    """
    words = tuple(quote.split())
    if len(words) < 2:
        return None  # a single word has no inner whitespace to differ in
    # Search for the longest of the first words in C, then match around it.
    pivot = max(range(min(len(words), LOOSE_WORDS)), key=lambda i: len(words[i]))
    before = _pattern(words[:pivot], anchored_end=True) if pivot else None
    after = _pattern(words[pivot : pivot + LOOSE_WORDS])
    rest = words[pivot + LOOSE_WORDS :]
    reach = LOOSE_STRETCH * (sum(map(len, words[:pivot])) + pivot) + LOOSE_EXTRA
    budget = LOOSE_BUDGET
    spans = []
    for at in occurrences(text, words[pivot], hint):
        tail = after.match(text, at)
        if tail is None:
            continue
        start = at
        if before is not None:
            head = before.search(text, max(0, at - reach), at)
            if head is None:
                continue
            start = head.start()
        end: int | None = tail.end()
        if rest:
            if budget <= 0:
                break
            budget -= LOOSE_STRETCH * len(quote)
            end = _words_end(text, tail.end(), rest)
        if end is not None:
            spans.append((start, end))
    return best_span(text, spans, prefix, suffix, hint)


def _words_end(text: str, at: int, words: tuple[str, ...]) -> int | None:
    """Return where ``words`` end when they follow ``at`` after whitespace; else ``None``.

    As in a pattern, the last word may be the start of a longer one.
    """
    stretch = text[at : at + LOOSE_STRETCH * (sum(map(len, words)) + len(words)) + LOOSE_EXTRA]
    if tuple(stretch.split()[: len(words) - 1]) != words[:-1]:
        return None
    found = re.match(rf"(?:\s+\S+){{{len(words) - 1}}}\s+{re.escape(words[-1])}", stretch)
    return None if found is None else at + found.end()


#: A run of whitespace (each is one space in the collapsed text ``find_collapsed`` searches).
_SPACES = re.compile(r"\s+")
_LONG_SPACES = re.compile(r"\s{2,}")


def find_collapsed(
    text: str, quote: str, prefix: str, suffix: str, hint: int | None
) -> tuple[int, int] | None:
    """``find_loose`` for a long quote, in time linear in the text and the quote.

    The text with every run of whitespace made one space is searched for the
    quote's words joined by single spaces (``str.find``, in C); each occurrence
    is mapped back to the text through the runs that shrank. ``find_loose``
    compares a long quote's words per candidate, which repetitive text makes
    thousands of times.
    """
    words = quote.split()
    if len(words) < 2:
        return None
    collapsed = _SPACES.sub(" ", text)
    # Where each run longer than one character ends, in the collapsed and the original
    # text, and how many characters the runs up to it lost: maps positions both ways.
    ends_collapsed: list[int] = []
    ends_original: list[int] = []
    lost: list[int] = []
    total = 0
    for run in _LONG_SPACES.finditer(text):
        total += run.end() - run.start() - 1
        ends_original.append(run.end())
        ends_collapsed.append(run.end() - total)
        lost.append(total)

    def original(at: int) -> int:
        before = bisect_right(ends_collapsed, at)
        return at + (lost[before - 1] if before else 0)

    center = None
    if hint is not None:
        before = bisect_right(ends_original, hint)
        center = max(0, hint - (lost[before - 1] if before else 0))
    needle = " ".join(words)
    spans = [
        (original(at), original(at + len(needle) - 1) + 1)
        for at in occurrences(collapsed, needle, center)
    ]
    return best_span(text, spans, prefix, suffix, hint)
