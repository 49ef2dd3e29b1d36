"""An import as a pipeline: sketches come in while the merge goes on, and are needed last.

The importing process reads and hashes every article itself; worker processes
sketch them meanwhile (``prefetch.Sketches``). A worker's sketch is used only
for the very bytes read here; a chunk no worker delivered is sketched here.
The store looks a new document's sketch up only when it registers the
document (``FolderStore.reconcile_many``), and it registers new documents once
their annotation files' temp copies are written, before any is renamed
(``storage.atomic_write_many``'s ``before_replace``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from ipreader.core.documents import read_document
from ipreader.core.errors import StoreWriteError
from ipreader.core.fingerprint import text_fingerprint
from ipreader.core.importer.prefetch import Sketches
from ipreader.core.model import Annotation
from ipreader.core.storage import atomic_write_many
from ipreader.core.store import FolderStore

TEXT = "The quick brown fox jumps over the lazy dog, then naps in the afternoon sun. " * 8


def _articles(folder: Path, count: int) -> list[tuple[str, str, str | None]]:
    folder.mkdir(exist_ok=True)
    wanted: list[tuple[str, str, str | None]] = []
    for number in range(count):
        path = folder / f"a{number}.txt"
        path.write_text(f"Article {number}. {TEXT}", encoding="utf-8")
        wanted.append((path.name, str(path), None))
    return wanted


def test_a_workers_sketch_is_taken_only_for_the_bytes_read_here(tmp_path: Path) -> None:
    wanted = _articles(tmp_path / "folder", 3)
    documents = {relpath: read_document(Path(file)) for relpath, file, _ in wanted}
    delivered: Future[list[tuple[str, str | None] | None]] = Future()
    delivered.set_result(
        [
            (documents["a0.txt"].sha256, "sketch-from-the-worker"),
            ("0" * 64, "sketch-of-other-bytes"),  # the file changed between the two reads
            None,  # the worker could not read it
        ]
    )
    finished: list[bool] = []
    sketches = Sketches(documents, [wanted], [delivered], lambda: finished.append(True))
    assert set(sketches) == {"a0.txt", "a1.txt", "a2.txt"} and not finished
    assert sketches["a0.txt"] == "sketch-from-the-worker"
    assert sketches["a1.txt"] == text_fingerprint(documents["a1.txt"].text)
    assert sketches["a2.txt"] == text_fingerprint(documents["a2.txt"].text)
    assert finished == [True]  # the first look-up gathered them all, once


def test_chunks_no_worker_delivered_are_sketched_here(tmp_path: Path) -> None:
    wanted = _articles(tmp_path / "folder", 4)
    documents = {relpath: read_document(Path(file)) for relpath, file, _ in wanted}
    stored = documents["a3.txt"].sha256
    chunks = [wanted[:2], [*wanted[2:3], (wanted[3][0], wanted[3][1], stored)]]
    broken: Future[list[tuple[str, str | None] | None]] = Future()
    broken.set_exception(BrokenProcessPool("a worker died"))
    never_sent: Future[list[tuple[str, str | None] | None]] = Future()  # not started: taken here
    sketches = Sketches(documents, chunks, [broken, never_sent], lambda: None)
    assert "a3.txt" not in sketches  # the store holds its hash: nothing to sketch
    sketches.finish()
    assert never_sent.cancelled()
    assert dict(sketches) == {
        relpath: text_fingerprint(documents[relpath].text)
        for relpath in ("a0.txt", "a1.txt", "a2.txt")
    }


class _Watched(Mapping[str, str]):
    """Sketches that say when one is looked up."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.looked_up: list[str] = []

    def __getitem__(self, relpath: str) -> str:
        self.looked_up.append(relpath)
        return self.values[relpath]

    def __contains__(self, relpath: object) -> bool:
        return relpath in self.values  # no look-up (Mapping's would call __getitem__)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def test_a_new_documents_sketch_is_looked_up_only_when_it_is_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))
    folder = tmp_path / "folder"
    wanted = _articles(folder, 2)
    documents = {relpath: read_document(Path(file)) for relpath, file, _ in wanted}
    given = _Watched({"a0.txt": "sketch-a0", "a1.txt": "sketch-a1"})
    store = FolderStore.open(folder)
    store.reconcile_many(
        [(relpath, document.sha256, document.text) for relpath, document in documents.items()],
        given,
    )
    assert given.looked_up == []
    store.save_annotations([Annotation.create(documents["a0.txt"].text, 0, 7, "a0.txt")])
    assert given.looked_up == ["a0.txt"]  # a1 got no highlight: never registered
    index = json.loads((store.location / "index.json").read_text(encoding="utf-8"))
    (record,) = index["documents"].values()
    assert (record["relpath"], record["fingerprint"]) == ("a0.txt", "sketch-a0")


def test_before_replace_runs_between_the_temp_files_and_the_renames(tmp_path: Path) -> None:
    files = [tmp_path / f"f{number}.json" for number in range(3)]
    for path in files:
        path.write_bytes(b"old\n")
    seen: list[tuple[list[bytes], int]] = []

    def before() -> None:
        seen.append(([p.read_bytes() for p in files], len(list(tmp_path.glob(".tmp-*")))))

    atomic_write_many([(path, b"new\n") for path in files], before_replace=before)
    assert seen == [([b"old\n"] * 3, 3)]  # every temp file written, none renamed yet
    assert [path.read_bytes() for path in files] == [b"new\n"] * 3

    def refuse() -> None:
        raise StoreWriteError("the index could not be written")

    with pytest.raises(StoreWriteError, match="the index"):
        atomic_write_many([(path, b"newer\n") for path in files], before_replace=refuse)
    assert [path.read_bytes() for path in files] == [b"new\n"] * 3
    assert not list(tmp_path.glob(".tmp-*"))


def test_before_replace_runs_first_for_one_file(tmp_path: Path) -> None:
    path = tmp_path / "only.json"
    path.write_bytes(b"old\n")
    seen: list[bytes] = []
    atomic_write_many([(path, b"new\n")], before_replace=lambda: seen.append(path.read_bytes()))
    assert seen == [b"old\n"] and path.read_bytes() == b"new\n"
