"""The coded corpus as reports and agreement read it: documents with their selected highlights.

``Selection`` holds the filters every report shares (document glob, colour,
creator, a date range on the highlight's ``created``); ``coded_documents``
reads the library once through ``Library.current_documents`` (so offsets are
checked against the current text) and keeps the highlights the selection
accepts. Tags are not part of the selection: each report decides what a tag
filter means for it (groups, columns, pairs).
"""

from __future__ import annotations

import bisect
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate, chain
from operator import attrgetter
from pathlib import Path

from ipreader.core.documents import DocumentInfo
from ipreader.core.errors import IpreaderError
from ipreader.core.identity import creator_key
from ipreader.core.library import Library
from ipreader.core.model import COLORS, Annotation
from ipreader.core.records import utc_time
from ipreader.core.store import StoredDocument
from ipreader.core.tags import covered, tag_path
from ipreader.core.wording import plural


class SelectionError(IpreaderError):
    """A report filter cannot be understood (an unknown colour, a malformed date)."""


def time_bound(value: str, *, upper: bool = False) -> str:
    """Return the UTC ``Z`` time a ``--since``/``--until`` value stands for.

    ``value`` is a date (``2024-05-01``) or an ISO-8601 time (no zone: UTC).
    As an ``upper`` bound a bare date means the end of that day, so the
    returned time is exclusive: the next day's midnight. Raises
    ``SelectionError`` for anything else.
    """
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
        if upper and day is not None:
            return utc_time((day + timedelta(days=1)).isoformat())
        return utc_time(value)
    except (ValueError, OverflowError):
        raise SelectionError(
            f"not a date or time: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None


@dataclass(frozen=True)
class Selection:
    """Which highlights a report looks at, tags apart (every filter optional)."""

    document_glob: str | None = None
    """Keep documents whose relative path matches (``fnmatch``, case-sensitive)."""
    color: str | None = None
    """Keep highlights of this colour (one of ``COLORS``)."""
    creator: str | None = None
    """Keep highlights by this creator (compared with ``creator_key``; ``""``: unknown)."""
    since: str | None = None
    """Keep highlights created at or after this UTC ``Z`` time (see ``time_bound``)."""
    until: str | None = None
    """Keep highlights created before this UTC ``Z`` time (exclusive)."""

    def __post_init__(self) -> None:
        if self.color is not None and self.color not in COLORS:
            raise SelectionError(
                f"unknown colour {self.color!r}; choose one of {', '.join(COLORS)}"
            )

    def keeps_document(self, relpath: str) -> bool:
        """True when the document at ``relpath`` passes the glob."""
        return self.document_glob is None or fnmatch.fnmatchcase(relpath, self.document_glob)

    def keeps_all(self) -> bool:
        """True when no colour, creator or date filter is set: ``keeps`` accepts everything."""
        return (
            self.color is None
            and self.creator is None
            and self.since is None
            and (self.until is None)
        )

    def keeps(self, annotation: Annotation) -> bool:
        """True when ``annotation`` passes the colour, creator and date filters."""
        if self.color is not None and annotation.color != self.color:
            return False
        if self.creator is not None and creator_key(annotation.creator) != creator_key(
            self.creator
        ):
            return False
        # Stored times are all normalised to one UTC format (records.utc_time), so
        # comparing the strings compares the times.
        if self.since is not None and annotation.created < self.since:
            return False
        return self.until is None or annotation.created < self.until


@dataclass(frozen=True, eq=False)
class CodedDocument:
    """One document with the selected highlights, as anchored against its current text.

    Compared by identity: two reads of one document are two snapshots.
    """

    root: Path
    """The folder whose store holds the document's annotations."""
    relpath: str
    """The document's path relative to ``root`` (``/`` separators)."""
    title: str
    """The document's title."""
    text: str = field(repr=False)
    """The current text the offsets point into."""
    highlights: tuple[Annotation, ...]
    """The selected highlights, orphans included, sorted by start then id."""

    def with_highlights(self, highlights: tuple[Annotation, ...]) -> CodedDocument:
        """This document with only ``highlights`` (a subset, in order), sharing the line index."""
        if len(highlights) == len(self.highlights):
            return self
        narrowed = CodedDocument(self.root, self.relpath, self.title, self.text, highlights)
        if "_line_starts" in self.__dict__:  # the same text: its lines need not be found again
            narrowed.__dict__["_line_starts"] = self._line_starts
        return narrowed

    @property
    def anchored(self) -> list[Annotation]:
        """The highlights that have a place in the text (orphans left out)."""
        return [a for a in self.highlights if a.is_anchored]

    @cached_property
    def _line_starts(self) -> list[int]:
        # Each line's length and its newline summed in C (2,000 articles: ~100,000 lines).
        lengths = map((1).__add__, map(len, self.text.split("\n")))
        starts = list(accumulate(lengths, initial=0))
        starts.pop()  # where a line after the last would start
        return starts

    def line_of(self, offset: int) -> int:
        """Return the 1-based line number holding the code point at ``offset``."""
        # A bisect over the line starts: a book with thousands of highlights
        # must not count newlines from the top for each of them.
        return bisect.bisect_right(self._line_starts, offset)


def line_numbers(documents: Iterable[CodedDocument], offsets: Iterable[int]) -> list[int]:
    """Return ``document.line_of(offset)`` of each document and offset, pairwise (in C)."""
    return list(map(bisect.bisect_right, map(_LINE_STARTS, documents), offsets))


_LINE_STARTS = attrgetter("_line_starts")
_TAGS = attrgetter("tags")
_HIGHLIGHTS = attrgetter("highlights")


#: A highlight's place in a document's order: by start, then id (in C, for 20,000).
_order = attrgetter("start", "id")


def coded_documents(
    library: Library, selection: Selection, left_out: list[str] | None = None
) -> list[CodedDocument]:
    """Return every readable document that has a highlight the selection keeps.

    Documents come collection by collection, each in relative-path order. The
    highlights the selection keeps in articles that are missing or cannot be
    read have no text to be coded in: ``left_out`` is given one sentence
    saying how many (nothing when there are none).
    """
    result: list[CodedDocument] = []
    unreadable: list[int] = []

    def count_unreadable(info: DocumentInfo, stored: StoredDocument, _reason: str) -> None:
        unreadable.append(sum(map(selection.keeps, stored.annotations)))

    documents = library.current_documents(
        lambda info, stored: bool(stored.annotations) and selection.keeps_document(info.relpath),
        count_unreadable if left_out is not None else None,
    )
    # No highlight filter (a plain report, agreement): no call a highlight to ask.
    keeps = None if selection.keeps_all() else selection.keeps
    for current in documents:
        kept = sorted(
            filter(keeps, current.annotations) if keeps else current.annotations, key=_order
        )
        if kept:
            info = current.info
            result.append(
                CodedDocument(info.root, info.relpath, info.title, current.text, tuple(kept))
            )
    if left_out is not None:
        missing = [
            sum(map(selection.keeps, gone.stored.annotations))
            for collection in library.collections
            for gone in collection.missing
            if selection.keeps_document(gone.relpath)
        ]
        told = _left_out(missing, "missing") + _left_out(unreadable, "unreadable")
        if told:
            left_out.append(
                f"left out: {' and '.join(told)} (no text to place them in; "
                f"`ipreader check` lists them)"
            )
    return result


def _left_out(highlights: list[int], why: str) -> list[str]:
    """``["3 highlights in 1 missing article"]``, or ``[]`` when no highlight is kept."""
    kept = [count for count in highlights if count]
    if not kept:
        return []
    return [f"{plural(sum(kept), 'highlight')} in {plural(len(kept), f'{why} article')}"]


def used_tags(documents: Iterable[CodedDocument]) -> list[str]:
    """Return every distinct tag on the documents' highlights, parents before children."""
    return tags_of(chain.from_iterable(map(_HIGHLIGHTS, documents)))


def tags_of(highlights: Iterable[Annotation]) -> list[str]:
    """Return every distinct tag of ``highlights``, parents before children.

    Tags that match alike (``tag_path``) are one; the first spelling seen is kept.
    """
    shown: dict[tuple[str, ...], str] = {}
    # Each distinct tag tuple once, in the order first seen: the same first spelling of
    # each tag as a walk over every highlight, for a few hundred tuples, not 20,000.
    for tags in dict.fromkeys(map(_TAGS, highlights)):
        for tag in tags:
            shown.setdefault(tag_path(tag), tag)
    return [shown[key] for key in sorted(shown)]


def creators(documents: Iterable[CodedDocument]) -> list[str]:
    """Return the distinct creators of the documents' highlights (by ``creator_key``), sorted."""
    shown: dict[str, str] = {}
    for document in documents:
        for annotation in document.highlights:
            shown.setdefault(creator_key(annotation.creator), annotation.creator)
    return [shown[key] for key in sorted(shown)]


class WantedTags:
    """The tags a report counts, and which of them a highlight carries (with children)."""

    def __init__(self, tags: Sequence[str]) -> None:
        self.tags = tags
        """The tags, in report order."""
        self._index = {tag_path(tag): index for index, tag in enumerate(tags)}
        self._carried: dict[tuple[str, ...], frozenset[int]] = {}

    def carried(self, annotation: Annotation) -> frozenset[int]:
        """Return the indexes (in ``tags``) of the tags ``annotation`` carries."""
        found = self._carried.get(annotation.tags)
        return self._carried_by(annotation.tags) if found is None else found

    def carried_each(self, annotations: Iterable[Annotation]) -> list[frozenset[int]]:
        """Return ``carried`` of each of ``annotations``, in order (looked up in C)."""
        tags = list(map(_TAGS, annotations))
        for combination in dict.fromkeys(tags):  # a few hundred for 20,000 highlights
            if combination not in self._carried:
                self._carried_by(combination)
        return list(map(self._carried.__getitem__, tags))

    def _carried_by(self, tags: tuple[str, ...]) -> frozenset[int]:
        # Once per distinct combination of tags, not once per highlight.
        index = self._index
        found = self._carried[tags] = frozenset(
            index[path] for path in covered(tags) if path in index
        )
        return found

    def carries_all(self, annotation: Annotation) -> bool:
        """True when ``annotation`` carries every tag."""
        return len(self.carried(annotation)) == len(self._index)


def distinct_tags(tags: Sequence[str]) -> list[str]:
    """Return ``tags`` less empty ones and repeats (by ``tag_path``), first spelling kept."""
    seen: set[tuple[str, ...]] = set()
    result: list[str] = []
    for tag in tags:
        key = tag_path(tag)
        if key and key not in seen:
            seen.add(key)
            result.append(tag.strip())
    return result
