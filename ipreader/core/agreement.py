"""Inter-rater agreement of two coders, character by character: percent agreement and Cohen's kappa.

Method (also in ``ipreader agreement --help`` and the README):

* The documents compared are those where **both** coders have at least one
  highlight with a place in the text (orphaned highlights are left out and
  counted). Every character of those documents is a unit.
* For a tag, each coder codes a character 1 when one of their highlights
  covering it carries the tag or one of its children, else 0. The counts of
  the four cases (both, first only, second only, neither) give percent
  agreement ``po = (both + neither) / N`` and Cohen's kappa
  ``(po - pe) / (1 - pe)``, where ``pe = p1 * p2 + (1 - p1) * (1 - p2)`` is
  the agreement expected by chance from each coder's share ``p`` of coded
  characters.
* Overall pools every (character, tag) decision of the tags reported.
* Degenerate cases: with no character to compare (``N = 0``) nothing is
  defined (``None`` with a reason). When ``pe = 1`` both coders coded every
  character alike (all or none), so ``po = 1`` too and kappa is taken as 1.0,
  with a reason saying so.
* Disagreements are the maximal runs of characters that one coder coded with
  the tag and the other did not.

Worked example (``tests/test_agreement.py``): a document of 20 characters;
for tag ``a`` the first coder codes characters 0-9 and the second 0-7, so
both = 8, first only = 2, second only = 0, neither = 10; ``po = 18/20 = 0.9``,
``p1 = 0.5``, ``p2 = 0.4``, ``pe = 0.5 * 0.4 + 0.5 * 0.6 = 0.5`` and
``kappa = (0.9 - 0.5) / (1 - 0.5) = 0.8``.

Counts are whole numbers and kappa is computed from them exactly
(``fractions``-free integer arithmetic), then given as a float. The report is
written out (text, JSON) by ``agreement_render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from ipreader.core.coding import CodedDocument, WantedTags, distinct_tags, tags_of
from ipreader.core.identity import creator_key
from ipreader.core.model import Annotation


@dataclass(frozen=True)
class Agreement:
    """The character counts of one tag (or of all pooled) and what follows from them."""

    tag: str | None
    """The tag; ``None`` for the overall figure."""
    both: int
    """Characters both coders coded."""
    first_only: int
    """Characters only the first coder coded."""
    second_only: int
    """Characters only the second coder coded."""
    neither: int
    """Characters neither coded."""

    @property
    def total(self) -> int:
        """Every character compared (``N``)."""
        return self.both + self.first_only + self.second_only + self.neither

    @property
    def _chance(self) -> int:
        """``pe * N * N``, exactly."""
        first, second = self.both + self.first_only, self.both + self.second_only
        return first * second + (self.total - first) * (self.total - second)

    @property
    def percent(self) -> float | None:
        """Percent agreement (0-100); ``None`` when no character was compared."""
        return None if self.total == 0 else 100 * (self.both + self.neither) / self.total

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; ``None`` when undefined (see ``reason``)."""
        n = self.total
        if n == 0:
            return None
        if self._chance == n * n:
            return 1.0  # pe = 1 forces po = 1: both coded every character alike
        return (n * (self.both + self.neither) - self._chance) / (n * n - self._chance)

    @property
    def reason(self) -> str | None:
        """Why kappa is undefined or set by convention; ``None`` when it is computed normally."""
        if self.total == 0:
            return "no characters to compare: no document coded by both"
        if self._chance == self.total * self.total:
            if self.both:
                return "both coders coded every character: kappa taken as 1"
            return "neither coder used the tag here: kappa taken as 1"
        return None


class Disagreement(NamedTuple):
    """A maximal run of characters coded with a tag by one coder only."""

    # A named tuple, not a frozen dataclass: made tens of thousands of times for a folder
    # (a frozen dataclass's __init__ costs about three times as much).

    tag: str
    """The tag."""
    document: CodedDocument
    """Where."""
    start: int
    """First code point of the run."""
    end: int
    """One past its last code point."""
    coder: str
    """The coder who coded it (as named when asked)."""

    @property
    def quote(self) -> str:
        """The run's text."""
        return self.document.text[self.start : self.end]


# Made in C (a named tuple's own __new__ is a Python lambda).
_new_disagreement = partial(tuple.__new__, Disagreement)


@dataclass(frozen=True)
class AgreementReport:
    """Agreement of two coders per tag and overall, and where they disagree."""

    coders: tuple[str, str]
    """The two coders, as named when asked."""
    documents: tuple[CodedDocument, ...]
    """The documents both coded."""
    tags: tuple[Agreement, ...]
    """One per tag, in tag order."""
    overall: Agreement
    """Every tag's counts pooled."""
    disagreements: tuple[Disagreement, ...]
    """By tag, then document, then position."""
    orphaned: int
    """Highlights of either coder left out because they have no place in the text."""

    @property
    def characters(self) -> int:
        """Characters in the documents compared."""
        return sum(len(document.text) for document in self.documents)


