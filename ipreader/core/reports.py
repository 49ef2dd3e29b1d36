"""Coding reports over a folder's highlights: code report, documents x tags matrix, co-occurrence.

Each report is computed from ``coding.coded_documents`` (the selected
highlights of every document) into plain frozen dataclasses; ``report_render``
turns them into a table, CSV, JSON or Markdown. A tag always stands for itself
and its children (``tags.tag_matches``): the group, column or pair of
``policy`` counts highlights tagged ``policy/patents`` too. Tags are those
asked for, else every tag the selected highlights carry.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, combinations, compress, repeat
from operator import attrgetter, is_
from typing import NamedTuple

from ipreader.core.coding import (
    CodedDocument,
    WantedTags,
    distinct_tags,
    line_numbers,
    used_tags,
)
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.tags import is_ancestor

#: An entry of a one-tag group: a highlight carrying the tag.
MATCH_TAGGED = "tagged"
#: An entry of an AND group: one highlight carrying every tag asked for.
MATCH_SAME = "same highlight"
#: An entry of an AND group: a passage where overlapping highlights carry the tags between them.
MATCH_OVERLAP = "overlapping highlights"


# ---------------------------------------------------------------------- code report


class CodeEntry(NamedTuple):
    """One item of a code report: a highlight, or a passage shared by overlapping highlights."""

    # A named tuple, not a frozen dataclass: made tens of thousands of times for a folder
    # (a frozen dataclass's __init__ costs about three times as much).

    document: CodedDocument
    """Where the passage is."""
    match: str
    """``MATCH_TAGGED``, ``MATCH_SAME`` or ``MATCH_OVERLAP``."""
    start: int
    """First code point of the passage (the highlight's stored start when orphaned)."""
    end: int
    """One past its last code point."""
    line: int | None
    """The 1-based line where the passage starts; ``None`` for an orphaned highlight."""
    quote: str
    """The passage's text (an orphaned highlight's stored quote)."""
    highlights: tuple[Annotation, ...]
    """The highlight, or the overlapping highlights that make up the passage."""


@dataclass(frozen=True)
class CodeGroup:
    """The entries of one tag, or of an AND of tags, in document order."""

    tags: tuple[str, ...]
    """The tag (one), or the tags that must all be present (several)."""
    entries: tuple[CodeEntry, ...]
    """Document by document, by start."""

    @property
    def label(self) -> str:
        """``policy``, or ``policy AND trade``."""
        return " AND ".join(self.tags)


@dataclass(frozen=True)
class CodeReport:
    """Every highlight with a tag, grouped by tag then document."""

    groups: tuple[CodeGroup, ...]
    """One group per tag; a single AND group when every tag is required."""
    require_all: bool
    """True when the tags were combined with AND."""


def _entry(document: CodedDocument, match: str, highlight: Annotation) -> CodeEntry:
    line = document.line_of(highlight.start) if highlight.is_anchored else None
    return CodeEntry(
        document, match, highlight.start, highlight.end, line, highlight.quote, (highlight,)
    )


def code_report(
    documents: Sequence[CodedDocument], tags: Sequence[str] = (), *, require_all: bool = False
) -> CodeReport:
    """Return the code report of ``documents`` for ``tags`` (all used tags when empty).

    With ``require_all`` and several tags, one group holds the highlights that
    carry every tag (``MATCH_SAME``) and the passages where overlapping
    highlights carry them between them (``MATCH_OVERLAP``; see
    ``overlap_passages``).
    """
    wanted = WantedTags(distinct_tags(tags) or used_tags(documents))
    if require_all and len(wanted.tags) > 1:
        entries: list[CodeEntry] = []
        for document in documents:
            entries.extend(_all_of(document, wanted))
        return CodeReport((CodeGroup(tuple(wanted.tags), tuple(entries)),), require_all=True)
    found: list[list[CodeEntry]] = [[] for _ in wanted.tags]
    entries, carried = _tagged_entries(documents, wanted)
    for entry, indexes in zip(entries, carried, strict=True):
        for index in indexes:  # one entry, in the group of each tag it carries
            found[index].append(entry)
    groups = tuple(
        CodeGroup((tag,), tuple(entries)) for tag, entries in zip(wanted.tags, found, strict=True)
    )
    return CodeReport(groups, require_all=False)


def _tagged_entries(
    documents: Sequence[CodedDocument], wanted: WantedTags
) -> tuple[list[CodeEntry], list[frozenset[int]]]:
    """The ``MATCH_TAGGED`` entry of each highlight carrying a wanted tag, in document
    order, with the indexes of the tags it carries.

    Made column by column (``map``, ``zip``: in C) for 20,000 highlights: the
    same entries as ``_entry`` makes one at a time.
    """
    counts = list(map(len, map(_HIGHLIGHTS, documents)))
    highlights = list(chain.from_iterable(map(_HIGHLIGHTS, documents)))
    owners = list(chain.from_iterable(map(repeat, documents, counts)))
    carried = wanted.carried_each(highlights)
    kept = list(compress(range(len(highlights)), carried))  # an empty set is false
    if len(kept) < len(highlights):
        highlights = list(map(highlights.__getitem__, kept))
        owners = list(map(owners.__getitem__, kept))
        carried = list(map(carried.__getitem__, kept))
    starts = list(map(_START, highlights))
    lines: list[int | None] = list(line_numbers(owners, starts))
    statuses = list(map(_STATUS, highlights))
    if AnchorStatus.ORPHANED in statuses:  # an orphan has no line
        for index in compress(
            range(len(statuses)), map(is_, statuses, repeat(AnchorStatus.ORPHANED))
        ):
            lines[index] = None
    rows = zip(
        owners,
        repeat(MATCH_TAGGED),
        starts,
        map(_END, highlights),
        lines,
        map(_QUOTE, highlights),
        zip(highlights),
    )
    # tuple.__new__ in C (a named tuple's own __new__ is Python).
    return list(map(partial(tuple.__new__, CodeEntry), rows)), carried


_HIGHLIGHTS = attrgetter("highlights")
_START = attrgetter("start")
_END = attrgetter("end")
_QUOTE = attrgetter("quote")
_STATUS = attrgetter("status")


def _all_of(document: CodedDocument, wanted: WantedTags) -> list[CodeEntry]:
    """The AND entries of one document: whole highlights, then shared passages, by start."""
    same = [_entry(document, MATCH_SAME, h) for h in document.highlights if wanted.carries_all(h)]
    relevant = [h for h in document.anchored if wanted.carried(h)]
    shared = [
        CodeEntry(
            document,
            MATCH_OVERLAP,
            start,
            end,
            document.line_of(start),
            document.text[start:end],
            tuple(among),
        )
        for start, end, among in overlap_passages(relevant, wanted)
    ]
    return sorted(same + shared, key=lambda e: (e.start, e.end, e.match))


def overlap_passages(
    highlights: Sequence[Annotation], wanted: WantedTags
) -> list[tuple[int, int, list[Annotation]]]:
    """Return the passages where every wanted tag is present but on different highlights.

    A passage is a maximal run of characters each of which lies in, for every
    wanted tag, some highlight carrying it, and in no highlight carrying them
    all (those are reported whole, as ``MATCH_SAME``). Each comes with the
    highlights that overlap it. ``highlights`` must be anchored.
    """
    events: list[tuple[int, int, int]] = []  # (offset, +1/-1, highlight index)
    for index, h in enumerate(highlights):
        if h.end > h.start:
            events += [(h.start, 1, index), (h.end, -1, index)]
    events.sort()
    cover = [0] * len(wanted.tags)  # open highlights carrying each tag
    covering_whole = 0  # open highlights carrying them all
    runs: list[list[int]] = []
    at = 0
    while at < len(events):
        offset = events[at][0]
        while at < len(events) and events[at][0] == offset:
            _, step, index = events[at]
            for tag in wanted.carried(highlights[index]):
                cover[tag] += step
            covering_whole += step * wanted.carries_all(highlights[index])
            at += 1
        if at < len(events) and covering_whole == 0 and all(cover):
            following = events[at][0]
            if runs and runs[-1][1] == offset:
                runs[-1][1] = following  # the run goes on
            else:
                runs.append([offset, following])
    return [
        (start, end, [h for h in highlights if h.start < end and start < h.end])
        for start, end in runs
    ]


# ---------------------------------------------------------------------- matrix


@dataclass(frozen=True)
class MatrixRow:
    """One document's counts in the documents x tags matrix."""

    document: CodedDocument
    """The document."""
    counts: tuple[int, ...]
    """Highlights carrying each tag (in ``TagMatrix.tags`` order)."""
    total: int
    """Highlights carrying any of the tags, each counted once."""


@dataclass(frozen=True)
class TagMatrix:
    """Documents x tags: how many highlights of each document carry each tag."""

    tags: tuple[str, ...]
    """The columns."""
    rows: tuple[MatrixRow, ...]
    """Documents with at least one counted highlight, in document order."""
    column_totals: tuple[int, ...]
    """Highlights carrying each tag, over all documents."""
    total: int
    """Highlights carrying any of the tags, each counted once."""


def tag_matrix(documents: Sequence[CodedDocument], tags: Sequence[str] = ()) -> TagMatrix:
    """Return the documents x tags matrix of ``documents`` (all used tags when ``tags`` is empty).

    A highlight with two of the tags counts in both columns but once in its
    row's total, so a row total can be less than the sum of its cells.
    """
    wanted = WantedTags(distinct_tags(tags) or used_tags(documents))
    rows: list[MatrixRow] = []
    columns = [0] * len(wanted.tags)
    total = 0
    for document in documents:
        counts = [0] * len(wanted.tags)
        counted = 0
        for highlight in document.highlights:
            carried = wanted.carried(highlight)
            counted += bool(carried)
            for index in carried:
                counts[index] += 1
        if counted:
            rows.append(MatrixRow(document, tuple(counts), counted))
            columns = [c + n for c, n in zip(columns, counts, strict=True)]
            total += counted
    return TagMatrix(tuple(wanted.tags), tuple(rows), tuple(columns), total)


# ---------------------------------------------------------------------- co-occurrence


@dataclass(frozen=True)
class PairCounts:
    """How often two tags come together."""

    first: str
    """One tag (the earlier in the report's tag order)."""
    second: str
    """The other."""
    same_highlight: int
    """Highlights carrying both."""
    overlapping: int
    """Pairs of distinct overlapping highlights, one carrying each tag."""
    same_document: int
    """Documents where both are on highlights (the same or different ones)."""


@dataclass(frozen=True)
class Cooccurrence:
    """Tag co-occurrence on the same highlight, on overlapping highlights, in the same document."""

    tags: tuple[str, ...]
    """The tags paired."""
    pairs: tuple[PairCounts, ...]
    """Every pair of ``tags`` asked for; otherwise the pairs with a count, most frequent first."""


def cooccurrence(documents: Sequence[CodedDocument], tags: Sequence[str] = ()) -> Cooccurrence:
    """Return how often each pair of tags (all used tags when ``tags`` is empty) comes together.

    A tag and one of its descendants are never paired: every highlight
    carrying the child carries the parent.
    """
    asked = distinct_tags(tags)
    wanted = asked or used_tags(documents)
    columns = WantedTags(wanted)
    # Overlapping highlight pairs by their two tag sets, over every document.
    together: dict[tuple[frozenset[int], frozenset[int]], int] = {}
    # How many highlights carry each set of tags, and how many documents hold each: the
    # pairs are counted once a set, not once a highlight (a few hundred sets, not 20,000).
    on_highlights: Counter[frozenset[int]] = Counter()
    in_documents: Counter[frozenset[int]] = Counter()
    for document in documents:
        sets = list(map(columns.carried, document.highlights))
        on_highlights.update(sets)
        in_documents[frozenset().union(*sets)] += 1
        carried = dict(zip([h.id for h in document.highlights], sets, strict=True))
        _overlapping_sets(document.anchored, carried, together)
    same, in_document = _pair_counts(on_highlights), _pair_counts(in_documents)
    overlapping = _crossing_pairs(together)
    pairs = [
        PairCounts(wanted[i], wanted[j], same[i, j], overlapping[i, j], in_document[i, j])
        for i, j in combinations(range(len(wanted)), 2)
        if not is_ancestor(wanted[i], wanted[j]) and not is_ancestor(wanted[j], wanted[i])
    ]
    if not asked:
        pairs = [p for p in pairs if p.same_highlight or p.overlapping or p.same_document]
        pairs.sort(key=lambda p: (-p.same_highlight, -p.overlapping, -p.same_document))
    return Cooccurrence(tuple(wanted), tuple(pairs))


def _pair_counts(sets: Counter[frozenset[int]]) -> Counter[tuple[int, int]]:
    """For each pair ``(i, j)``, ``i < j``: how many of the counted sets hold both."""
    pairs: Counter[tuple[int, int]] = Counter()
    for indexes, count in sets.items():
        for pair in combinations(sorted(indexes), 2):
            pairs[pair] += count
    return pairs


def overlapping_pairs(
    highlights: Sequence[Annotation], carried: dict[str, frozenset[int]]
) -> Counter[tuple[int, int]]:
    """Count, for each tag pair ``(i, j)`` with ``i < j``, the overlapping highlight pairs.

    A pair of distinct highlights sharing at least one character counts once
    for ``(i, j)`` when one carries ``i`` and the other ``j`` (``carried``
    gives each highlight's tag indexes).
    """
    together: dict[tuple[frozenset[int], frozenset[int]], int] = {}
    _overlapping_sets(highlights, carried, together)
    return _crossing_pairs(together)


def _overlapping_sets(
    highlights: Sequence[Annotation],
    carried: dict[str, frozenset[int]],
    together: dict[tuple[frozenset[int], frozenset[int]], int],
) -> None:
    """Add to ``together[S, T]`` the overlapping highlight pairs whose tag sets are S and T.

    A sweep by start keeps how many open highlights carry each tag set (a
    highlight closes at its exclusive end: touching is apart); a new highlight
    pairs with each of those sets at once. The work grows with the distinct
    tag sets open around a highlight, not with the tags in them.
    """
    open_sets: dict[frozenset[int], int] = {}
    ends: list[tuple[int, int, frozenset[int]]] = []  # heap by end
    # A highlight without any of the tags changes no count: left out of the sweep.
    ordered = sorted(
        (h for h in highlights if h.end > h.start and carried[h.id]),
        key=lambda h: (h.start, h.end),
    )
    for order, highlight in enumerate(ordered):
        while ends and ends[0][0] <= highlight.start:
            closed = heapq.heappop(ends)[2]
            left = open_sets[closed] - 1
            if left:
                open_sets[closed] = left
            else:
                del open_sets[closed]
        mine = carried[highlight.id]
        for theirs, count in open_sets.items():
            key = (mine, theirs)
            together[key] = together.get(key, 0) + count
        open_sets[mine] = open_sets.get(mine, 0) + 1
        heapq.heappush(ends, (highlight.end, order, mine))


def _crossing_pairs(
    together: dict[tuple[frozenset[int], frozenset[int]], int],
) -> Counter[tuple[int, int]]:
    """Each tag pair ``(i, j)``, ``i < j``, counted once for each highlight pair that has one
    tag on each highlight (``together``: highlight pairs by their two tag sets)."""
    result: Counter[tuple[int, int]] = Counter()
    for (mine, theirs), count in together.items():
        pairs = {(i, j) if i < j else (j, i) for i in mine for j in theirs if i != j}
        for pair in pairs:
            result[pair] += count
    return result


#: Any of the three reports.
Report = CodeReport | TagMatrix | Cooccurrence
