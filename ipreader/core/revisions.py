"""May this version of an annotation replace that one? The revision rule of saves and imports.

Every annotation carries a ``revision``, bumped by each user edit
(``Annotation.edited``); re-anchoring never bumps it. Two writers that both
started from the same revision and changed the same highlight are in
*conflict*: neither may silently replace the other.

* A **save** (the app) names the version it started from, its *base*. It is
  accepted when the stored annotation is still that version (or an older one
  of the same line of edits) or already holds the same user data; otherwise
  ``check_save`` raises ``ConflictError`` carrying both versions.
* An **import** has no base: an imported annotation replaces the stored one
  when its revision is higher (it was made from the stored one, or later), or
  — same revision, different data — when it is newer by a clock that is not
  in the future (``updated`` later than now plus ``CLOCK_SKEW`` is never
  trusted). Anything else that differs is a conflict, reported and not
  applied. Times in the future are clamped to now, with a message.

User data is what a person edits (``USER_FIELDS``): the quote and its context
(a relink sets them), note, tags, colour, creator. Offsets and status change
with the text, not with a person, and never make a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ipreader.core.errors import StoreError
from ipreader.core.model import Annotation, utc_now_iso
from ipreader.core.wording import excerpt

#: How far in the future an ``updated`` time may lie and still count as a clock
#: (two machines' clocks differ by seconds; a time further ahead is a wrong clock).
CLOCK_SKEW = timedelta(minutes=5)

#: The fields a person edits; two versions equal on these hold the same user data.
USER_FIELDS = ("quote", "prefix", "suffix", "note", "tags", "color", "creator")

#: Characters of a note shown in a conflict message.
NOTE_EXCERPT = 40


class ConflictError(StoreError):
    """A save was based on an older version than the stored one; nothing was written."""

    def __init__(self, stored: Annotation | None, mine: Annotation | None) -> None:
        self.stored = stored
        """The version in the store (``None``: deleted there)."""
        self.mine = mine
        """The version that was to be saved (``None``: a deletion)."""
        shown = stored if stored is not None else mine
        quote = excerpt(shown.quote, 40) if shown is not None else ""
        if stored is None:
            what = "was deleted by another program"
        else:
            what = f"was changed by another program (revision {stored.revision})"
        super().__init__(f"the highlight “{quote}” {what}; choose which version to keep")


def same_user_data(first: Annotation, second: Annotation) -> bool:
    """True when the two versions hold the same quote, context, note, tags, colour, creator."""
    return all(getattr(first, name) == getattr(second, name) for name in USER_FIELDS)


def check_save(stored: Annotation | None, mine: Annotation | None, base: Annotation | None) -> bool:
    """Decide whether ``mine`` may replace ``stored``; raise ``ConflictError`` if not.

    ``base`` is the version the user's change started from (``None`` for a new
    highlight); ``mine`` is ``None`` for a deletion. Returns False when there
    is nothing to write (the store already holds ``mine``'s user data, or a
    deletion finds nothing).
    """
    if mine is None:
        if stored is None:
            return False
        if base is None or _changed_since(stored, base):
            raise ConflictError(stored, None)
        return True
    if stored is None:
        if base is not None:
            raise ConflictError(None, mine)  # deleted elsewhere after we read it
        return True
    if same_user_data(stored, mine):
        # Nothing a person wrote differs; a position from the current text still counts.
        return (stored.start, stored.end, stored.status) != (mine.start, mine.end, mine.status)
    if base is None or _changed_since(stored, base):
        raise ConflictError(stored, mine)
    return True


def _changed_since(stored: Annotation, base: Annotation) -> bool:
    """True when ``stored`` holds an edit ``base`` does not know about."""
    if stored.revision > base.revision:
        return True
    # The same revision with other user data: two edits of one revision (one of
    # them never stored, e.g. a failed save), so neither descends from the other.
    return stored.revision == base.revision and not same_user_data(stored, base)


def resolved(mine: Annotation, stored: Annotation | None) -> Annotation:
    """Return ``mine`` as the revision after ``stored`` (a conflict settled by the user)."""
    revision = 1 + max(mine.revision, stored.revision if stored is not None else 0)
    return replace(mine, revision=revision, updated=utc_now_iso())


def merged(mine: Annotation, stored: Annotation) -> Annotation:
    """Return one version holding both notes and the union of both tag lists.

    The text (quote, offsets) and colour are ``mine``'s; the notes are joined
    when they differ.
    """
    notes = [note for note in (mine.note.strip(), stored.note.strip()) if note]
    note = "\n\n".join(dict.fromkeys(notes))
    combined = mine.edited(note=note, tags=(*mine.tags, *stored.tags))
    return resolved(combined, stored)


class Verdict(StrEnum):
    """What an import does with one annotation."""

    ADD = "add"
    """New to the folder: saved."""
    SAME = "same"
    """The folder holds the same user data: nothing to do."""
    REPLACE = "replace"
    """The imported version follows the stored one: saved over it."""
    KEEP = "keep"
    """The stored version is newer: the imported one is older news."""
    CONFLICT = "conflict"
    """Both changed: the stored one is kept and the conflict reported."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one imported annotation and what to store."""

    verdict: Verdict
    """What to do."""
    annotation: Annotation
    """The version to save for ``ADD``/``REPLACE`` (times clamped); else the incoming one."""
    message: str = ""
    """Why, for the import report (empty when there is nothing to say)."""


