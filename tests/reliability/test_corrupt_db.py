"""Damaged database files: kept byte for byte, the user told, the store keeps working.

For the index, one annotations file and the state file, every kind of damage
(truncation at any offset, byte flips, garbage, zero bytes, UTF-16, valid JSON
of the wrong shape, a newer schema) must leave the original bytes somewhere
(in place, or moved aside to ``<name>.corrupt-<timestamp>``), produce a
notice naming that place, and never raise out of the store.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipreader.core.errors import SchemaTooNewError
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import SCHEMA_VERSION, FolderStore

TEXT = "At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis. " * 4


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


def make_folder(root: Path) -> tuple[FolderStore, dict[str, Path], Annotation, Annotation]:
    """A folder with two annotated documents, notes and state; returns its files."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("a.txt", "b.txt"):
        (root / name).write_text(TEXT)
    store = FolderStore.open(root)
    a = Annotation.create(TEXT, 3, 9, "a.txt", note="kept a", tags=["x"])
    b = Annotation.create(TEXT, 10, 20, "b.txt", note="kept b")
    store.save_annotations([a, b])
    store.set_document_notes("b.txt", DocumentNotes(("doc",), "doc note"))
    store.set_last_document("b.txt")
    (a_file,) = [
        p for p in (store.location / "annotations").glob("*.json") if a.id in p.read_text()
    ]
    files = {
        "index": store.location / "index.json",
        "annotations": a_file,
        "state": store.location / "state.json",
    }
    return store, files, a, b


def exercise(root: Path) -> FolderStore:
    """Use every store entry point the app uses; any exception fails the test."""
    store = FolderStore.open(root)
    store.all_annotations()
    store.annotations("a.txt")
    store.annotations("b.txt")
    store.tag_counts()
    store.document_notes("b.txt")
    store.reading_position("a.txt")
    store.last_document()
    store.change_token()
    if store.writable:
        store.reconcile("a.txt", "0" * 64, TEXT)
        store.save_annotation(Annotation.create(TEXT, 0, 2, "a.txt"))
        store.set_last_document("a.txt")
    return store


def assert_bytes_kept(path: Path, damaged: bytes, store: FolderStore) -> None:
    """The damaged bytes are still on disk, in place or moved aside with a notice."""
    moved = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    if moved:
        assert [p.read_bytes() for p in moved] == [damaged]
        assert any(str(moved[0]) in notice for notice in store.notices.all()), store.notices.all()
    else:
        # Still an ipreader file (e.g. a bad field in one record): left in place, and
        # every record it had is still there (unreadable ones skipped, never dropped).
        before = json.loads(damaged)
        after = json.loads(path.read_bytes())
        for table, records in before.items():
            assert set(records) <= set(after[table])


WHOLE_FILE_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "zero bytes": lambda raw: b"",
    "garbage": lambda raw: b"\x89PNG\r\n\x1a\n garbage \x00\xff",
    "utf-16": lambda raw: raw.decode("utf-8").encode("utf-16"),
    "random bytes": lambda raw: bytes((i * 73 + 11) % 256 for i in range(len(raw))),
    "json list": lambda raw: b"[1, 2, 3]",
    "json string": lambda raw: b'"hello"',
    "table is a list": lambda raw: b'{"documents": [], "annotations": [], "state": []}',
    "record is a list": lambda raw: b'{"documents": {"x": [1]}, "annotations": {"y": [2]}}',
    "nested garbage": lambda raw: b'{"annotations": {"y": {"start": {"deep": []}}}}',
    "half": lambda raw: raw[: len(raw) // 2],
}


