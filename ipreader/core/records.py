"""The one typed decoder of annotation records, wherever they come from.

The store's files, ``Annotation.from_dict`` and the importer all read
annotations as JSON objects written by someone else (another ipreader, a sync
tool, a hand edit, a hostile file). Every field is checked here, once, with
the same rules and the same limits:

* ``null`` means "not given" for every field (the default applies);
* integers are real integers (``true``/``false`` are refused);
* strings are bounded (``MAX_TEXT_CHARS``); prefix and suffix are cut to the
  ``CONTEXT_CHARS`` nearest the quote, so anchoring stays bounded;
* tags are strings, at most ``MAX_TAGS`` of at most ``MAX_TAG_CHARS`` each,
  normalised (``normalize_tags``); a document's own tags at most
  ``MAX_DOCUMENT_TAGS`` (``document_tags_field``);
* times are ISO-8601, normalised to UTC with a ``Z``.

``decode_fields`` returns what a record says, leaving out what it does not
(an importer fills the gaps, and checks the offsets against the text);
``decode_annotation`` insists on a complete, consistent stored record
(offsets given, ``0 <= start <= end``). Both raise ``RecordError`` naming the
field. The field helpers (``text_field``, ``int_field``, ``tags_field``,
``document_tags_field``, ``time_field``) also check the store's other records
and an import's document entries. The store checks every record it writes
with these same decoders, so nothing written is skipped when read back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ipreader.core.model import (
    COLORS,
    CONTEXT_CHARS,
    DEFAULT_COLOR,
    MAX_DOCUMENT_TAGS,
    MAX_ORIGIN_CHARS,
    MAX_TAG_CHARS,
    MAX_TAGS,
    MAX_TEXT_CHARS,
    AnchorStatus,
    Annotation,
    normalize_tags,
)


class RecordError(ValueError):
    """A record's field has the wrong type or an impossible value."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        """The name of the offending field."""
        self.reason = reason
        """What is wrong with it."""
        super().__init__(f"{field} {reason}")


def text_field(
    data: Mapping[str, Any], name: str, default: str = "", *, limit: int = MAX_TEXT_CHARS
) -> str:
    """Return a string field (``default`` when absent or null), at most ``limit`` characters."""
    value = data.get(name)  # absent and null alike
    if value is None:
        return default
    if not isinstance(value, str):
        raise RecordError(name, f"must be a string, not {type(value).__name__}")
    if len(value) > limit:
        raise RecordError(name, f"is too long ({len(value):,} characters; limit {limit:,})")
    return value


def int_field(data: Mapping[str, Any], name: str) -> int | None:
    """Return an integer field, ``None`` when absent or null (booleans are refused)."""
    value = data.get(name)  # absent and null alike
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(name, f"must be an integer, not {type(value).__name__}")
    return value


def tags_field(
    data: Mapping[str, Any],
    name: str = "tags",
    *,
    limit: int = MAX_TAGS,
    tag_chars: int = MAX_TAG_CHARS,
) -> tuple[str, ...]:
    """Return a normalised list of tags (empty when absent or null).

    At most ``limit`` tags (counted before normalising: the count is checked
    before any tag is read), each at most ``tag_chars`` characters.
    """
    value = data.get(name)  # absent and null alike
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise RecordError(name, f"must be a list of strings, not {type(value).__name__}")
    if len(value) > limit:
        raise RecordError(name, f"has {len(value):,} tags (limit {limit:,})")
    for tag in value:
        if not isinstance(tag, str):
            raise RecordError(name, f"must be a list of strings, not of {type(tag).__name__}")
        if len(tag) > tag_chars:
            raise RecordError(name, f"holds a tag of {len(tag):,} characters (limit {tag_chars:,})")
    return normalize_tags(value)


