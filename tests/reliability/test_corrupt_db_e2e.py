"""Damaged databases, end to end: the CLI and the app start, tell the user, keep the bytes.

``test_corrupt_db.py`` checks the store itself; here the same kinds of damage
(truncated JSON, garbage bytes, zero bytes, UTF-16 text, valid JSON of the
wrong shape, a newer schema version) are applied to the index and to one
document's annotations file, and then the real entry points are used:

* ``python -m ipreader list|export FOLDER`` in a subprocess exits 0, prints
  the notice naming where the bad file went on stderr, and no traceback;
* ``IpreaderApp(paths=[folder]).run_test()`` lists the documents and shows a
  notification naming the moved-aside file (or the refusal);
* the damaged bytes are kept byte for byte (moved aside to
  ``<name>.corrupt-<timestamp>``, or left untouched for a newer schema);
* afterwards a new annotation can be saved, except in the newer-schema case,
  where the store stays read-only and the files unchanged.

A newer schema is only recorded in the index (``_meta``), so it is applied to
the index alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Posted, settle

from ipreader.core.errors import SchemaTooNewError
from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.store import SCHEMA_VERSION, FolderStore
from ipreader.tui.app import IpreaderApp

ALPHA = "Alpha article\n\nThe quick brown fox jumps over the lazy dog. The fox is quick.\n"
BETA = "Beta article\n\nA second article about a sleepy dog and a patient cat.\n"
SIZE = (120, 36)


def _newer_schema(raw: bytes) -> bytes:
    data = json.loads(raw)
    data["_meta"]["schema"]["version"] = SCHEMA_VERSION + 1
    return json.dumps(data).encode()


#: Damage applied to a whole file: name -> original bytes -> damaged bytes.
DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated json": lambda raw: raw[: len(raw) // 2],
    "garbage bytes": lambda raw: b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage",
    "zero bytes": lambda raw: b"",
    "utf-16 text": lambda raw: raw.decode("utf-8").encode("utf-16"),
    "json array": lambda raw: b'[{"annotations": {}}]',
    "tables are lists": lambda raw: b'{"_meta": [], "documents": [1], "annotations": [2]}',
}
CASES = [(kind, target) for kind in sorted(DAMAGE) for target in ("index", "annotations")]
CASES.append(("newer schema", "index"))


def build(root: Path, kind: str, target: str) -> tuple[Path, bytes, Annotation]:
    """Two annotated articles in ``root``; damage ``target`` with ``kind``.

    Returns the damaged file, its damaged bytes and the annotation of
    ``b.txt``, whose file is never damaged.
    """
    root.mkdir(parents=True)
    (root / "a.txt").write_text(ALPHA, encoding="utf-8")
    (root / "b.txt").write_text(BETA, encoding="utf-8")
    library = Library.open([root])
    saved: dict[str, Annotation] = {}
    for info in library.documents():
        text, _ = library.load(info)  # registers the document's hash, as the app does
        start = text.index("article")
        saved[info.relpath] = Annotation.create(text, start, start + 7, info.relpath, note="n")
        library.store_for(info).save_annotation(saved[info.relpath])
    location = library.collections[0].store.location
    if target == "index":
        path = location / "index.json"
    else:
        (path,) = [
            p
            for p in (location / "annotations").glob("*.json")
            if saved["a.txt"].id in p.read_text(encoding="utf-8")
        ]
    damaged = (_newer_schema if kind == "newer schema" else DAMAGE[kind])(path.read_bytes())
    path.write_bytes(damaged)
    return path, damaged, saved["b.txt"]


def database_files(location: Path) -> dict[str, bytes]:
    """The database files' bytes (the lock and the metadata cache are not the database)."""
    return {
        p.relative_to(location).as_posix(): p.read_bytes()
        for p in location.rglob("*")
        if p.is_file() and p.name not in ("lock", "cache.json")
    }


def moved_aside(path: Path) -> Path:
    """The one ``<name>.corrupt-*`` file beside ``path``."""
    moved = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    assert len(moved) == 1, moved
    return moved[0]


def assert_still_writable(root: Path) -> None:
    """A new annotation saves, and the folder then reopens with no notice."""
    note = Annotation.create(ALPHA, 6, 13, "a.txt", note="after the damage")
    FolderStore.open(root).save_annotation(note)
    reopened = FolderStore.open(root)
    assert note in reopened.annotations("a.txt")
    assert reopened.notices.all() == []