def parse_time(value: str) -> datetime:
    """Return the moment of an ISO-8601 time (``...Z`` as the decoder writes it)."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """Return ``moment`` as the store writes times (UTC, milliseconds, ``Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def clamp_times(annotation: Annotation, now: datetime) -> tuple[Annotation, str]:
    """Return ``annotation`` with ``created``/``updated`` in the future set to ``now``.

    The second value says what was clamped (empty when nothing was).
    """
    limit = now + CLOCK_SKEW
    created_late = parse_time(annotation.created) > limit
    updated_late = parse_time(annotation.updated) > limit
    if not created_late and not updated_late:
        return annotation, ""  # nearly always: the stamp (an isoformat) is not needed
    stamp = iso(now)
    created = stamp if created_late else annotation.created
    updated = stamp if updated_late else annotation.updated
    told = [
        f"{name} {value}"
        for name, value, kept in (
            ("created", annotation.created, created),
            ("updated", annotation.updated, updated),
        )
        if kept != value
    ]
    if not told:
        return annotation, ""
    clamped = replace(annotation, created=created, updated=updated)
    return clamped, f"{' and '.join(told)} in the future: set to now"


def import_decision(
    stored: Annotation | None, incoming: Annotation, now: datetime | None = None
) -> Decision:
    """Decide what importing ``incoming`` over ``stored`` does (see the module docstring)."""
    now = datetime.now(UTC) if now is None else now
    clamped, clamp_note = clamp_times(incoming, now)
    if stored is None:
        return Decision(Verdict.ADD, clamped, clamp_note)
    if same_user_data(stored, incoming):
        return Decision(Verdict.SAME, incoming)
    if incoming.revision > stored.revision:
        return Decision(Verdict.REPLACE, clamped, clamp_note)
    if incoming.revision < stored.revision:
        return Decision(
            Verdict.KEEP,
            incoming,
            f"the folder's version is newer (revision {stored.revision} over "
            f"{incoming.revision}); kept the folder's",
        )
    # Same revision, other data: both sides edited the same version.
    if clamp_note:
        return Decision(
            Verdict.CONFLICT,
            incoming,
            f"conflict: both sides changed it (revision {stored.revision} each) and the "
            f"imported updated time {incoming.updated} is in the future, so it cannot tell "
            f"which is newer; kept the folder's, not applied ({_difference(stored, incoming)})",
        )
    if parse_time(incoming.updated) > parse_time(stored.updated):
        return Decision(
            Verdict.REPLACE,
            incoming,
            f"both changed; the imported version is newer ({incoming.updated} after "
            f"{stored.updated}) and replaced the folder's ({_difference(stored, incoming)})",
        )
    return Decision(
        Verdict.CONFLICT,
        incoming,
        f"conflict: both changed and the folder's version is newer ({stored.updated}); "
        f"kept the folder's, not applied ({_difference(stored, incoming)})",
    )


def _difference(stored: Annotation, incoming: Annotation) -> str:
    """Name what differs between two versions, briefly."""
    parts = []
    for name in USER_FIELDS:
        if getattr(stored, name) == getattr(incoming, name):
            continue
        if name == "note":
            parts.append(
                f"note “{excerpt(stored.note, NOTE_EXCERPT)}” here, "
                f"“{excerpt(incoming.note, NOTE_EXCERPT)}” imported"
            )
        else:
            parts.append(name)
    return "; ".join(parts) or "no difference"
