"""The annotation data model: highlights, colours, tags, anchoring statuses.

Offsets are Unicode code points into a document's decoded, newline-normalised
text, ``end`` exclusive (the W3C Web Annotation convention).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

#: The named highlight palette, in the order the editor offers it.
COLORS: tuple[str, ...] = ("yellow", "green", "blue", "pink", "purple")

#: Colour given to a new highlight.
DEFAULT_COLOR = "yellow"

#: Characters of context kept on each side of a quote (TextQuoteSelector prefix/suffix).
CONTEXT_CHARS = 32

#: Longest quote or note accepted anywhere (code points; stored, imported or typed).
MAX_TEXT_CHARS = 1_000_000

#: Most tags on one highlight or document, and the longest tag (code points).
MAX_TAGS = 200
MAX_TAG_CHARS = 200

#: Longest ``origin`` (the id an imported annotation had in another tool).
MAX_ORIGIN_CHARS = 2048

#: Most tags of a document's own (typed, or joined by imports and merges): the bound that
#: keeps listing, exporting and showing a document cheap whatever a store file says.
MAX_DOCUMENT_TAGS = 1_000


class AnchorStatus(StrEnum):
    """Where an annotation stands against the current text of its document."""

    ANCHORED = "anchored"
    """The stored position still holds the quote."""
    MOVED = "moved"
    """The exact quote was found at another position."""
    FUZZY = "fuzzy"
    """An approximate match of the quote was accepted (score and margin passed)."""
    ORPHANED = "orphaned"
    """The quote was not found; the annotation is kept and listed, never deleted."""


def utc_now_iso() -> str:
    """Return the current UTC time as ISO-8601 with a ``Z`` suffix, to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def tag_key(tag: str) -> str:
    """Return the form of ``tag`` used for matching (trimmed, case-folded)."""
    return tag.strip().casefold()


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trim tags, drop empty ones and case-insensitive duplicates, keep the first spelling."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in tags:
        shown = " ".join(raw.split())
        key = tag_key(shown)
        if key and key not in seen:
            seen.add(key)
            result.append(shown)
    return tuple(result)


def parse_tag_list(text: str) -> tuple[str, ...]:
    """Parse a comma-separated tag string as typed by a user."""
    return normalize_tags(text.split(","))


def context_around(text: str, start: int, end: int) -> tuple[str, str]:
    """Return the ``(prefix, suffix)`` context of ``text[start:end]``."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


@dataclass(frozen=True, slots=True)
class Annotation:
    """One highlight on a document, with its note, tags and anchoring state."""

    id: str
    """A UUID4 string; the annotation's identity everywhere, including exports."""
    document: str
    """The document's path relative to its folder, with ``/`` separators."""
    start: int
    """First code point of the highlighted text."""
    end: int
    """One past the last code point (exclusive)."""
    quote: str
    """What the user highlighted, kept forever: re-anchoring never changes it.

    The text now covered is ``text[start:end]`` (see ``current_text``): the
    quote itself, up to whitespace, unless the status is ``FUZZY``.
    """
    prefix: str = ""
    """Up to ``CONTEXT_CHARS`` characters before the quote when it was highlighted."""
    suffix: str = ""
    """Up to ``CONTEXT_CHARS`` characters after the quote when it was highlighted."""
    color: str = DEFAULT_COLOR
    """One of ``COLORS``."""
    note: str = ""
    """Free text attached to the highlight."""
    tags: tuple[str, ...] = ()
    """Normalised tags (see ``normalize_tags``)."""
    created: str = field(default_factory=utc_now_iso)
    """UTC ISO-8601 creation time."""
    updated: str = field(default_factory=utc_now_iso)
    """UTC ISO-8601 time of the last change."""
    status: AnchorStatus = AnchorStatus.ANCHORED
    """Anchoring status against the document's current text."""
    creator: str = ""
    """Who made the highlight (a name; empty when unknown)."""
    revision: int = 1
    """Bumped by every user edit; a save based on an older revision is a conflict."""
    score: float | None = None
    """Similarity (0..100) of an approximate (``FUZZY``) match; ``None`` otherwise."""
    origin: str = ""
    """The id this annotation has in the tool it was imported from (an IRI, a Hypothesis
    id), when that id is not a UUID; empty for annotations made in ipreader."""

    @classmethod
    def create(
        cls,
        text: str,
        start: int,
        end: int,
        document: str,
        *,
        color: str = DEFAULT_COLOR,
        note: str = "",
        tags: Iterable[str] = (),
        creator: str = "",
    ) -> Annotation:
        """Create a new highlight of ``text[start:end]`` with a fresh UUID."""
        if not 0 <= start < end <= len(text):
            raise ValueError(f"invalid range {start}..{end} for a text of {len(text)} characters")
        if color not in COLORS:
            raise ValueError(f"unknown colour {color!r}; choose one of {', '.join(COLORS)}")
        prefix, suffix = context_around(text, start, end)
        now = utc_now_iso()
        return cls(
            id=str(uuid.uuid4()),
            document=document,
            start=start,
            end=end,
            quote=text[start:end],
            prefix=prefix,
            suffix=suffix,
            color=color,
            note=note,
            tags=normalize_tags(tags),
            created=now,
            updated=now,
            creator=creator,
        )

    def edited(self, **changes: Any) -> Annotation:
        """Return a copy with ``changes`` applied as a user edit.

        Tags are normalised, ``updated`` refreshed and ``revision`` bumped.
        """
        if "tags" in changes:
            changes["tags"] = normalize_tags(changes["tags"])
        if "color" in changes and changes["color"] not in COLORS:
            raise ValueError(f"unknown colour {changes['color']!r}")
        return replace(self, updated=utc_now_iso(), revision=self.revision + 1, **changes)

    @property
    def is_anchored(self) -> bool:
        """True unless the annotation is orphaned."""
        return self.status is not AnchorStatus.ORPHANED

    def current_text(self, text: str) -> str | None:
        """Return what the annotation covers in ``text`` now, or ``None``.

        That is ``text[start:end]`` when it is what the status promises: the
        quote, up to whitespace, for ``ANCHORED``/``MOVED``; any non-empty span
        for ``FUZZY``. ``None`` for an orphan, or when the offsets do not fit
        ``text`` (the annotation needs re-anchoring against it).
        """
        if not self.is_anchored or not 0 <= self.start < self.end <= len(text):
            return None
        covered = text[self.start : self.end]
        if self.status is AnchorStatus.FUZZY or covered == self.quote:
            return covered
        # The whitespace-insensitive tier: same words, whitespace re-wrapped.
        return covered if covered.split() == self.quote.split() else None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of every field (``tags`` as a list, ``status`` as text)."""
        # Spelled out rather than dataclasses.asdict, which deep-copies every
        # field and made exports of 20,000 annotations several times slower.
        return {
            "id": self.id,
            "document": self.document,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "color": self.color,
            "note": self.note,
            "tags": list(self.tags),
            "created": self.created,
            "updated": self.updated,
            "status": self.status.value,
            "creator": self.creator,
            "revision": self.revision,
            "score": self.score,
            "origin": self.origin,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Annotation:
        """Build an annotation from ``to_dict`` output; ``ValueError`` names a bad field.

        The checks are ``records.decode_annotation``'s, shared with the store and
        the importer.
        """
        from ipreader.core.records import decode_annotation  # records builds on this module

        return decode_annotation(data)


@dataclass(frozen=True, slots=True)
class DocumentNotes:
    """A document's own tags and note (as opposed to its highlights')."""

    tags: tuple[str, ...] = ()
    note: str = ""