def document_tags_field(data: Mapping[str, Any], name: str = "tags") -> tuple[str, ...]:
    """Return a document's own tags: at most ``MAX_DOCUMENT_TAGS``, of any length up to
    ``MAX_TEXT_CHARS``.

    The count keeps listing, exporting and showing a document cheap whatever a
    file says. Their length is not held to ``MAX_TAG_CHARS``: document tags
    were typed and merged without that limit, and a record over it would hide
    the document's highlights.
    """
    return tags_field(data, name, limit=MAX_DOCUMENT_TAGS, tag_chars=MAX_TEXT_CHARS)


#: The form ``utc_time`` returns (``fromisoformat`` still checks the calendar).
_NORMALISED_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def utc_time(value: str) -> str:
    """Return the ISO-8601 time ``value`` in UTC with a ``Z``, to the millisecond.

    A time without a zone is taken as UTC; a bare date as its midnight UTC.
    Raises ``ValueError`` for anything else (``OverflowError`` when the UTC
    form falls outside years 1..9999).
    """
    parsed = datetime.fromisoformat(value)
    if _NORMALISED_TIME.fullmatch(value):
        # Already in this form (every stored time is): skip the conversion, which
        # costs more than the parse when an export or import reads 20,000 records.
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def time_field(data: Mapping[str, Any], name: str) -> str | None:
    """Return a time field normalised to UTC ``Z`` (``None`` when absent, null or empty)."""
    value = text_field(data, name, limit=64)
    if not value:
        return None
    try:
        return utc_time(value)
    except (ValueError, OverflowError):
        # OverflowError: a valid time whose UTC form falls outside years 1..9999
        # ("0001-01-01T00:00:00+01:00").
        raise RecordError(name, f"is not an ISO-8601 time: {value[:40]!r}") from None


def color_field(data: Mapping[str, Any]) -> str:
    """Return the colour (the default when absent or null); one of ``COLORS``."""
    color = text_field(data, "color", DEFAULT_COLOR, limit=64)
    if color not in COLORS:
        raise RecordError("color", f"{color[:40]!r} is not one of {', '.join(COLORS)}")
    return color


def status_field(data: Mapping[str, Any]) -> AnchorStatus:
    """Return the anchoring status (``anchored`` when absent or null).

    ``missing`` (an export's highlight of an article that was not in its folder)
    reads as ``orphaned``: not placed in any text yet.
    """
    raw = text_field(data, "status", AnchorStatus.ANCHORED.value, limit=64)
    if raw == "missing":
        return AnchorStatus.ORPHANED
    try:
        return AnchorStatus(raw)
    except ValueError:
        raise RecordError("status", f"{raw[:40]!r} is not a known status") from None


@dataclass(frozen=True, slots=True)
class AnnotationFields:
    """Every field an annotation record gives, checked; ``None`` where it gives none."""

    id: str | None
    start: int | None
    end: int | None
    quote: str
    prefix: str
    suffix: str
    color: str
    note: str
    tags: tuple[str, ...]
    created: str | None
    updated: str | None
    status: AnchorStatus
    creator: str
    revision: int
    score: float | None
    origin: str


def decode_fields(data: Mapping[str, Any]) -> AnnotationFields:
    """Check every field of an annotation record; raise ``RecordError`` on the first bad one."""
    # A complete record as ipreader writes it (an ipreader export: 20,000 of them per
    # import) takes the stored records' fast path; what it accepts, check_fields
    # accepts with the same values (a property test holds the two to it).
    quick = _well_formed(data, _ANY_DOCUMENT, None) if isinstance(data, Mapping) else None
    if quick is not None:
        return AnnotationFields(
            quick.id, quick.start, quick.end, quick.quote, quick.prefix, quick.suffix,
            quick.color, quick.note, quick.tags, quick.created, quick.updated, quick.status,
            quick.creator, quick.revision, quick.score, quick.origin,
        )  # fmt: skip
    return check_fields(data)


