"""A disk that fails during a save (ENOSPC, EIO, EACCES): old files intact, a clear error.

Each kind of store write is attempted while one of ``os.write``, ``os.fsync``
or ``os.replace`` fails, on the first or on a later call. The save must raise
``StoreWriteError`` (whose message names the file), leave every database file
byte-identical to before (or, for a multi-file save interrupted after its
first file, leave a state that reopens cleanly), leave no temp files, and the
store must work again once the disk recovers.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader import cli
from ipreader.core.errors import StoreWriteError
from ipreader.core.export import EXPORT_FORMAT_NAME, EXPORT_VERSION
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore

TEXT = "Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit. " * 4


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


def snapshot(location: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(location)): p.read_bytes()
        for p in location.rglob("*")
        if p.is_file() and p.name != "lock"
    }


existing = Annotation.create(TEXT, 0, 5, "a.txt", note="before")

SAVES: dict[str, Callable[[FolderStore], object]] = {
    "edit annotation": lambda s: s.save_annotation(existing.edited(note="after")),
    "new annotation": lambda s: s.save_annotation(Annotation.create(TEXT, 6, 9, "a.txt")),
    "first annotation of a new document": lambda s: s.save_annotation(
        Annotation.create(TEXT, 6, 9, "new.txt")
    ),
    "batch over two documents": lambda s: s.save_annotations(
        [existing.edited(note="after"), Annotation.create(TEXT, 1, 4, "b.txt")]
    ),
    "delete": lambda s: s.delete_annotation("a.txt", existing.id),
    "notes": lambda s: s.set_document_notes("a.txt", DocumentNotes(("t",), "n")),
    "position": lambda s: s.set_reading_position("a.txt", 12),
    "last document": lambda s: s.set_last_document("a.txt"),
    "reconcile": lambda s: s.reconcile("a.txt", "f" * 64, "changed. " + TEXT),
}


class FailingCall:
    """Replace ``os.<name>`` so that call number ``nth`` (and later ones) raise ``code``."""

    def __init__(self, name: str, nth: int, code: int) -> None:
        self.real = getattr(os, name)
        self.nth, self.code, self.calls = nth, code, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls >= self.nth:
            raise OSError(self.code, os.strerror(self.code))
        return self.real(*args, **kwargs)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EACCES])
@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
@pytest.mark.parametrize("save", sorted(SAVES))
def test_failed_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, save: str, call: str, code: int
) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    for name in ("a.txt", "b.txt", "new.txt"):
        (root / name).write_text(TEXT)
    store = FolderStore.open(root)
    store.reconcile("a.txt", "a" * 64, TEXT)
    store.save_annotation(existing)
    store.set_last_document("b.txt")
    before = snapshot(store.location)

    failing = FailingCall(call, 1, code)
    with monkeypatch.context() as patch:
        patch.setattr(os, call, failing)
        with pytest.raises(StoreWriteError) as raised:
            SAVES[save](store)
    assert os.strerror(code) in str(raised.value)
    assert str(store.location) in str(raised.value)
    assert snapshot(store.location) == before
    assert not list(store.location.rglob(".tmp-*"))

    # The disk recovered: the same save now succeeds and the folder reopens cleanly.
    SAVES[save](store)
    reopened = FolderStore.open(root)
    assert reopened.notices.all() == []
    reopened.all_annotations()


@pytest.mark.parametrize("save", ["first annotation of a new document", "batch over two documents"])
def test_failure_on_a_later_file_of_a_multi_file_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, save: str
) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    store = FolderStore.open(root)
    store.save_annotation(existing)
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", FailingCall("replace", 2, errno.ENOSPC))
        with pytest.raises(StoreWriteError):
            SAVES[save](store)
    assert not list(store.location.rglob(".tmp-*"))
    reopened = FolderStore.open(root)
    assert reopened.notices.all() == []
    assert existing.id in {a.id for a in reopened.annotations("a.txt")}
    SAVES[save](store)
    assert FolderStore.open(root).notices.all() == []


# ------------------------------------------------------------------ through the CLI


def _export_file(path: Path, documents: dict[str, list[Annotation]], tag: str) -> Path:
    """Write an ipreader JSON export of ``documents`` (each document tagged ``tag``)."""
    data = {
        "format": EXPORT_FORMAT_NAME,
        "version": EXPORT_VERSION,
        "documents": [
            {"path": relpath, "tags": [tag], "annotations": [a.to_dict() for a in annotations]}
            for relpath, annotations in documents.items()
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _import_setup(tmp_path: Path) -> tuple[Path, Path, list[Annotation]]:
    """A folder with one imported annotation, and a second export adding and updating.

    Returns the folder, the second export and the annotations it carries.
    """
    root = tmp_path / "folder"
    root.mkdir()
    for name in ("a.txt", "b.txt"):
        (root / name).write_text(TEXT)
    first = _export_file(tmp_path / "first.json", {"a.txt": [existing]}, "old")
    assert cli.main(["import", str(first), str(root)]) == 0
    changed = existing.edited(note="after")  # a newer revision: the import replaces it
    added_a = Annotation.create(TEXT, 6, 9, "a.txt", note="new in a")
    added_b = Annotation.create(TEXT, 1, 4, "b.txt", note="new in b")
    second = _export_file(
        tmp_path / "second.json", {"a.txt": [changed, added_a], "b.txt": [added_b]}, "new"
    )
    return root, second, [changed, added_a, added_b]


@pytest.mark.parametrize("call", ["replace", "fsync"])
def test_cli_import_on_a_full_disk_fails_clearly_and_changes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    call: str,
) -> None:
    root, second, imported = _import_setup(tmp_path)
    location = FolderStore.open(root).location
    before = snapshot(location)
    capsys.readouterr()

    with monkeypatch.context() as patch:
        patch.setattr(os, call, FailingCall(call, 1, errno.ENOSPC))
        code = cli.main(["import", str(second), str(root)])
    out, err = capsys.readouterr()

    assert code == 1
    assert out == ""  # no "Imported ..." report for an import that did not happen
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith(f"ipreader: could not save {location}")
    assert os.strerror(errno.ENOSPC) in line and "unchanged" in line
    assert snapshot(location) == before  # every database file byte-identical
    assert not list(location.rglob(".tmp-*"))

    # Once the disk has room again, the same import does everything.
    assert cli.main(["import", str(second), str(root)]) == 0
    assert "added 2, updated 1, unchanged 0, rejected 0" in capsys.readouterr().out
    stored = FolderStore.open(root).all_annotations()
    assert {a.id: a.note for notes in stored.values() for a in notes} == {
        a.id: a.note for a in imported
    }


def test_cli_import_failing_on_a_later_file_reopens_cleanly_and_can_be_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failure after the import's first file: a clear error, a sound folder, a rerun works.

    The import writes its document tags, then its annotation files; a failure
    in between leaves the tags written (the import is not atomic across files),
    so only soundness is asserted here, not byte-identity.
    """
    root, second, imported = _import_setup(tmp_path)
    capsys.readouterr()
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", FailingCall("replace", 2, errno.ENOSPC))
        code = cli.main(["import", str(second), str(root)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "Traceback" not in err
    assert err.startswith("ipreader: could not save ") and os.strerror(errno.ENOSPC) in err
    reopened = FolderStore.open(root)
    assert reopened.notices.all() == []
    assert not list(reopened.location.rglob(".tmp-*"))

    assert cli.main(["import", str(second), str(root)]) == 0
    capsys.readouterr()
    stored = FolderStore.open(root).all_annotations()
    assert {a.id: a.note for notes in stored.values() for a in notes} == {
        a.id: a.note for a in imported
    }
