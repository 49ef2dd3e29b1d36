"""What a merge keeps of one record that both sides changed, by table name and record shape.

Decided by the record, never by the file's name (the annotation files may
be laid out differently from one version to the next):

* an **annotation** (a record with ``revision`` and ``updated``): the higher
  revision wins; the same revision goes to the later ``updated`` (a time
  further in the future than ``revisions.CLOCK_SKEW`` is a wrong clock and
  loses, as in an import); the same time to the larger record (any order,
  but the same on both machines). The other version is logged unless it held
  the same user data;
* a **document** (a record with ``relpath``): field by field against the
  ancestor: a field only one side changed takes that side's value; both
  changed: tags are joined (the ones a side removed stay removed), notes are
  both kept (joined as ``store.merge`` joins them, and logged), the reading
  position is the further one, anything else is the larger value, logged;
  a stored hash or sketch that differs at all is cleared (the next read
  re-anchors every highlight against the article as it is);
* the **schema** record (table ``_meta``): the higher version;
* the **reading state** (table ``state``): either side (ours);
* any other record: ours, with theirs logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ipreader.core.model import DocumentNotes
from ipreader.core.revisions import CLOCK_SKEW, USER_FIELDS, parse_time
from ipreader.core.sharing.layout import canonical
from ipreader.core.store.formats import META_TABLE, STATE_TABLE
from ipreader.core.store.merge import joined_note

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a merge keeps of one record both sides changed."""

    kept: dict[str, Any]
    """The record written."""
    lost: dict[str, Any] | None = None
    """A version of it nothing in ``kept`` holds (logged); ``None`` when nothing was lost."""
    reason: str = ""
    """Why, for the conflict log (empty when nothing is logged)."""


def is_annotation(record: Record) -> bool:
    """True for a record carrying the revision rule's fields."""
    return "revision" in record and "updated" in record


def is_document(record: Record) -> bool:
    """True for a document record of an index."""
    return "relpath" in record


def resolve(table: str, base: Record | None, ours: Record, theirs: Record) -> Resolution:
    """Merge one record that both sides changed, each differently (see the module docstring)."""
    if table == STATE_TABLE:
        return Resolution(dict(ours))
    if table == META_TABLE:
        return Resolution(dict(ours if _schema_order(ours) >= _schema_order(theirs) else theirs))
    if is_annotation(ours) and is_annotation(theirs):
        return _newer_revision(ours, theirs)
    if is_document(ours) and is_document(theirs):
        return _document(base if base is not None and is_document(base) else None, ours, theirs)
    return Resolution(
        dict(ours), dict(theirs), "both sides changed this record; this side's version kept"
    )


def _schema_order(record: Record) -> tuple[int, str]:
    version = record.get("version")
    number = version if isinstance(version, int) and not isinstance(version, bool) else -1
    return number, canonical(record)


def _moment(record: Record) -> datetime | None:
    """The record's ``updated`` time; ``None`` when unreadable or from a clock running ahead."""
    value = record.get("updated")
    try:
        moment = parse_time(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is not None and moment > datetime.now(UTC) + CLOCK_SKEW:
        return None
    return moment


def _revision(record: Record) -> int:
    value = record.get("revision")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _annotation_order(record: Record) -> tuple[int, bool, datetime | str, str]:
    moment = _moment(record)
    # A readable time beats an unreadable one; the record text breaks the last tie.
    when: datetime | str = moment if moment is not None else ""
    return _revision(record), moment is not None, when, canonical(record)


def _newer_revision(ours: Record, theirs: Record) -> Resolution:
    first, second = dict(ours), dict(theirs)
    # parse_time makes every time aware, and a readable time only meets another one.
    ours_wins = _annotation_order(first) > _annotation_order(second)
    kept, lost = (first, second) if ours_wins else (second, first)
    if all(kept.get(name) == lost.get(name) for name in USER_FIELDS):
        return Resolution(kept)  # only offsets or status differ: nothing a person wrote is lost
    if _revision(kept) != _revision(lost):
        why = f"revision {_revision(kept)} kept over revision {_revision(lost)}"
    else:
        why = (
            f"both changed revision {_revision(kept)}; the later one "
            f"({kept.get('updated')}) kept over {lost.get('updated')}"
        )
    return Resolution(kept, lost, why)


def _tags(base: Any, ours: Any, theirs: Any) -> list[Any]:
    """Both sides' tags, less the ones a side removed from the ancestor's."""
    before = list(base) if isinstance(base, list) else []
    mine = list(ours) if isinstance(ours, list) else []
    other = list(theirs) if isinstance(theirs, list) else []
    removed = {canonical(t) for t in before} - (
        {canonical(t) for t in mine} & {canonical(t) for t in other}
    )
    result: list[Any] = []
    seen: set[str] = set()
    for tag in (*mine, *other):
        key = canonical(tag)
        if key in seen or key in removed:
            continue
        seen.add(key)
        result.append(tag)
    return result


def _document(base: Record | None, ours: Record, theirs: Record) -> Resolution:
    merged: dict[str, Any] = {}
    reasons: list[str] = []
    lost: dict[str, Any] = {}
    for name in sorted({*ours, *theirs}):
        before = None if base is None else base.get(name)
        mine, other = ours.get(name), theirs.get(name)
        if mine == other:
            value = mine
        elif name in ("sha256", "fingerprint"):
            # Each side's highlights were anchored against its own text: with two hashes,
            # none is right for all of them, so the next read re-anchors (and re-sketches).
            value = None if name == "sha256" else ""
        elif other == before:
            value = mine
        elif mine == before:
            value = other
        elif name == "tags":
            value = _tags(before, mine, other)
        elif name == "note" and isinstance(mine, str) and isinstance(other, str):
            value = joined_note(mine, other)
            if value not in (mine, other):
                reasons.append("both changed the note: both kept, one after the other")
        elif name == "position" and isinstance(mine, int) and isinstance(other, int):
            value = max(mine, other)
        else:
            value = max(mine, other, key=canonical)
            lost[name] = min(mine, other, key=canonical)
            reasons.append(f"both changed {name}")
        merged[name] = value
    if not reasons:
        return Resolution(merged)
    return Resolution(merged, dict(theirs) if not lost else {**merged, **lost}, "; ".join(reasons))


def merged_document_notes(
    base: DocumentNotes, ours: DocumentNotes, theirs: DocumentNotes
) -> DocumentNotes:
    """Merge two changes of a document's own tags and note made from ``base``.

    As a merge merges a document record: a field one side changed takes that
    side's value; both changed: tags joined (a tag either side removed stays
    removed), both notes kept one after the other. (The app saving ``ours``
    over ``theirs``, written meanwhile by another program, so loses nothing.)
    """

    def record(notes: DocumentNotes) -> dict[str, Any]:
        return {"tags": list(notes.tags), "note": notes.note}

    kept = _document(record(base), record(ours), record(theirs)).kept
    return DocumentNotes(tuple(kept["tags"]), kept["note"])
