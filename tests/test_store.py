"""FolderStore: CRUD, layout, locking, schema, fallback dir, reconcile, summaries."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from file_writes import replaced_files
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unprivileged import can_switch_user, run_as_nobody

from ipreader.core.errors import SchemaTooNewError, StoreError, StoreWriteError
from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes
from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.store import SCHEMA_VERSION, FolderStore, folder_store

TEXT = "The quick brown fox jumps over the lazy dog. " * 4


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "userdata"
    monkeypatch.setenv("IPREADER_DATA_DIR", str(path))
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT)
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").write_text(TEXT)
    return folder


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def highlight(relpath: str, start: int = 4, end: int = 9, **kw: Any) -> Annotation:
    return Annotation.create(TEXT, start, end, relpath, **kw)


def db_files(location: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(location)): p.read_bytes()
        for p in sorted(location.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


# ---------------------------------------------------------------- basics


def test_save_and_reopen(root: Path) -> None:
    store = FolderStore.open(root)
    assert store.location == folder_store_dir(root)
    assert store.writable and store.notices.all() == []
    first, second = highlight("a.txt", 10, 15, tags=["Animals"]), highlight("a.txt", 4, 9)
    store.save_annotation(first)
    store.save_annotation(second)
    assert store.annotations("a.txt") == [second, first]  # document order
    assert FolderStore.open(root).annotations("a.txt") == [second, first]
    assert FolderStore.open(root).annotations("sub/b.txt") == []


def test_save_is_an_upsert_by_id(root: Path) -> None:
    store = FolderStore.open(root)
    original = highlight("a.txt")
    store.save_annotation(original)
    edited = original.edited(note="a note", color="green", tags=["x"])
    store.save_annotation(edited)
    assert FolderStore.open(root).annotations("a.txt") == [edited]


def test_delete(root: Path) -> None:
    store = FolderStore.open(root)
    keep, drop = highlight("a.txt", 0, 3), highlight("a.txt", 4, 9)
    store.save_annotations([keep, drop])
    store.delete_annotation("a.txt", drop.id)
    store.delete_annotation("a.txt", "no-such-id")
    store.delete_annotation("unknown.txt", keep.id)
    assert FolderStore.open(root).annotations("a.txt") == [keep]


def test_all_annotations_groups_by_document(root: Path) -> None:
    store = FolderStore.open(root)
    a1, a2, b1 = highlight("a.txt", 0, 3), highlight("a.txt", 4, 9), highlight("sub/b.txt")
    store.save_annotations([a2, b1, a1])
    assert FolderStore.open(root).all_annotations() == {"a.txt": [a1, a2], "sub/b.txt": [b1]}


def test_paths_inside_are_relative_so_the_folder_can_move(root: Path, tmp_path: Path) -> None:
    store = FolderStore.open(root)
    note = highlight("sub/b.txt")
    store.save_annotation(note)
    store.set_document_notes("a.txt", DocumentNotes(("t",), "n"))
    for raw in db_files(store.location).values():
        assert str(root).encode() not in raw
    moved = tmp_path / "elsewhere"
    shutil.move(root, moved)
    reopened = FolderStore.open(moved)
    assert reopened.annotations("sub/b.txt") == [note]
    assert reopened.document_notes("a.txt") == DocumentNotes(("t",), "n")


def test_saving_one_annotation_rewrites_only_its_document_file(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotations([highlight("a.txt"), highlight("sub/b.txt")])
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in store.location.rglob("*.json")}
    store.save_annotation(highlight("a.txt", 20, 25))
    after = {p: (p.stat().st_ino, p.read_bytes()) for p in store.location.rglob("*.json")}
    changed = [p for p in before if before[p] != after[p]]
    assert len(changed) == 1
    assert changed[0].parent.name == "annotations"
    assert any(a.start == 20 for a in FolderStore.open(root).annotations("a.txt"))


def test_records_are_keyed_by_annotation_uuid(root: Path) -> None:
    store = FolderStore.open(root)
    note = highlight("a.txt")
    store.save_annotation(note)
    files = list((store.location / "annotations").glob("*.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text())
    assert list(data["annotations"]) == [note.id]


def test_no_temp_files_left_behind(root: Path) -> None:
    store = FolderStore.open(root)
    for i in range(5):
        store.save_annotation(highlight("a.txt", i, i + 3))
    store.set_reading_position("a.txt", 7)
    store.set_last_document("a.txt")
    assert not [p for p in store.location.rglob(".tmp-*")]


def test_stale_temp_files_are_swept_on_open_and_fresh_ones_kept(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt"))
    stale = store.location / "annotations" / ".tmp-x.json-dead"
    # A store file's temp is written under the lock: with the lock free it is a dead
    # writer's, however recent. One written without the lock goes only once old.
    locked_writer = store.location / ".tmp-index.json-live"
    fresh = store.location / ".tmp-probe-live"
    for path in (stale, locked_writer, fresh):
        path.write_bytes(b"partial")
    os.utime(stale, (0, 0))
    FolderStore.open(root)
    assert not stale.exists() and not locked_writer.exists() and fresh.exists()
    assert len(FolderStore.open(root).annotations("a.txt")) == 1


def test_missing_folder_is_never_created(tmp_path: Path, data_dir: Path) -> None:
    missing = tmp_path / "gone"
    store = FolderStore.open(missing)
    assert not missing.exists()
    assert store.location.is_relative_to(data_dir)


# ---------------------------------------------------------------- document data


def test_document_notes_position_and_last_document(root: Path) -> None:
    store = FolderStore.open(root)
    assert store.document_notes("a.txt") == DocumentNotes()
    assert store.reading_position("a.txt") == 0
    assert store.last_document() is None
    store.set_document_notes("a.txt", DocumentNotes(("One", " one ", "Two"), "my note"))
    store.set_reading_position("a.txt", 42)
    store.set_last_document("sub/b.txt")
    reopened = FolderStore.open(root)
    assert reopened.document_notes("a.txt") == DocumentNotes(("One", "Two"), "my note")
    assert reopened.reading_position("a.txt") == 42
    assert reopened.last_document() == "sub/b.txt"


def test_document_notes_changed_meanwhile_are_merged_not_overwritten(root: Path) -> None:
    """Two programs change one article's tags and note from the same version: both kept.

    (The later save replaced the other's note silently.)
    """
    start = DocumentNotes(("shared", "old"), "first")
    FolderStore.open(root).set_document_notes("a.txt", start)
    other = FolderStore.open(root)
    other.set_document_notes("a.txt", DocumentNotes(("shared", "old", "theirs"), "first THEIRS"))
    mine = DocumentNotes(("shared", "mine"), "first MINE")  # "old" removed, "mine" added
    kept = FolderStore.open(root).set_document_notes("a.txt", mine, base=start)
    assert kept == FolderStore.open(root).document_notes("a.txt")
    assert set(kept.tags) == {"shared", "mine", "theirs"}  # "old": removed by one side
    assert "first MINE" in kept.note and "first THEIRS" in kept.note
    # Unchanged meanwhile: the save is taken as it is; no base: as before, the last one.
    again = DocumentNotes(("x",), "only mine")
    assert FolderStore.open(root).set_document_notes("a.txt", again, base=kept) == again
    last = DocumentNotes((), "last")
    assert FolderStore.open(root).set_document_notes("a.txt", last) == last
    assert FolderStore.open(root).document_notes("a.txt") == last


def test_nothing_is_written_for_documents_without_data(root: Path) -> None:
    store = FolderStore.open(root)
    before = db_files(store.location)
    for i in range(50):
        name = f"doc{i}.txt"
        (root / name).write_text(f"text {i}")
        assert store.reconcile(name, sha(f"text {i}"), f"text {i}") == []
        store.set_reading_position(name, 0)
        store.set_document_notes(name, DocumentNotes())
    assert db_files(store.location) == before


# ---------------------------------------------------------------- tags and change token


def test_tag_counts_merge_case_and_count_document_tags(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotations(
        [
            highlight("a.txt", 0, 3, tags=["Physics", "ideas"]),
            highlight("a.txt", 4, 9, tags=["physics", "ideas"]),
            highlight("sub/b.txt", tags=["Physics"]),
        ]
    )
    store.set_document_notes("sub/b.txt", DocumentNotes(("IDEAS", "later"), ""))
    # Each tag is shown in its most used spelling.
    assert FolderStore.open(root).tag_counts() == {"Physics": 3, "ideas": 3, "later": 1}


def test_change_token_changes_after_own_and_foreign_writes(root: Path) -> None:
    mine, other = FolderStore.open(root), FolderStore.open(root)
    tokens = {mine.change_token()}
    note = highlight("a.txt")
    writes: list[Callable[[], None]] = [
        lambda: other.save_annotation(note),
        lambda: other.save_annotation(note.edited(note="x")),
        lambda: mine.set_reading_position("a.txt", 3),
        lambda: other.delete_annotation("a.txt", note.id),
        lambda: other.set_last_document("a.txt"),
    ]
    for write in writes:
        write()
        token = mine.change_token()
        assert token not in tokens
        tokens.add(token)


def test_change_token_is_stable_without_writes(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt"))
    old = time_shift(store.location, seconds=-60)
    assert old
    assert store.change_token() == store.change_token()


def time_shift(location: Path, seconds: int) -> list[Path]:
    """Age every file of a store so its timestamps are no longer 'recent'."""
    shifted = []
    for path in [location, *location.rglob("*")]:
        st_ = path.stat()
        os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + seconds * 1_000_000_000))
        shifted.append(path)
    return shifted


# ---------------------------------------------------------------- cross-process lock


def test_lock_timeout_is_a_clear_store_error(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FolderStore.open(root)
    monkeypatch.setattr(folder_store, "LOCK_TIMEOUT", 0.2)
    store = FolderStore.open(root)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock\n"
            f"lock = FileLock({str(store.location / 'lock')!r}); lock.acquire()\n"
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match="lock"):
            store.save_annotation(highlight("a.txt"))
    finally:
        holder.kill()
        holder.wait()
    store.save_annotation(highlight("a.txt"))
    assert len(store.annotations("a.txt")) == 1


def test_two_stores_in_one_process_do_not_lose_writes(root: Path) -> None:
    first, second = FolderStore.open(root), FolderStore.open(root)
    notes = [highlight("a.txt", i, i + 2) for i in range(10)]
    for i, note in enumerate(notes):
        (first if i % 2 else second).save_annotation(note)
    assert {a.id for a in FolderStore.open(root).annotations("a.txt")} == {n.id for n in notes}


def test_threads_sharing_a_store_do_not_lose_writes(root: Path) -> None:
    import threading

    store = FolderStore.open(root)
    notes = [highlight("a.txt" if i % 2 else "sub/b.txt", i, i + 2) for i in range(40)]

    def work(part: list[Annotation]) -> None:
        for note in part:
            store.save_annotation(note)

    threads = [threading.Thread(target=work, args=(notes[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = FolderStore.open(root).all_annotations()
    assert sorted(a.id for v in saved.values() for a in v) == sorted(n.id for n in notes)
    index = json.loads((folder_store_dir(root) / "index.json").read_text())
    assert len(index["documents"]) == 2  # each document registered once


def test_reads_see_every_write_of_another_store_even_same_size_ones(root: Path) -> None:
    reader, writer = FolderStore.open(root), FolderStore.open(root)
    note = highlight("a.txt", note="n000")
    writer.save_annotation(note)
    for i in range(60):
        # Same-length notes: same file size, and inode numbers get reused.
        note = note.edited(note=f"n{i:03d}")
        writer.save_annotation(note)
        assert reader.annotations("a.txt") == [note]
        assert reader.all_annotations() == {"a.txt": [note]}


def test_filelock_is_the_folder_lock(root: Path) -> None:
    store = FolderStore.open(root)
    with FileLock(str(store.location / "lock"), timeout=0):
        pass  # the store does not hold it between operations


# ---------------------------------------------------------------- schema


def test_schema_is_recorded(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt"))
    meta = json.loads((store.location / "index.json").read_text())["_meta"]
    assert meta["schema"]["version"] == SCHEMA_VERSION


def write_newer_schema(root: Path, note: Annotation) -> dict[str, bytes]:
    store = FolderStore.open(root)
    store.save_annotation(note)
    index = store.location / "index.json"
    data = json.loads(index.read_text())
    data["_meta"]["schema"]["version"] = SCHEMA_VERSION + 1
    index.write_text(json.dumps(data))
    return db_files(store.location)


def test_newer_schema_is_read_only_and_never_rewritten(root: Path) -> None:
    note = highlight("a.txt")
    before = write_newer_schema(root, note)
    store = FolderStore.open(root)
    assert not store.writable
    (message,) = store.notices.all()
    assert str(store.location / "index.json") in message
    assert f"schema {SCHEMA_VERSION + 1}" in message and str(SCHEMA_VERSION) in message
    assert store.annotations("a.txt") == [note]  # reads still work
    with pytest.raises(SchemaTooNewError):
        store.save_annotation(highlight("a.txt", 0, 3))
    with pytest.raises(SchemaTooNewError):
        store.set_document_notes("a.txt", DocumentNotes(("x",), ""))
    with pytest.raises(SchemaTooNewError):
        store.delete_annotation("a.txt", note.id)
    assert store.reconcile("a.txt", sha("changed " + TEXT), "changed " + TEXT)
    assert db_files(store.location) == before


def test_schema_upgraded_by_another_process_stops_writes(root: Path) -> None:
    store = FolderStore.open(root)
    before = write_newer_schema(root, highlight("a.txt"))
    with pytest.raises(SchemaTooNewError):
        store.save_annotation(highlight("a.txt", 0, 3))
    assert not store.writable
    assert db_files(store.location) == before


# ---------------------------------------------------------------- corrupt files


def test_corrupt_annotations_file_is_moved_aside_with_a_notice(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt"))
    keep = highlight("sub/b.txt")
    store.save_annotation(keep)
    (bad,) = [
        p for p in (store.location / "annotations").glob("*.json") if keep.id not in p.read_text()
    ]
    bad.write_bytes(b'{"annotations": {"x": ')
    fresh = FolderStore.open(root)
    assert fresh.annotations("a.txt") == []
    (notice,) = fresh.notices.all()
    moved = [p for p in bad.parent.iterdir() if ".corrupt-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == b'{"annotations": {"x": '
    assert str(moved[0]) in notice and "nothing deleted" in notice
    assert fresh.annotations("sub/b.txt") == [keep]
    again = highlight("a.txt", 0, 3)
    fresh.save_annotation(again)
    assert FolderStore.open(root).annotations("a.txt") == [again]


def test_corrupt_index_is_moved_aside_and_rebuilt_from_annotation_files(root: Path) -> None:
    store = FolderStore.open(root)
    a, b = highlight("a.txt"), highlight("sub/b.txt")
    store.save_annotations([a, b])
    index = store.location / "index.json"
    index.write_bytes(b"\x00garbage")
    fresh = FolderStore.open(root)
    assert fresh.all_annotations() == {"a.txt": [a], "sub/b.txt": [b]}
    assert any("rebuilt" in n for n in fresh.notices.all())
    (moved,) = store.location.glob("index.json.corrupt-*")
    assert moved.read_bytes() == b"\x00garbage"


#: The id of a hand-broken annotation record (ids are UUIDs; a record keyed otherwise is bad too).
BROKEN = "00000000-0000-4000-8000-00000000b0c0"


def test_bad_records_are_skipped_but_kept_in_the_file(root: Path) -> None:
    store = FolderStore.open(root)
    good = highlight("a.txt")
    store.save_annotation(good)
    (path,) = (store.location / "annotations").glob("*.json")
    data = json.loads(path.read_text())
    data["annotations"][BROKEN] = {"start": "zero", "end": 3}
    path.write_text(json.dumps(data))
    fresh = FolderStore.open(root)
    assert fresh.annotations("a.txt") == [good]
    (notice,) = fresh.notices.all()
    # Named by its id and the field the decoder refused.
    assert str(path) in notice and f"{BROKEN} (start must be an integer, not str)" in notice
    fresh.save_annotation(highlight("a.txt", 0, 3))
    assert json.loads(path.read_text())["annotations"][BROKEN] == {"start": "zero", "end": 3}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"relpath": ""}, "relpath is missing"),
        ({"relpath": 7}, "relpath must be a string"),
        ({"position": True}, "position must be an integer"),
        ({"tags": "x"}, "tags must be a list of strings"),
        ({"note": ["n"]}, "note must be a string"),
    ],
)
def test_bad_document_records_are_skipped_reported_and_kept(
    root: Path, change: dict[str, Any], field: str
) -> None:
    store = FolderStore.open(root)
    store.set_document_notes("a.txt", DocumentNotes(("t",), "n"))
    store.set_reading_position("sub/b.txt", 5)
    index = store.location / "index.json"
    data = json.loads(index.read_text())
    (bad_id,) = [k for k, v in data["documents"].items() if v["relpath"] == "sub/b.txt"]
    data["documents"][bad_id].update(change)
    index.write_text(json.dumps(data))
    fresh = FolderStore.open(root)
    assert fresh.document_notes("a.txt") == DocumentNotes(("t",), "n")
    assert fresh.reading_position("sub/b.txt") == 0  # skipped
    (notice,) = fresh.notices.all()
    assert f"{bad_id} ({field}" in notice and "kept in the file" in notice
    fresh.set_document_notes("a.txt", DocumentNotes(("u",), "n"))
    assert json.loads(index.read_text())["documents"][bad_id] == data["documents"][bad_id]


def test_many_document_tags_are_never_a_reason_to_skip_a_record(root: Path) -> None:
    store = FolderStore.open(root)
    tags = (*(f"tag {n}" for n in range(500)), "t" * 300)
    store.set_document_notes("a.txt", DocumentNotes(tags, ""))
    assert FolderStore.open(root).document_notes("a.txt").tags == tags


def test_zero_byte_database_file_is_set_aside_with_a_notice(root: Path) -> None:
    store = FolderStore.open(root)
    note = highlight("a.txt")
    store.save_annotation(note)
    (store.location / "index.json").write_bytes(b"")
    fresh = FolderStore.open(root)
    assert fresh.all_annotations() == {"a.txt": [note]}  # rebuilt from the annotation file
    (moved,) = store.location.glob("index.json.corrupt-*")
    assert any("0 bytes" in n and str(moved) in n for n in fresh.notices.all())
    fresh.save_annotation(highlight("a.txt", 0, 3))
    assert len(FolderStore.open(root).annotations("a.txt")) == 2


# ---------------------------------------------------------------- read-only folders


def deny_writes_under(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make every create/mkdir under ``folder`` fail as on a read-only folder."""
    real_open, real_mkdir = os.open, os.mkdir

    def guarded_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and Path(path).is_relative_to(folder):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).is_relative_to(folder):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)