def agreement(
    documents: Sequence[CodedDocument], first: str, second: str, tags: Sequence[str] = ()
) -> AgreementReport:
    """Return the agreement of coders ``first`` and ``second`` over ``documents``.

    Coders are matched with ``identity.creator_key``. ``tags`` default to every
    tag either coder used in the documents both coded.
    """
    keys = (creator_key(first), creator_key(second))
    shared: list[tuple[CodedDocument, list[Annotation], list[Annotation]]] = []
    orphaned = 0
    for document in documents:
        by_coder: tuple[list[Annotation], list[Annotation]] = ([], [])
        for h in document.highlights:
            key = creator_key(h.creator)
            if key in keys:
                by_coder[keys.index(key)].append(h)
        mine, theirs = by_coder
        placed_mine = [h for h in mine if h.is_anchored]
        placed_theirs = [h for h in theirs if h.is_anchored]
        orphaned += len(mine) - len(placed_mine) + len(theirs) - len(placed_theirs)
        if placed_mine and placed_theirs:
            shared.append((document, placed_mine, placed_theirs))
    names = distinct_tags(tags) or tags_of(h for _, a, b in shared for h in (*a, *b))
    wanted = WantedTags(names)
    # Per tag, the characters of each of _sweep's states: 1 first only, 2 second only,
    # 3 both (slot 0 sums stretches between spans and goes unused: "neither" is what
    # the other three leave of every character compared, below).
    counts = [[0, 0, 0, 0] for _ in names]
    runs: list[list[Disagreement]] = [[] for _ in names]
    coders = ("", first, second)  # by _sweep's state: 1 first only, 2 second only
    compared = 0
    for document, mine, theirs in shared:
        compared += len(document.text)
        edges: dict[int, list[int]] = {}
        _add_edges(edges, mine, wanted, _FIRST_OPENS, _FIRST_CLOSES)
        _add_edges(edges, theirs, wanted, _SECOND_OPENS, _SECOND_CLOSES)
        # Only the tags either coder used here: every character of the others is
        # "neither", counted once for all below.
        for index in sorted(edges):
            _sweep(edges[index], names[index], document, coders, counts[index], runs[index])
    per_tag = tuple(
        Agreement(tag, both, first_only, second_only, compared - both - first_only - second_only)
        for tag, (_, first_only, second_only, both) in zip(names, counts, strict=True)
    )
    pooled = [sum(item.both for item in per_tag), sum(item.first_only for item in per_tag)]
    pooled += [sum(item.second_only for item in per_tag), sum(item.neither for item in per_tag)]
    return AgreementReport(
        coders=(first, second),
        documents=tuple(document for document, _, _ in shared),
        tags=per_tag,
        overall=Agreement(None, *pooled),
        disagreements=tuple(run for tag_runs in runs for run in tag_runs),
        orphaned=orphaned,
    )


# A span's start and end as sweep edges: ``position << 2 | kind``. Sorted as integers,
# edges come by position, and at one position openings before closings, so that two
# spans of one coder that touch (one ends where the other starts) stay one run.
_FIRST_OPENS, _SECOND_OPENS, _FIRST_CLOSES, _SECOND_CLOSES = range(4)


def _add_edges(
    edges: dict[int, list[int]],
    highlights: Sequence[Annotation],
    wanted: WantedTags,
    opens: int,
    closes: int,
) -> None:
    """Add the edges of ``highlights``' spans to ``edges``, under each wanted tag they carry."""
    carried = wanted.carried
    for h in highlights:
        if h.end > h.start:  # an empty span codes no character
            start, end = h.start << 2 | opens, h.end << 2 | closes
            for index in carried(h):
                found = edges.get(index)
                if found is None:
                    edges[index] = [start, end]
                else:
                    found += (start, end)


def _sweep(
    edges: list[int],
    tag: str,
    document: CodedDocument,
    coders: tuple[str, str, str],
    tally: list[int],
    runs: list[Disagreement],
) -> None:
    """Walk one tag's edges in one document: add to ``tally`` the characters of each state
    (1 first only, 2 second only, 3 both) and to ``runs`` the maximal runs of states 1, 2.

    One pass over sorted integers, each coder's open spans counted (spans may
    overlap): linear after the sort, whatever the document's length.
    """
    edges.sort()
    first = second = state = since = 0  # open spans of each coder; the state since `since`
    for edge in edges:
        kind = edge & 3
        if kind == _FIRST_OPENS:
            first += 1
        elif kind == _SECOND_OPENS:
            second += 1
        elif kind == _FIRST_CLOSES:
            first -= 1
        else:
            second -= 1
        now = (first > 0) | (second > 0) << 1
        if now != state:
            at = edge >> 2
            # Several edges at one position may pass through a state for no character:
            # only a stretch of some length counts (and ends a run).
            if at > since:
                tally[state] += at - since
                if state == 1 or state == 2:
                    runs.append(_new_disagreement((tag, document, since, at, coders[state])))
            since, state = at, now