@pytest.mark.parametrize("which", ["index", "annotations", "state"])
@pytest.mark.parametrize("damage", sorted(WHOLE_FILE_DAMAGE))
def test_damaged_file(tmp_path: Path, which: str, damage: str) -> None:
    root = tmp_path / "folder"
    _, files, a, b = make_folder(root)
    path = files[which]
    damaged = WHOLE_FILE_DAMAGE[damage](path.read_bytes())
    path.write_bytes(damaged)
    store = exercise(root)
    assert store.notices.all(), "the user must be told"
    assert_bytes_kept(path, damaged, store)
    # The annotations of the undamaged document are never affected.
    reopened = FolderStore.open(root)
    assert b in reopened.annotations("b.txt")
    if which != "annotations":
        # A damaged index is rebuilt from the annotation files: nothing is hidden.
        assert a.id in {x.id for x in reopened.annotations("a.txt")}
    assert reopened.notices.all() == [] or (which == "annotations" and damage == "nested garbage")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(which=st.sampled_from(["index", "annotations", "state"]), data=st.data())
def test_truncated_at_any_offset(tmp_path_factory: Any, which: str, data: Any) -> None:
    root = tmp_path_factory.mktemp("trunc") / "folder"
    _, files, _, b = make_folder(root)
    path = files[which]
    raw = path.read_bytes()
    # Store files end in a newline (one record per line): without it they are still whole.
    cut = data.draw(st.integers(0, len(raw.rstrip(b"\n")) - 1), label="offset")
    path.write_bytes(raw[:cut])
    store = exercise(root)
    assert_bytes_kept(path, raw[:cut], store)
    assert any(".corrupt-" in notice for notice in store.notices.all())
    assert b in FolderStore.open(root).annotations("b.txt")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(which=st.sampled_from(["index", "annotations", "state"]), data=st.data())
def test_random_byte_flips(tmp_path_factory: Any, which: str, data: Any) -> None:
    root = tmp_path_factory.mktemp("flip") / "folder"
    _, files, _, _ = make_folder(root)
    path = files[which]
    raw = bytearray(path.read_bytes())
    flips = data.draw(
        st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(1, 255)), min_size=1),
        label="flips",
    )
    for offset, mask in flips:
        raw[offset] ^= mask
    path.write_bytes(bytes(raw))
    store = exercise(root)  # never raises
    moved = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    if moved:
        assert moved[0].read_bytes() == bytes(raw)
        assert any(str(moved[0]) in n for n in store.notices.all())
    FolderStore.open(root).all_annotations()


def test_newer_schema_is_refused_and_kept_byte_for_byte(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    _, files, a, _ = make_folder(root)
    index = files["index"]
    data = json.loads(index.read_text())
    data["_meta"]["schema"]["version"] = SCHEMA_VERSION + 7
    data["documents"]["future"] = {"relpath": "future.txt", "new_field": {"x": 1}}
    newer = json.dumps(data).encode()
    index.write_bytes(newer)
    before = {p: p.read_bytes() for p in index.parent.rglob("*") if p.is_file()}
    store = exercise(root)
    assert not store.writable
    assert any(str(index) in n and f"schema {SCHEMA_VERSION + 7}" in n for n in store.notices.all())
    assert a in store.annotations("a.txt")  # reads still work
    with pytest.raises(SchemaTooNewError):
        store.save_annotation(Annotation.create(TEXT, 0, 2, "a.txt"))
    assert {p: p.read_bytes() for p in index.parent.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("which", ["index", "annotations"])
def test_truncation_sweep(tmp_path: Path, which: str) -> None:
    """Truncate the same file at ~25 evenly spread offsets, from 0 bytes to one short."""
    template = tmp_path / "template"
    _, files, a, b = make_folder(template)
    raw = files[which].read_bytes()
    whole = len(raw.rstrip(b"\n"))  # the final newline is not needed to read the file whole
    step = max(1, whole // 25)
    for cut in [*range(0, whole, step), whole - 1]:
        root = tmp_path / f"cut-{cut}"
        shutil.copytree(template, root)
        path = root / files[which].relative_to(template)
        path.write_bytes(raw[:cut])
        store = exercise(root)
        assert_bytes_kept(path, raw[:cut], store)
        assert any(".corrupt-" in notice for notice in store.notices.all())
        survivors = FolderStore.open(root).all_annotations()
        assert b in survivors["b.txt"]
        if which == "index":
            assert a.id in {x.id for x in survivors["a.txt"]}