def test_read_only_folder_uses_the_fallback_dir(
    root: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    deny_writes_under(monkeypatch, root)
    store = FolderStore.open(root)
    assert store.writable
    assert store.location == fallback_store_dir(root)
    assert store.location.is_relative_to(data_dir)
    (notice,) = store.notices.all()
    assert str(store.location) in notice and str(folder_store_dir(root)) in notice
    note = highlight("a.txt")
    store.save_annotation(note)
    assert FolderStore.open(root).annotations("a.txt") == [note]
    assert not folder_store_dir(root).exists()


def test_read_only_folder_with_existing_database_keeps_its_annotations(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = highlight("a.txt")
    FolderStore.open(root).save_annotation(note)
    original = db_files(folder_store_dir(root))
    deny_writes_under(monkeypatch, root)
    store = FolderStore.open(root)
    assert store.location == fallback_store_dir(root)
    assert store.annotations("a.txt") == [note]
    store.save_annotation(highlight("a.txt", 0, 3))
    assert db_files(folder_store_dir(root)) == original


def test_nowhere_writable_is_read_only_with_a_notice(
    root: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    note = highlight("a.txt")
    FolderStore.open(root).save_annotation(note)
    deny_writes_under(monkeypatch, root)
    deny_writes_under(monkeypatch, data_dir)
    store = FolderStore.open(root)
    assert not store.writable and store.notices.all()
    assert store.annotations("a.txt") == [note]
    with pytest.raises(StoreWriteError):
        store.save_annotation(highlight("a.txt", 0, 3))


def test_use_fallback_never_touches_a_writable_folder(root: Path, data_dir: Path) -> None:
    store = FolderStore.open(root, use_fallback=True)
    assert store.writable and store.notices.all() == []
    assert store.location == fallback_store_dir(root) and store.location.is_relative_to(data_dir)
    note = highlight("a.txt")
    store.save_annotation(note)
    assert not folder_store_dir(root).exists()
    assert FolderStore.open(root, use_fallback=True).annotations("a.txt") == [note]


def test_use_fallback_still_checks_the_schema_and_sweeps_temp_files(root: Path) -> None:
    store = FolderStore.open(root, use_fallback=True)
    store.save_annotation(highlight("a.txt"))
    stale = store.location / "annotations" / ".tmp-x.json-dead"
    stale.write_bytes(b"partial")
    os.utime(stale, (0, 0))
    FolderStore.open(root, use_fallback=True)
    assert not stale.exists()
    index = store.location / "index.json"
    data = json.loads(index.read_text())
    data["_meta"]["schema"]["version"] = SCHEMA_VERSION + 1
    index.write_text(json.dumps(data))
    newer = FolderStore.open(root, use_fallback=True)
    assert not newer.writable and "schema" in newer.notices.all()[0]
    with pytest.raises(SchemaTooNewError):
        newer.save_annotation(highlight("a.txt", 0, 3))


def test_use_fallback_unwritable_is_read_only_with_a_notice(
    root: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    deny_writes_under(monkeypatch, data_dir)
    store = FolderStore.open(root, use_fallback=True)
    assert not store.writable
    (notice,) = store.notices.all()
    assert str(fallback_store_dir(root)) in notice and "read-only" in notice
    with pytest.raises(StoreWriteError):
        store.save_annotation(highlight("a.txt"))
    assert not folder_store_dir(root).exists()


def test_a_non_utf8_relpath_is_saved_and_read_back(root: Path) -> None:
    relpath = "bad\udcff.txt"  # what os.listdir gives for the bytes b"bad\xff.txt"
    store = FolderStore.open(root)
    note = highlight(relpath)
    store.save_annotation(note)
    store.set_document_notes(relpath, DocumentNotes(("t",), "n"))
    store.set_last_document(relpath)
    index = (store.location / "index.json").read_bytes()
    assert b"bad\\udcff.txt" in index  # a JSON escape: the file stays valid UTF-8
    index.decode("utf-8")
    again = FolderStore.open(root)
    assert again.annotations(relpath) == [note]
    assert again.document_notes(relpath) == DocumentNotes(("t",), "n")
    assert again.last_document() == relpath and again.notices.all() == []


@pytest.fixture
def nobody_dirs() -> Iterator[tuple[Path, Path]]:
    """A folder and a data dir outside pytest's 0700 basetemp, reachable by uid 65534."""
    folder = Path(tempfile.mkdtemp(prefix="ipreader-ro-"))
    data = Path(tempfile.mkdtemp(prefix="ipreader-data-"))
    try:
        (folder / "a.txt").write_text(TEXT)
        os.chmod(folder, 0o755)
        os.chmod(data, 0o777)
        yield folder, data
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.parametrize("read_only", ["folder", "database files"])
def test_really_read_only_as_an_unprivileged_user(
    nobody_dirs: tuple[Path, Path], read_only: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not can_switch_user():
        pytest.skip("needs root to switch to uid 65534 (as a plain user, chmod is enough)")
    folder, data = nobody_dirs
    monkeypatch.setenv("IPREADER_DATA_DIR", str(data))
    existing = highlight("a.txt", 0, 3)
    if read_only == "database files":
        # The folder and .ipreader are writable by the user; the database files are not.
        FolderStore.open(folder).save_annotation(existing)
        for path in [folder, *folder.rglob("*")]:
            os.chmod(path, 0o777 if path.is_dir() else 0o444)

    def save_as_nobody() -> dict[str, Any]:
        store = FolderStore.open(folder)
        text = (folder / "a.txt").read_text()
        saved = Annotation.create(text, 4, 9, "a.txt")
        store.save_annotation(saved)
        again = FolderStore.open(folder)
        return {
            "saved": saved.id,
            "location": str(store.location),
            "notices": store.notices.all(),
            "count": len(again.annotations("a.txt")),
        }

    report = run_as_nobody(save_as_nobody)
    assert "crash" not in report, report
    assert Path(report["location"]).is_relative_to(data)
    assert len(report["notices"]) == 1 and str(folder) in report["notices"][0]
    if read_only == "folder":
        assert report["count"] == 1
        assert not (folder / ".ipreader").exists()
    else:
        assert report["count"] == 2  # the existing annotation was carried over
        # Writable for root: nobody's highlight, saved in the fallback, is merged back.
        again = FolderStore.open(folder)
        assert [a.id for a in again.annotations("a.txt")] == [existing.id, report["saved"]]
        assert "merged back" in again.notices.all()[0]


# ---------------------------------------------------------------- failing disk


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EACCES])
def test_failed_save_raises_and_keeps_the_previous_file(
    root: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    store = FolderStore.open(root)
    first = highlight("a.txt")
    store.save_annotation(first)
    before = db_files(store.location)

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(code, os.strerror(code))

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", full)
        with pytest.raises(StoreWriteError, match=os.strerror(code)):
            store.save_annotation(first.edited(note="lost?"))
    assert db_files(store.location) == before
    assert FolderStore.open(root).annotations("a.txt") == [first]


# ---------------------------------------------------------------- reconcile


def test_reconcile_unchanged_document_returns_its_annotations(root: Path) -> None:
    store = FolderStore.open(root)
    assert store.reconcile("a.txt", sha(TEXT), TEXT) == []
    note = highlight("a.txt")
    store.save_annotation(note)
    before = db_files(store.location)
    assert store.reconcile("a.txt", sha(TEXT), TEXT) == [note]
    assert db_files(store.location) == before


def test_reconcile_reanchors_when_the_text_changed(root: Path) -> None:
    store = FolderStore.open(root)
    store.reconcile("a.txt", sha(TEXT), TEXT)
    fox = highlight("a.txt", 16, 19)
    assert fox.quote == "fox"
    store.save_annotation(fox)
    new_text = "PREFACE. " + TEXT
    (root / "a.txt").write_text(new_text)
    result = store.reconcile("a.txt", sha(new_text), new_text)
    assert [(a.id, a.start, a.quote, a.status) for a in result] == [
        (fox.id, 25, "fox", AnchorStatus.MOVED)
    ]
    fresh = FolderStore.open(root)
    assert fresh.annotations("a.txt") == result
    before = db_files(store.location)
    assert fresh.reconcile("a.txt", sha(new_text), new_text) == result
    assert db_files(store.location) == before


def test_reconcile_adopts_a_renamed_document(root: Path) -> None:
    store = FolderStore.open(root)
    store.reconcile("a.txt", sha(TEXT), TEXT)
    note = highlight("a.txt")
    store.save_annotation(note)
    store.set_document_notes("a.txt", DocumentNotes(("kept",), "note"))
    (root / "a.txt").rename(root / "renamed.txt")
    result = FolderStore.open(root).reconcile("renamed.txt", sha(TEXT), TEXT)
    assert [a.id for a in result] == [note.id] and result[0].document == "renamed.txt"
    fresh = FolderStore.open(root)
    assert fresh.annotations("renamed.txt") == result
    assert fresh.document_notes("renamed.txt") == DocumentNotes(("kept",), "note")
    assert fresh.annotations("a.txt") == []


def test_reconcile_does_not_adopt_from_a_copy_that_still_exists(root: Path) -> None:
    store = FolderStore.open(root)
    store.reconcile("a.txt", sha(TEXT), TEXT)
    store.save_annotation(highlight("a.txt"))
    (root / "copy.txt").write_text(TEXT)
    assert store.reconcile("copy.txt", sha(TEXT), TEXT) == []
    assert len(store.annotations("a.txt")) == 1


# ---------------------------------------------------------------- model-based property test

_ops = st.lists(
    st.tuples(
        st.sampled_from(["save", "edit", "delete", "position"]),
        st.sampled_from(["a.txt", "sub/b.txt", "c.md"]),
        st.integers(0, 30),
    ),
    max_size=15,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_ops)
def test_store_matches_a_dict_model(tmp_path_factory: Any, ops: list[tuple[str, str, int]]) -> None:
    folder = tmp_path_factory.mktemp("model")
    store = FolderStore.open(folder)
    model: dict[str, dict[str, Annotation]] = {}
    positions: dict[str, int] = {}
    for op, relpath, n in ops:
        notes = model.setdefault(relpath, {})
        if op == "save" or (op in ("edit", "delete") and not notes):
            note = highlight(relpath, n, n + 5)
            notes[note.id] = note
            store.save_annotation(note)
        elif op == "edit":
            old = sorted(notes)[n % len(notes)]
            notes[old] = notes[old].edited(note=f"edit {n}")
            store.save_annotation(notes[old])
        elif op == "delete":
            old = sorted(notes)[n % len(notes)]
            del notes[old]
            store.delete_annotation(relpath, old)
        else:
            positions[relpath] = n
            store.set_reading_position(relpath, n)
    reopened = FolderStore.open(folder)
    for relpath in ("a.txt", "sub/b.txt", "c.md"):
        expected = sorted(
            model.get(relpath, {}).values(), key=lambda a: (a.start, a.end, a.created, a.id)
        )
        assert reopened.annotations(relpath) == expected
        assert reopened.reading_position(relpath) == positions.get(relpath, 0)


# ---------------------------------------------------------------- batches (export/import scale)


def test_saving_many_new_documents_writes_the_index_once(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt"))
    notes = [highlight(f"doc{n}.txt", n, n + 4) for n in range(30)]
    written = replaced_files(monkeypatch)
    store.save_annotations(notes)
    index = store.location / "index.json"
    assert written.count(index) == 1
    assert len([p for p in written if p.parent.name == "annotations"]) == 30
    again = FolderStore.open(root)
    assert all(again.annotations(n.document) == [n] for n in notes)
    assert not list(store.location.rglob(".tmp-*"))


def test_set_documents_notes_is_one_write_and_stays_lazy(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FolderStore.open(root)
    written = replaced_files(monkeypatch)
    store.set_documents_notes(
        {
            "a.txt": DocumentNotes(("x", "X "), "note a"),
            "sub/b.txt": DocumentNotes((), "note b"),
            "nothing.txt": DocumentNotes(),  # unregistered and empty: not written
        }
    )
    # A fresh folder: the schema and every document at once.
    assert written == [store.location / "index.json"]
    again = FolderStore.open(root)
    assert again.document_notes("a.txt") == DocumentNotes(("x",), "note a")
    assert again.document_notes("sub/b.txt") == DocumentNotes((), "note b")
    assert "nothing.txt" not in again.stored_documents()
    written.clear()
    store.set_documents_notes({"a.txt": DocumentNotes(("x",), "note a")})  # unchanged
    assert written == []


def test_stored_documents_is_one_read_of_everything(root: Path) -> None:
    store = FolderStore.open(root)
    first, second = highlight("a.txt", 0, 3), highlight("a.txt", 10, 15)
    store.save_annotations([second, first])
    store.set_document_notes("sub/b.txt", DocumentNotes(("t",), ""))
    store.reconcile("a.txt", sha(TEXT), TEXT)
    documents = FolderStore.open(root).stored_documents()
    assert set(documents) == {"a.txt", "sub/b.txt"}
    a, b = documents["a.txt"], documents["sub/b.txt"]
    assert a.annotations == (first, second) and a.sha256 == sha(TEXT) and not a.empty
    assert b.annotations == () and b.notes == DocumentNotes(("t",), "") and b.sha256 is None
    assert not b.empty


def test_reconcile_many_writes_only_what_changed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FolderStore.open(root)
    kept, moved = highlight("a.txt", 4, 9), highlight("sub/b.txt", 4, 9)
    store.save_annotations([kept, moved])
    store.reconcile("sub/b.txt", sha(TEXT), TEXT)
    edited = "New words. " + TEXT
    written = replaced_files(monkeypatch)
    # a.txt was never hashed and its text is the same: only its hash is recorded.
    result = store.reconcile_many([("a.txt", sha(TEXT), TEXT), ("sub/b.txt", sha(edited), edited)])
    index = store.location / "index.json"
    assert written.count(index) == 1
    b_file = [p for p in written if p.parent.name == "annotations"]
    assert len(b_file) == 1  # only b's annotations moved
    assert result["a.txt"] == [kept]
    [now] = result["sub/b.txt"]
    assert now.status is AnchorStatus.MOVED and edited[now.start : now.end] == moved.quote
    documents = FolderStore.open(root).stored_documents()
    assert documents["a.txt"].sha256 == sha(TEXT) and documents["sub/b.txt"].sha256 == sha(edited)
    written.clear()
    assert store.reconcile_many([("a.txt", sha(TEXT), TEXT)]) == {"a.txt": [kept]}
    assert written == []  # hashes match: read only