def check_fields(data: Mapping[str, Any]) -> AnnotationFields:
    """``decode_fields`` without its fast path: every field checked, the first bad one named."""
    if not isinstance(data, Mapping):
        raise RecordError("annotation", f"must be an object, not {type(data).__name__}")
    annotation_id = text_field(data, "id", limit=200) or None
    # Offsets are only typed here: an importer treats them as hints to check
    # against the text, a stored record must be consistent (decode_annotation).
    start = int_field(data, "start")
    end = int_field(data, "end")
    revision = int_field(data, "revision")
    if revision is not None and revision < 1:
        raise RecordError("revision", f"must be at least 1, not {revision}")
    score = data.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise RecordError("score", f"must be a number, not {type(score).__name__}")
        if not math.isfinite(score) or not 0 <= score <= 100:
            raise RecordError("score", f"must lie between 0 and 100, not {score}")
        score = float(score)
    return AnnotationFields(
        id=annotation_id,
        start=start,
        end=end,
        quote=text_field(data, "quote"),
        # Only the context nearest the quote matters; the rest would only slow anchoring.
        prefix=text_field(data, "prefix")[-CONTEXT_CHARS:],
        suffix=text_field(data, "suffix")[:CONTEXT_CHARS],
        color=color_field(data),
        note=text_field(data, "note"),
        tags=tags_field(data),
        created=time_field(data, "created"),
        updated=time_field(data, "updated"),
        status=status_field(data),
        creator=text_field(data, "creator", limit=MAX_TAG_CHARS),
        revision=revision or 1,
        score=score,
        origin=text_field(data, "origin", limit=MAX_ORIGIN_CHARS),
    )


_STATUSES = {status.value: status for status in AnchorStatus}
#: The document ``decode_fields`` passes to the fast path: a record's fields do not include it.
_ANY_DOCUMENT = "-"
_COLOR_SET = frozenset(COLORS)

#: Tag lists already checked, as stored -> normalised: most highlights of a folder carry one
#: of a few hundred combinations of its codebook's tags. Only short lists are kept, and at
#: most ``_TAG_CACHE_SIZE`` of them (emptied when full), so a hostile file cannot grow it.
_TAG_CACHE: dict[tuple[str, ...], tuple[str, ...]] = {}
_TAG_CACHE_SIZE = 4096
_TAG_CACHE_LIST = 8


def _checked_tags(tags: list[Any]) -> tuple[str, ...] | None:
    """The normalised form of a stored tag list, or ``None`` when one is not a short string."""
    key = tuple(tags)
    try:
        found = _TAG_CACHE.get(key)
    except TypeError:  # an unhashable value (a list, an object): not a tag
        return None
    if found is not None:
        return found  # every tag was checked when it was cached
    for tag in tags:
        if type(tag) is not str or len(tag) > MAX_TAG_CHARS:
            return None
    normal = normalize_tags(tags)
    if len(key) <= _TAG_CACHE_LIST:
        if len(_TAG_CACHE) >= _TAG_CACHE_SIZE:
            _TAG_CACHE.clear()
        _TAG_CACHE[key] = normal
    return normal