def run_ipreader(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m ipreader ARGV`` with the test's isolated data dir (bounded time)."""
    return subprocess.run(
        [sys.executable, "-m", "ipreader", *map(str, argv)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=60,
        env=dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1"),
        check=False,
    )


@pytest.mark.parametrize("command", ["list", "export"])
@pytest.mark.parametrize(("kind", "target"), CASES)
def test_cli_reports_the_damage_and_keeps_working(
    tmp_path: Path, kind: str, target: str, command: str
) -> None:
    root = tmp_path / "folder"
    path, damaged, kept = build(root, kind, target)
    before = database_files(path.parent if target == "index" else path.parent.parent)

    done = run_ipreader(command, root)

    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    if command == "list":
        assert "a.txt" in done.stdout and "b.txt" in done.stdout
    else:
        exported = {d["path"]: d for d in json.loads(done.stdout)["documents"]}
        assert [a["id"] for a in exported["b.txt"]["annotations"]] == [kept.id]
    if kind == "newer schema":
        assert f"ipreader: {path} was written by a newer ipreader" in done.stderr
        assert database_files(path.parent) == before  # untouched, byte for byte
        store = FolderStore.open(root)
        assert not store.writable
        with pytest.raises(SchemaTooNewError):
            store.save_annotation(Annotation.create(ALPHA, 0, 5, "a.txt"))
        assert database_files(path.parent) == before
        return
    moved = moved_aside(path)
    assert moved.read_bytes() == damaged
    # The notice says where the bytes went, on stderr, as an ``ipreader:`` line.
    assert any(
        line.startswith(f"ipreader: {path}") and str(moved) in line
        for line in done.stderr.splitlines()
    ), done.stderr
    assert_still_writable(root)


async def run_app(root: Path) -> tuple[list[str], list[str], list[str]]:
    """Start the app on ``root``, highlight "quick" in a.txt as a user would, quit.

    Returns the documents listed, the notifications shown once the library
    was open, and every notification at the end.
    """
    app = IpreaderApp(paths=[root])
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = app.main_screen
        listed = [d.relpath for d in screen.documents]
        at_start = posted.notices()
        info = next(d for d in screen.documents if d.relpath == "a.txt")
        screen.open_document(info)
        await settle(pilot)
        start = ALPHA.index("quick")
        screen.reader.select(start, start + len("quick"))
        await pilot.press("a")
        await settle(pilot)
        at_end = posted.notices()
    assert app.return_code in (None, 0)
    return listed, at_start, at_end


@pytest.mark.parametrize(("kind", "target"), CASES)
async def test_app_starts_and_saves(
    tmp_path: Path, app_settings: dict[str, object], kind: str, target: str
) -> None:
    root = tmp_path / "folder"
    path, damaged, kept = build(root, kind, target)
    location = path.parent if target == "index" else path.parent.parent
    before = database_files(location)

    listed, at_start, at_end = await run_app(root)

    assert listed == ["a.txt", "b.txt"]
    quotes = [a.quote for a in FolderStore.open(root).annotations("a.txt")]
    assert kept in FolderStore.open(root).annotations("b.txt")
    if kind == "newer schema":
        assert any(str(path) in m and "newer ipreader" in m for m in at_start), at_start
        # The highlight is refused with the reason, and nothing is written.
        assert any("newer ipreader" in m for m in at_end[len(at_start) :]), at_end
        assert "quick" not in quotes
        assert database_files(location) == before
        return
    moved = moved_aside(path)
    assert moved.read_bytes() == damaged
    if target == "index":
        assert any(str(moved) in m for m in at_start), at_start
    assert "quick" in quotes
    assert_still_writable(root)


@pytest.mark.parametrize("kind", ["garbage bytes"])
async def test_app_names_a_moved_aside_annotations_file(
    tmp_path: Path, app_settings: dict[str, object], kind: str
) -> None:
    root = tmp_path / "folder"
    path, _, _ = build(root, kind, "annotations")
    _, _, at_end = await run_app(root)
    moved = moved_aside(path)
    assert any(str(moved) in m for m in at_end), at_end
