"""SIGKILL an import at every stage of its batched write: each file whole, old or new; a re-run
finishes the job.

An import writes one annotation file per document as one batch
(``storage.atomic_write_many``: temp files; then the index, registering the
new documents; one file system flush for a big batch, renames, directory
fsyncs). A forked child imports a second export
(every stored highlight edited, one new highlight a document) into a folder
holding the first, and is killed at a chosen call (the k-th ``os.write``,
``os.replace``, ``os.fsync``, or just before or after the flush) or after a
random delay. Afterwards every store file parses, each document holds either
its old records or its new ones (never a mix: each file is replaced whole),
the folder opens without a notice, and the same import run again leaves every
document new.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ipreader.core import batch_sync
from ipreader.core.export import EXPORT_FORMAT_NAME, EXPORT_VERSION
from ipreader.core.importer import import_file
from ipreader.core.model import Annotation
from ipreader.core.storage import SYNCFS_MIN_FILES
from ipreader.core.store import FolderStore

from .test_kill import check_files_parse
from .writers import fork_writer

TEXT = "At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis. " * 6

#: Documents of the folder: more than one flushed batch needs.
DOCUMENTS = SYNCFS_MIN_FILES + 16

#: Of them, the last few get their first highlights from the second export (the import
#: then registers them: an index write once the batch's temp files are written).
ADDED = 4


@dataclass
class Versions:
    """The highlights of the two exports: the first imported, the second killed mid-way."""

    old: dict[str, dict[str, str]]
    """relpath -> {id: note} after the first import."""
    new: dict[str, dict[str, str]]
    """relpath -> {id: note} after the second."""


def _export(path: Path, annotations: list[Annotation]) -> None:
    documents: dict[str, list[dict[str, Any]]] = {}
    for annotation in annotations:
        documents.setdefault(annotation.document, []).append(annotation.to_dict())
    data = {
        "format": EXPORT_FORMAT_NAME,
        "version": EXPORT_VERSION,
        "documents": [{"path": path, "annotations": rows} for path, rows in documents.items()],
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def _prepare(base: Path) -> tuple[Path, Path, Versions]:
    """A folder with the first export imported, and the second export; what each holds."""
    template = base / "template"
    template.mkdir()
    first: list[Annotation] = []
    second: list[Annotation] = []
    for number in range(DOCUMENTS):
        relpath = f"d{number:03d}.txt"
        (template / relpath).write_text(f"{number}\n{TEXT}", encoding="utf-8")
        text = f"{number}\n{TEXT}"
        for start in (5, 40):
            old = Annotation.create(text, start, start + 12, relpath, note="old")
            if number < DOCUMENTS - ADDED:
                first.append(old)
                second.append(old.edited(note="new"))
        second.append(Annotation.create(text, 80, 95, relpath, note="new"))
    old_export, new_export = base / "first.json", base / "second.json"
    _export(old_export, first)
    _export(new_export, second)
    report = import_file(old_export, template)
    assert report.added == len(first) and report.rejected == 0

    def notes(annotations: list[Annotation]) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for annotation in annotations:
            found.setdefault(annotation.document, {})[annotation.id] = annotation.note
        return found

    return template, new_export, Versions(notes(first), notes(second))


def _stored(root: Path) -> tuple[FolderStore, dict[str, dict[str, str]]]:
    store = FolderStore.open(root)
    found = {
        relpath: {a.id: a.note for a in annotations}
        for relpath, annotations in store.all_annotations().items()
    }
    return store, found


def _die_at(name: str, nth: int) -> None:
    """In the child: SIGKILL this process at the ``nth`` call of ``name`` (before or after it)."""
    calls = 0
    if name in ("flush-before", "flush-after"):
        owner: Any = batch_sync
        attribute = "syncfs"
    else:
        owner, attribute = os, name
    real = getattr(owner, attribute)

    def dying(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and name != "flush-after":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if calls == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, attribute, dying)


def _importer(export: Path, root: Path, kill_at: tuple[str, int] | None, out: int) -> None:
    """Run in the forked child: say it started, then import (dying where told)."""
    os.write(out, b"ready\n")
    os.close(out)
    if kill_at is not None:
        _die_at(*kill_at)
    import_file(export, root)


@dataclass
class Outcome:
    killed: int = 0
    finished: int = 0
    mixed: int = 0
    """Rounds that left some documents new and others old (a kill among the renames)."""


def _check(root: Path, export: Path, versions: Versions, round_: str, outcome: Outcome) -> None:
    """Every file whole; each document old or new as a whole; a re-run finishes the job."""
    check_files_parse(root / ".ipreader")
    store, found = _stored(root)
    assert store.notices.all() == [], f"{round_}: {store.notices.all()}"
    assert not list(store.location.rglob(".tmp-*")), f"{round_}: temp files not swept"
    states = set()
    for relpath, new in versions.new.items():
        held, old = found.get(relpath, {}), versions.old.get(relpath, {})
        assert held in (old, new), f"{round_}: {relpath} is a mix: {held}"
        states.add(held == old)
    outcome.mixed += len(states) == 2
    report = import_file(export, root)
    assert report.rejected == 0 and report.conflicts == 0, f"{round_}: {report.lines()}"
    store, found = _stored(root)
    assert found == versions.new, f"{round_}: the re-run did not finish the import"
    assert store.notices.all() == []


#: Where the child dies: (call, the k-th call). Writes: one per temp file (one a document,
#: then the index's); renames: the same, the index's first; fsyncs: the index's temp file
#: and directory, then the annotation directory (each temp file too where no flush is used).
KILL_POINTS: list[tuple[str, int]] = [
    ("write", 1),
    ("write", 2),
    ("write", DOCUMENTS // 2),
    ("write", DOCUMENTS + 1),
    ("flush-before", 1),
    ("flush-after", 1),
    ("replace", 1),
    ("replace", 2),
    ("replace", 3),
    ("replace", DOCUMENTS // 2),
    ("replace", DOCUMENTS + 1),
    ("fsync", 1),
    ("fsync", 2),
    ("fsync", 3),
]


def _round(
    base: Path, template: Path, export: Path, kill_at: tuple[str, int] | None, delay: float
) -> tuple[Path, bool]:
    """One import into a fresh copy of ``template``, killed; (the folder, whether it was)."""
    root = base / "folder"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(template, root)
    read_end, write_end = os.pipe()
    pid = fork_writer(_importer, export, root, kill_at, write_end)
    os.close(write_end)
    with os.fdopen(read_end) as lines:
        assert lines.readline() == "ready\n"
    if kill_at is None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert killed or os.waitstatus_to_exitcode(status) == 0, f"the import failed ({status})"
    return root, killed


@pytest.mark.slow
def test_an_import_killed_anywhere_leaves_whole_files_and_can_be_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))
    template, export, versions = _prepare(tmp_path)
    flushed = batch_sync.open_sync(tmp_path)
    points = KILL_POINTS if flushed is not None else [
        point for point in KILL_POINTS if not point[0].startswith("flush")
    ]  # fmt: skip
    if flushed is not None:
        flushed.close()
    outcome = Outcome()
    for kill_at in points:
        root, killed = _round(tmp_path, template, export, kill_at, 0)
        assert killed, f"{kill_at}: the import never made that call"
        outcome.killed += 1
        _check(root, export, versions, f"killed at {kill_at}", outcome)
    rng = random.Random(int(os.environ.get("IPREADER_KILL_ROUNDS", "8")))
    for number in range(int(os.environ.get("IPREADER_KILL_ROUNDS", "8"))):
        root, killed = _round(tmp_path, template, export, None, rng.uniform(0, 0.3))
        outcome.killed += killed
        outcome.finished += not killed
        _check(root, export, versions, f"random kill {number}", outcome)
    # The kills among the renames left some documents new and others old: they landed
    # inside the batch, not only before or after it.
    assert outcome.mixed >= 2
