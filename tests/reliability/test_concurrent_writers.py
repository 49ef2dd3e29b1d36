"""Four processes write one folder at once: nothing lost, no duplicates, files always parse.

Three writers make the TUI's core calls: each creates, edits and deletes its
own annotations on documents all writers share (so they contend for the same
files) and registers the same new documents at the same moments. The fourth
runs ``ipreader import`` over and over (``cli.main`` in the process, every
``SUBPROCESS_EVERY``-th one as ``python -m ipreader import``) with exports
holding new annotations, newer versions of ones it imported before, stale
(older) versions that must not win, and document tags; each import's reported
counts are checked. Meanwhile the test process reads every file in a loop.
At the end every acknowledged write (each save, delete, and each annotation an
import reported as added or updated) is present in its final state.
``IPREADER_WRITER_OPS`` sets the operations per writer (the bench runs 500).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ipreader import cli
from ipreader.core.export import EXPORT_FORMAT_NAME, EXPORT_VERSION
from ipreader.core.model import Annotation
from ipreader.core.storage import CorruptDatabaseError, decode_database
from ipreader.core.store import FolderStore

from .test_kill import flush_every_batch, split_small
from .writers import StartGate, fork_writer, stored_notes, write_documents

TEXT = "Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium. " * 8
SHARED = ("a.txt", "b.txt", "sub/c.txt")

#: Every this many imports, one runs as a real ``python -m ipreader import`` subprocess.
SUBPROCESS_EVERY = 25

_SUMMARY = re.compile(r"added (\d+), updated (\d+), unchanged (\d+), rejected (\d+)")

#: What one writer leaves behind: annotation id -> (document, note), and document tags.
Outcome = tuple[dict[str, tuple[str, str]], dict[str, list[str]]]


@dataclass
class WriterStats:
    writers: int = 0
    operations: int = 0
    annotations: int = 0
    reads: int = 0
    seconds: float = 0.0
    imports: int = 0
    """``ipreader import`` runs (all of them succeeded with the expected counts)."""
    imported: int = 0
    """Annotations those imports reported as added or updated."""


def _writer(root: Path, number: int, operations: int, result: Path) -> None:
    """Run in a forked child: mixed core operations; the expected state goes to ``result``."""
    rng = random.Random(number)
    store = FolderStore.open(root)
    mine: dict[str, tuple[str, str]] = {}
    for step in range(operations):
        roll = rng.random()
        if roll < 0.55 or not mine:
            # Every writer registers "new-<k>" at about the same step: a registration race.
            relpath = f"new-{step // 25}.txt" if roll < 0.1 else rng.choice(SHARED)
            start = rng.randrange(0, len(TEXT) - 10)
            note = Annotation.create(TEXT, start, start + 6, relpath, note=f"w{number}-{step}")
            store.save_annotation(note)
            mine[note.id] = (relpath, note.note)
        elif roll < 0.85:
            ident = rng.choice(sorted(mine))
            relpath, _ = mine[ident]
            (current,) = [a for a in store.annotations(relpath) if a.id == ident]
            store.save_annotation(current.edited(note=f"w{number}-{step}-edit"))
            mine[ident] = (relpath, f"w{number}-{step}-edit")
        else:
            ident = rng.choice(sorted(mine))
            store.delete_annotation(mine.pop(ident)[0], ident)
    result.write_text(json.dumps({"annotations": mine, "tags": {}}))


def _run_import(export: Path, root: Path, in_subprocess: bool) -> tuple[int, str, str]:
    """Run ``ipreader import EXPORT ROOT``; return its exit code, stdout and stderr."""
    if in_subprocess:
        done = subprocess.run(
            [sys.executable, "-m", "ipreader", "import", str(export), str(root)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr
    # cli.main writes the report as UTF-8 bytes to sys.stdout.buffer.
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["import", str(export), str(root)])
    out.flush()
    return code, out.buffer.getvalue().decode("utf-8"), err.getvalue()


def _import_writer(root: Path, number: int, operations: int, result: Path) -> None:
    """Run in a forked child: one ``ipreader import`` per operation; expected state to ``result``.

    Only this writer touches the annotations it imports, so it knows exactly
    what each import must report: the new ones added, the newer versions
    updated, the stale ones unchanged, nothing rejected.
    """
    rng = random.Random(1000 + number)
    mine: dict[str, Annotation] = {}
    tags: dict[str, set[str]] = {}
    acknowledged = 0  # annotations the imports reported as added or updated
    # Explicit, strictly increasing ``updated`` times in the past (a future time is set to
    # now on import): "newer" must not depend on the clock.
    epoch = datetime(2020, 1, 1, tzinfo=UTC)

    def stamp(step: int) -> str:
        return (epoch + timedelta(seconds=step)).isoformat(timespec="milliseconds")

    for step in range(operations):
        documents: dict[str, list[dict[str, Any]]] = {}
        doc_tags: dict[str, str] = {}
        new = []
        for _ in range(rng.randint(1, 2)):
            relpath = rng.choice(SHARED)
            start = rng.randrange(0, len(TEXT) - 10)
            note = Annotation.create(TEXT, start, start + 6, relpath, note=f"i{number}-{step}")
            new.append(replace(note, created=stamp(step), updated=stamp(step)))
        known = sorted(mine)
        updated = [
            replace(
                mine[ident],
                note=f"i{number}-{step}-upd",
                updated=stamp(step),
                revision=mine[ident].revision + 1,  # an edit: the revision rule replaces it
            )
            for ident in rng.sample(known, min(len(known), rng.randint(0, 2)))
        ]
        # A stale copy is an older revision (edited since): the folder's version is kept.
        stale_pool = sorted(
            set(ident for ident in known if mine[ident].revision > 1) - {a.id for a in updated}
        )
        stale = [
            replace(
                mine[ident],
                note="stale: must lose",
                updated=stamp(-1),
                revision=mine[ident].revision - 1,
            )
            for ident in rng.sample(stale_pool, min(len(stale_pool), rng.randint(0, 1)))
        ]
        for annotation in (*new, *updated, *stale):
            documents.setdefault(annotation.document, []).append(annotation.to_dict())
        if rng.random() < 0.3:
            # Document tags go to the index, which the core writers' registrations race for.
            doc_tags[rng.choice(sorted(documents))] = f"imp-{number}-{step}"
        export = result.with_name(f"import-{number}-{step}.json")
        export.write_text(
            json.dumps(
                {
                    "format": EXPORT_FORMAT_NAME,
                    "version": EXPORT_VERSION,
                    "documents": [
                        {"path": path, "tags": [doc_tags[path]] if path in doc_tags else [],
                         "annotations": entries}
                        for path, entries in documents.items()
                    ],
                }
            ),
            encoding="utf-8",
        )  # fmt: skip
        code, out, err = _run_import(export, root, step % SUBPROCESS_EVERY == 0)
        match = _SUMMARY.search(out)
        counts = tuple(int(n) for n in match.groups()) if match else None
        expected = (len(new), len(updated), len(stale), 0)
        if code != 0 or err or counts != expected:
            raise AssertionError(
                f"import {step}: exit {code}, counts {counts} != {expected}\n{out}{err}"
            )
        acknowledged += len(new) + len(updated)
        for annotation in (*new, *updated):
            mine[annotation.id] = annotation
        for path, tag in doc_tags.items():
            tags.setdefault(path, set()).add(tag)
    result.write_text(
        json.dumps(
            {
                "annotations": {i: (a.document, a.note) for i, a in mine.items()},
                "tags": {path: sorted(found) for path, found in tags.items()},
                "imports": operations,
                "imported": acknowledged,
            }
        )
    )


def _gated(
    gate: StartGate,
    work: Callable[[Path, int, int, Path], None],
    root: Path,
    number: int,
    operations: int,
    result: Path,
) -> None:
    """Wait at ``gate``, run ``work``; its start and end (monotonic) go to ``<result>.times``."""
    gate.wait()
    started = time.monotonic()
    work(root, number, operations, result)
    result.with_suffix(".times").write_text(json.dumps([started, time.monotonic()]))


def _read_everything(location: Path) -> None:
    for path in list(location.rglob("*.json")):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue
        decode_database(path, raw)


def run_writers(root: Path, writers: int, operations: int, importers: int = 1) -> WriterStats:
    """Fork ``writers`` processes doing ``operations`` each on ``root``; assert the outcome.

    The last ``importers`` of them run ``ipreader import``; the others core calls.
    """
    write_documents(root, SHARED, TEXT)
    location = FolderStore.open(root).location
    started = time.perf_counter()
    pids = []
    results = [root.parent / f"writer-{n}.json" for n in range(writers)]
    gate = StartGate()
    for number in range(writers):
        work = _import_writer if number >= writers - importers else _writer
        out = results[number]
        error_file = out.with_suffix(".error")
        pids.append(
            fork_writer(_gated, gate, work, root, number, operations, out, error_file=error_file)
        )
    gate.open()
    stats = WriterStats(writers=writers, operations=writers * operations)
    running = set(pids)
    while running:
        try:
            _read_everything(location)
        except CorruptDatabaseError as error:  # pragma: no cover - the failure being tested
            raise AssertionError(f"a reader saw a damaged file: {error}") from None
        stats.reads += 1
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                running.discard(pid)
                if os.waitstatus_to_exitcode(status) != 0:
                    errors = [r.with_suffix(".error") for r in results]
                    details = "".join(e.read_text() for e in errors if e.exists())
                    raise AssertionError(f"a writer failed:\n{details}")
    stats.seconds = time.perf_counter() - started
    # "At once" must hold: some moment when every writer had started and none had finished.
    spans = [json.loads(r.with_suffix(".times").read_text()) for r in results]
    assert max(s[0] for s in spans) < min(s[1] for s in spans), f"writers ran apart: {spans}"

    expected: dict[str, tuple[str, str]] = {}
    expected_tags: dict[str, set[str]] = {}
    for result in results:
        outcome = json.loads(result.read_text())
        for ident, (relpath, note) in outcome["annotations"].items():
            assert ident not in expected
            expected[ident] = (relpath, note)
        for relpath, tags in outcome["tags"].items():
            expected_tags.setdefault(relpath, set()).update(tags)
        stats.imports += outcome.get("imports", 0)
        stats.imported += outcome.get("imported", 0)
    store, found = stored_notes(root)
    assert store.notices.all() == []
    missing = expected.keys() - found.keys()
    extra = found.keys() - expected.keys()
    assert not missing, f"{len(missing)} writes lost"
    assert not extra, f"{len(extra)} deleted annotations came back"
    assert found == expected, "an edit was lost (or a stale import won)"
    index = json.loads((location / "index.json").read_text())
    relpaths = [record["relpath"] for record in index["documents"].values()]
    assert len(relpaths) == len(set(relpaths)), "a document was registered twice"
    for relpath in {*SHARED, *relpaths}:
        tags = set(store.document_notes(relpath).tags)
        assert tags == expected_tags.get(relpath, set()), f"document tags of {relpath} lost"
    _read_everything(location)
    stats.annotations = len(found)
    return stats


def four_writers(tmp_path: Path, monkeypatch: Any) -> tuple[Path, WriterStats, int]:
    """Four writers, one of them importing, on a new folder: (the folder, the outcome, the
    operations of each). Whatever the caller patched before is inherited by the forks."""
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))
    operations = int(os.environ.get("IPREADER_WRITER_OPS", "80"))
    root = tmp_path / "folder"
    root.mkdir()
    stats = run_writers(root, 4, operations, importers=1)
    assert stats.annotations > 0 and stats.reads > 0
    return root, stats, operations


@pytest.mark.slow
def test_four_writers_lose_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    _root, stats, operations = four_writers(tmp_path, monkeypatch)
    assert stats.imports == operations and stats.imported > operations


@pytest.mark.slow
def test_four_writers_lose_nothing_in_split_documents(tmp_path: Path, monkeypatch: Any) -> None:
    """The same, with documents split into buckets of at most 4 (the import subprocess keeps
    the normal size: two bucket sizes writing into one store)."""
    split_small(monkeypatch)
    root, _stats, _operations = four_writers(tmp_path, monkeypatch)
    assert [p for p in (root / ".ipreader" / "annotations").iterdir() if p.is_dir()]


@pytest.mark.slow
def test_four_writers_lose_nothing_with_every_batch_flushed_once(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The same over split documents, with every batch of two or more files made durable by
    one file system flush (``storage.SYNCFS_MIN_FILES`` lowered; forked writers inherit it):
    the imports' batches and the re-shards race the other writers on that path."""
    split_small(monkeypatch)
    flush_every_batch(tmp_path, monkeypatch)
    _root, stats, operations = four_writers(tmp_path, monkeypatch)
    assert stats.imports == operations and stats.imported > operations