def _well_formed(
    data: Mapping[str, Any], document: str | None, key: str | None
) -> Annotation | None:
    """Decode a record exactly as ipreader writes it, or return ``None`` to check it fully.

    The same rules as ``decode_fields`` on the one shape the store holds by the
    thousand (every field present, canonical times, normalised tags), checked
    with plain type tests: a folder's annotations are decoded on every read.
    Anything unusual (a missing field, a ``+02:00`` time, a long context) goes
    the slow way, which also names what is wrong. ``key`` replaces the ``id``
    field when given.
    """
    get = data.get
    annotation_id = get("id") if key is None else key
    start, end = get("start"), get("end")
    if not (
        type(annotation_id) is str
        and 0 < len(annotation_id) <= 200
        and type(start) is int
        and type(end) is int
        and 0 <= start <= end
    ):
        return None
    quote, prefix, suffix, note = get("quote"), get("prefix"), get("suffix"), get("note")
    if not (
        type(quote) is str
        and type(prefix) is str
        and type(suffix) is str
        and type(note) is str
        and len(prefix) <= CONTEXT_CHARS
        and len(suffix) <= CONTEXT_CHARS
        and len(quote) <= MAX_TEXT_CHARS
        and len(note) <= MAX_TEXT_CHARS
    ):
        return None
    color, raw_status = get("color"), get("status")
    # Only strings are looked up: a list or an object in the file is unhashable.
    status = _STATUSES.get(raw_status) if type(raw_status) is str else None
    where = document if document is not None else get("document")
    creator, revision, score = get("creator", ""), get("revision", 1), get("score")
    origin = get("origin", "")
    if not (
        type(color) is str
        and color in _COLOR_SET
        and status is not None
        and type(where) is str
        and 0 < len(where) <= 4096
        and type(creator) is str
        and len(creator) <= MAX_TAG_CHARS
        and type(revision) is int
        and revision >= 1
        and (score is None or (type(score) is float and 0 <= score <= 100))
        and type(origin) is str
        and len(origin) <= MAX_ORIGIN_CHARS
    ):
        return None
    tags, created, updated = get("tags"), get("created"), get("updated")
    if not (
        type(tags) is list
        and len(tags) <= MAX_TAGS
        and type(created) is str
        and type(updated) is str
        and _NORMALISED_TIME.fullmatch(created)
        and _NORMALISED_TIME.fullmatch(updated)
    ):
        return None
    normal = _checked_tags(tags)
    if normal is None:
        return None
    try:
        datetime.fromisoformat(created)  # real dates, not 2024-13-45
        datetime.fromisoformat(updated)
    except ValueError:
        return None
    # Positional, in the field order of Annotation: twice as fast as keywords, and a
    # property test holds the result to check_annotation's (keywords).
    return Annotation(
        annotation_id,
        where,
        start,
        end,
        quote,
        prefix,
        suffix,
        color,
        note,
        normal,
        created,
        updated,
        status,
        creator,
        revision,
        score,
        origin,
    )


def decode_annotation(
    data: Mapping[str, Any], *, document: str | None = None, key: str | None = None
) -> Annotation:
    """Return the stored annotation record ``data`` as an ``Annotation``.

    ``id``, ``start``, ``end`` and (unless ``document`` is given) ``document``
    are required; ``created`` defaults to ``updated`` and the other way round.
    ``key`` (a record's key in its table) is its id whatever an ``id`` field says.
    """
    if isinstance(data, Mapping):
        quick = _well_formed(data, document, key)
        if quick is not None:
            return quick
        if key is not None:
            data = {**data, "id": key}
    return check_annotation(data, document=document)


def check_annotation(data: Mapping[str, Any], *, document: str | None = None) -> Annotation:
    """``decode_annotation`` without its fast path: every field checked, the first bad one named.

    Both always agree (a property test holds them to it); this one is slower.
    """
    fields = check_fields(data)
    if fields.id is None:
        raise RecordError("id", "is missing")
    if fields.start is None or fields.end is None:
        raise RecordError("start" if fields.start is None else "end", "is missing")
    if fields.start < 0:
        raise RecordError("start", f"is negative ({fields.start})")
    if fields.end < fields.start:
        raise RecordError("end", f"({fields.end}) is before start ({fields.start})")
    where = document if document is not None else text_field(data, "document", limit=4096)
    if not where:
        raise RecordError("document", "is missing")
    created = fields.created or fields.updated
    if created is None:
        raise RecordError("created", "is missing")
    return Annotation(
        id=fields.id,
        document=where,
        start=fields.start,
        end=fields.end,
        quote=fields.quote,
        prefix=fields.prefix,
        suffix=fields.suffix,
        color=fields.color,
        note=fields.note,
        tags=fields.tags,
        created=created,
        updated=fields.updated or created,
        status=fields.status,
        creator=fields.creator,
        revision=fields.revision,
        score=fields.score,
        origin=fields.origin,
    )
