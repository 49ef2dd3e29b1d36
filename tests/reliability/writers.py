"""Forked writer processes for the reliability tests: the folder, the child, what was stored.

``test_kill.py`` and ``test_concurrent_writers.py`` both fork processes that
write one folder through the core, then open it afresh and compare what is
stored with what the writers acknowledged.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ipreader.core.paths import CACHE_DIR_ENV
from ipreader.core.store import FolderStore

#: What a folder holds: annotation id -> (document, note).
Notes = dict[str, tuple[str, str]]


def write_documents(root: Path, relpaths: Iterable[str], text: str) -> None:
    """Write ``text`` to each of ``relpaths`` under ``root`` (making sub-folders)."""
    for relpath in relpaths:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)


def fork_writer(work: Callable[..., None], *args: Any, error_file: Path | None = None) -> int:
    """Fork a child that runs ``work(*args)``; return its pid (in the parent only).

    The child exits 0 when ``work`` returns and 1 when it raises, its
    traceback going to ``error_file`` (else stderr): a writer that dies of
    its own error is never mistaken for one that finished or was killed.
    """
    pid = os.fork()
    if pid != 0:
        return pid
    code = 1
    try:
        work(*args)
        code = 0
    except BaseException:
        with contextlib.suppress(OSError):
            if error_file is not None:
                error_file.write_text(traceback.format_exc())
            else:
                sys.stderr.write(traceback.format_exc())
                sys.stderr.flush()
    finally:
        os._exit(code)


def stored_notes(root: Path) -> tuple[FolderStore, Notes]:
    """Open ``root`` as a fresh store; return it and its annotations (ids asserted unique)."""
    store = FolderStore.open(root)
    found: Notes = {}
    for relpath, notes in store.all_annotations().items():
        for note in notes:
            assert note.id not in found, f"duplicate annotation id {note.id}"
            found[note.id] = (relpath, note.note)
    return store, found


def holders(root: Path, ids: Iterable[str]) -> dict[str, list[str]]:
    """Each id with the store files whose raw JSON holds it (names relative to the store),
    and every file name under ``annotations/``: for a failure's message."""
    location = root / ".ipreader"
    wanted = set(ids)
    found: dict[str, list[str]] = {key: [] for key in wanted}
    names: list[str] = []
    for path in sorted((location / "annotations").rglob("*")):
        name = str(path.relative_to(location))
        names.append(name)
        if path.is_file() and path.suffix == ".json":
            table = json.loads(path.read_bytes()).get("annotations", {})
            for key in wanted & set(table):
                found[key].append(name)
    found["(files)"] = names
    return found


def uncached_notes(root: Path, scratch: Path) -> Notes:
    """``stored_notes`` read with an empty user cache (in ``scratch``): every file read afresh.

    For a failure's message: a read that differs from this one took a cached parse the
    files no longer hold; one that agrees with it read what the files hold.
    """
    before = os.environ.get(CACHE_DIR_ENV)
    os.environ[CACHE_DIR_ENV] = str(scratch)
    try:
        return stored_notes(root)[1]
    finally:
        if before is None:
            del os.environ[CACHE_DIR_ENV]
        else:
            os.environ[CACHE_DIR_ENV] = before


class StartGate:
    """Holds forked writers until the parent has forked them all, so they really run at once.

    Make it before forking; each child calls :meth:`wait`, the parent :meth:`open`.
    """

    def __init__(self) -> None:
        self._read, self._write = os.pipe()

    def wait(self) -> None:
        """In a child: block until the parent opens the gate."""
        os.close(self._write)  # EOF comes once every copy of the write end is closed
        os.read(self._read, 1)
        os.close(self._read)

    def open(self) -> None:
        """In the parent, after the last fork: let every child go."""
        os.close(self._write)
        os.close(self._read)
