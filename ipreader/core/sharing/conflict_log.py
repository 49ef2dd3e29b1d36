"""``conflicts.json`` in a store directory: the versions merges did not keep.

A TinyDB file like the others (table ``conflicts``, one record per line),
so that a person can read it, and ipreader too: each record says when, from
which merge, which file, table and id, why, and holds both the kept and the
lost version whole. Records are keyed by ``Conflict.key``: logging the same
conflict twice keeps one record (the first time it was seen).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipreader.core.errors import StoreError
from ipreader.core.model import utc_now_iso
from ipreader.core.sharing.layout import encode_tables, read_tables_of
from ipreader.core.sharing.three_way import Conflict
from ipreader.core.storage import (
    CorruptDatabaseError,
    atomic_write_bytes,
    quarantine,
)

#: The conflict log's file name in a store directory.
CONFLICTS_FILE = "conflicts.json"

#: Its table.
CONFLICTS_TABLE = "conflicts"


@dataclass(frozen=True, slots=True)
class Logged:
    """What writing to the log did."""

    path: Path
    """The log file."""
    added: int
    """Conflicts new to the log."""
    set_aside: Path | None = None
    """Where an unreadable earlier log was moved (kept whole), if it was."""


def log_conflicts(store_dir: Path, conflicts: Iterable[Conflict], *, source: str) -> Logged:
    """Add ``conflicts`` to the log of ``store_dir`` (the caller holds its lock); atomic.

    ``source`` says which merge (``"git merge"``, ``"Syncthing copy <name>"``).
    An earlier log that cannot be read is moved aside, never overwritten.
    Raises ``StoreError`` when the log cannot be written.
    """
    path = store_dir / CONFLICTS_FILE
    set_aside = None
    try:
        tables = read_tables_of(path)
    except CorruptDatabaseError:
        try:
            set_aside = quarantine(path)
        except OSError as error:
            raise StoreError(
                f"{path} cannot be read and cannot be moved aside ({error.strerror or error})"
            ) from None
        tables = {}
    except OSError as error:
        raise StoreError(f"{path} cannot be read ({error.strerror or error})") from None
    records: dict[str, dict[str, Any]] = tables.setdefault(CONFLICTS_TABLE, {})
    added = 0
    now = utc_now_iso()
    for conflict in conflicts:
        if conflict.key in records:
            continue
        added += 1
        records[conflict.key] = {
            "at": now,
            "source": source,
            "file": conflict.file,
            "table": conflict.table,
            "id": conflict.id,
            "reason": conflict.reason,
            "kept": conflict.kept,
            "lost": conflict.lost,
        }
    if added or set_aside is not None:
        atomic_write_bytes(path, encode_tables(tables))  # StoreWriteError names the cause
    return Logged(path, added, set_aside)


def read_conflicts(store_dir: Path) -> list[dict[str, Any]]:
    """The logged conflicts of ``store_dir``, oldest first (``[]`` when none or unreadable)."""
    try:
        tables = read_tables_of(store_dir / CONFLICTS_FILE)
    except (CorruptDatabaseError, OSError):
        return []
    records = tables.get(CONFLICTS_TABLE, {})
    return sorted(records.values(), key=lambda r: (str(r.get("at")), str(r.get("id"))))
