"""Hostile folders: FIFOs, symlink loops and escapes, unreadable, vanishing, changing, many files.

Everything runs through ``Library`` (discover + metadata + store) and, where
hanging or a traceback is the risk, the CLI in a subprocess with a timeout.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from unprivileged import can_switch_user, run_as_nobody

from ipreader.core.documents import load_info, read_document
from ipreader.core.errors import DocumentError
from ipreader.core.export import render_export
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation

ARTICLE = "Plain title\n\nThe quick brown fox jumps over the lazy dog. The fox is quick.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return root


def relpaths(library: Library) -> list[str]:
    return [info.relpath for info in library.documents()]


def annotate(library: Library, relpath: str, *quotes: str) -> list[Annotation]:
    """Highlight the first occurrence of each quote in ``relpath`` and save them."""
    info = next(d for d in library.documents() if d.relpath == relpath)
    text, _ = library.load(info)
    created = []
    for quote in quotes:
        start = text.index(quote)
        created.append(Annotation.create(text, start, start + len(quote), relpath))
    library.store_for(info).save_annotations(created)
    return created


# ------------------------------------------------------------------ FIFOs


def test_fifo_in_a_folder_never_blocks(
    folder: Path, deadline: Callable[[float], Any], run_cli_process: Callable[..., Any]
) -> None:
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    with deadline(10):
        library = Library.open([folder])
        assert relpaths(library) == ["a.txt"]  # not a regular file: not an article
        info = load_info(folder, fifo)
        assert info.error == "not a regular file" and info.sha256 is None
        with pytest.raises(DocumentError, match="not a regular file"):
            read_document(fifo)
        # The article replaced by a FIFO after the listing: opening it must not wait.
        [article] = library.documents()
        (folder / "a.txt").unlink()
        os.mkfifo(folder / "a.txt")
        with pytest.raises(DocumentError, match="not a regular file"):
            library.load(article)
        assert json.loads(render_export(library))["documents"] == []
    listing = run_cli_process("list", folder / "pipe.txt", timeout=30)
    assert listing.code == 0 and "Traceback" not in listing.err
    assert "pipe.txt  [unreadable: not a regular file]" in listing.out


# ------------------------------------------------------------------ symlinks


def test_symlink_loops_end_and_list_each_article_once(
    folder: Path, deadline: Callable[[float], Any]
) -> None:
    sub = folder / "sub"
    sub.mkdir()
    (sub / "b.txt").write_text("B title\n\nbody\n", encoding="utf-8")
    (sub / "up").symlink_to("..", target_is_directory=True)
    (sub / "again").symlink_to(sub, target_is_directory=True)
    (folder / "self.txt").symlink_to("self.txt")  # ELOOP on every access
    (folder / "ping.txt").symlink_to("pong.txt")
    (folder / "pong.txt").symlink_to("ping.txt")
    (folder / "gone.txt").symlink_to("nowhere.txt")
    with deadline(10):
        library = Library.open([folder])
    assert relpaths(library) == ["a.txt", "sub/b.txt"]
    # Each link named like an article that leads nowhere is said, not passed over.
    notices = library.notices.all()
    for name in ("gone.txt", "ping.txt", "pong.txt", "self.txt"):
        said = f"{folder.resolve() / name} is a link to nothing"
        assert any(notice.startswith(said) for notice in notices), (name, notices)


def test_symlinks_leaving_the_folder_are_not_listed_and_never_read(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("Secret\n\nnever to be read\n", encoding="utf-8")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "leakdir").symlink_to(outside, target_is_directory=True)
    (folder / "passwd").symlink_to("/etc/passwd")
    opened: list[str] = []
    real_open = os.open

    def spy(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.path.realpath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    library = Library.open([folder])
    annotate(library, "a.txt", "brown fox")
    exported = json.loads(render_export(Library.open([folder])))
    monkeypatch.undo()
    assert relpaths(library) == ["a.txt"]
    assert [d["path"] for d in exported["documents"]] == ["a.txt"]
    assert str(secret) not in opened and "/etc/passwd" not in opened
    assert any(path.endswith("a.txt") for path in opened)  # the spy did see the reads


# ------------------------------------------------------------------ unreadable files


def test_unreadable_file_is_listed_with_its_reason(
    folder: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any]
) -> None:
    """Root reads chmod 000 files, so the permission error is simulated at ``os.open``."""
    locked = folder / "locked.txt"
    locked.write_text("Locked\n\nbody\n", encoding="utf-8")
    locked.chmod(0)
    real_open = os.open

    def deny(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.path.basename(os.fsdecode(path)) == "locked.txt":
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    library = Library.open([folder])
    info = next(d for d in library.documents() if d.relpath == "locked.txt")
    assert info.error == "permission denied" and info.size > 0
    with pytest.raises(DocumentError, match=r"(?i)permission denied"):
        library.load(info)
    result = run_cli("list", folder)
    assert result.code == 0
    assert "locked.txt  [unreadable: permission denied]" in result.out
    assert "\na.txt       Plain title  " in result.out  # aligned under the longer name


def test_really_unreadable_file_as_an_unprivileged_user(
    world_readable_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked child switched to uid 65534 meets a real EACCES (and a read-only folder)."""
    if not can_switch_user():
        pytest.skip("needs root to switch to uid 65534 (chmod 000 is enough as a user)")
    folder = world_readable_dir / "articles"
    folder.mkdir(mode=0o755)
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "secret.txt").write_text("Secret\n\nbody\n", encoding="utf-8")
    (folder / "secret.txt").chmod(0)
    data_dir = world_readable_dir / "data"
    data_dir.mkdir(mode=0o777)
    data_dir.chmod(0o777)  # mkdir's mode is filtered by the umask
    monkeypatch.setenv("IPREADER_DATA_DIR", str(data_dir))

    def open_as_nobody() -> dict[str, Any]:
        library = Library.open([folder])
        report: dict[str, Any] = {
            "docs": {d.relpath: d.error for d in library.documents()},
            "notices": library.notices.all(),
        }
        try:
            library.load(next(d for d in library.documents() if d.relpath == "secret.txt"))
            report["load"] = "read"
        except DocumentError as error:
            report["load"] = error.reason
        annotate(library, "a.txt", "lazy dog")
        report["saved"] = len(Library.open([folder]).load(library.documents()[0])[1])
        return report

    report = run_as_nobody(open_as_nobody, timeout=30)
    assert "crash" not in report, report
    assert report["docs"] == {"a.txt": None, "secret.txt": "permission denied"}
    assert report["load"] == "permission denied"
    # The folder is not writable for nobody: annotations went to the fallback data dir.
    assert report["notices"] and report["saved"] == 1
    assert not (folder / ".ipreader").exists()
    assert any(data_dir.rglob("*.json"))


def test_a_sub_folder_that_cannot_be_listed_is_named_not_passed_over(
    world_readable_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a real user: a folder it may not read was skipped without a word (its
    articles missing from the list, the export and check, all exiting 0)."""
    if not can_switch_user():
        pytest.skip("needs root to switch to uid 65534 (root lists any folder)")
    folder = world_readable_dir / "articles"
    (folder / "secret").mkdir(parents=True)
    folder.chmod(0o755)
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "secret" / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "secret").chmod(0o700)
    data_dir = world_readable_dir / "data"
    data_dir.mkdir(mode=0o777)
    data_dir.chmod(0o777)
    monkeypatch.setenv("IPREADER_DATA_DIR", str(data_dir))

    def open_as_nobody() -> dict[str, Any]:
        library = Library.open([folder])
        alone = Library.open([folder / "secret"])
        return {
            "docs": [d.relpath for d in library.documents()],
            "notices": library.notices.all(),
            "alone": [d.relpath for d in alone.documents()],
            "alone_notices": alone.notices.all(),
        }

    report = run_as_nobody(open_as_nobody, timeout=30)
    assert "crash" not in report, report
    assert report["docs"] == ["a.txt"] and report["alone"] == []
    said = f"{folder / 'secret'} cannot be listed (Permission denied)"
    assert any(said in notice for notice in report["notices"]), report["notices"]
    assert any(said in notice for notice in report["alone_notices"]), report["alone_notices"]


# ------------------------------------------------------------------ files changing under us


def test_file_deleted_after_listing_loses_nothing(folder: Path) -> None:
    library = Library.open([folder])
    [created] = annotate(library, "a.txt", "lazy dog")
    [info] = library.documents()
    saved = (folder / "a.txt").read_bytes()
    (folder / "a.txt").unlink()
    with pytest.raises(DocumentError, match=r"(?i)no such file"):
        library.load(info)
    library.notices.take()
    # Exported as stored (no crash, nothing silently left out), and said.
    [document] = json.loads(render_export(library))["documents"]
    assert [a["id"] for a in document["annotations"]] == [created.id]
    assert any(n.startswith("a.txt could not be read") for n in library.notices.take())
    assert library.store_for(info).annotations("a.txt") == [created]
    (folder / "a.txt").write_bytes(saved)
    _, annotations = Library.open([folder]).load(info)
    assert [a.id for a in annotations] == [created.id]


def test_file_rewritten_while_open_reanchors_and_keeps_everything(folder: Path) -> None:
    library = Library.open([folder])
    created = annotate(library, "a.txt", "brown fox", "lazy dog", "Plain title")
    [info] = library.documents()
    rewritten = "Breaking: a new first line\n\nThe quick brown fox jumps over the sleepy dog.\n"
    (folder / "a.txt").write_text(rewritten, encoding="utf-8")
    text, annotations = library.load(info)  # the same library object, as the app holds it
    assert text == rewritten
    assert {a.id for a in annotations} == {a.id for a in created}
    by_quote = {a.quote: a for a in annotations}
    fox = by_quote["brown fox"]
    assert fox.status is AnchorStatus.MOVED and text[fox.start : fox.end] == "brown fox"
    for annotation in annotations:
        if annotation.is_anchored:
            assert text[annotation.start : annotation.end] == annotation.quote
    assert any(not a.is_anchored or a.status is AnchorStatus.FUZZY for a in annotations)
    exported = json.loads(render_export(Library.open([folder])))
    assert len(exported["documents"][0]["annotations"]) == 3


def test_file_growing_while_open(folder: Path, deadline: Callable[[float], Any]) -> None:
    library = Library.open([folder])
    [created] = annotate(library, "a.txt", "lazy dog")
    [info] = library.documents()
    stop = threading.Event()

    def grow() -> None:
        # Throttled and capped (~20 MB): the reader must keep up with a realistic writer.
        with (folder / "a.txt").open("a", encoding="utf-8") as handle:
            for _ in range(10_000):
                if stop.is_set():
                    break
                handle.write("More appended words keep arriving here.\n" * 50)
                handle.flush()
                time.sleep(0.001)

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        with deadline(20):
            for _ in range(5):
                grown = load_info(folder, folder / "a.txt")
                assert grown.error is None and grown.words > 0
                text, annotations = library.load(info)
                assert text.startswith(ARTICLE)
                assert [(a.id, a.start, a.status) for a in annotations] == [
                    (created.id, created.start, AnchorStatus.ANCHORED)
                ]
    finally:
        stop.set()
        writer.join()
    data = (folder / "a.txt").read_bytes()
    assert load_info(folder, folder / "a.txt").sha256 == hashlib.sha256(data).hexdigest()


def test_file_growing_faster_than_it_is_read_is_read_as_a_snapshot(
    folder: Path, monkeypatch: pytest.MonkeyPatch, deadline: Callable[[float], Any]
) -> None:
    """``os.read`` is made to always find more data (capped, so the test itself is bounded)."""
    import ipreader.core.documents as documents

    size_at_open = (folder / "a.txt").stat().st_size
    real_read = os.read
    served = 0

    def endless(fd: int, n: int) -> bytes:
        nonlocal served
        chunk = real_read(fd, n)
        if chunk or served >= 4 * 1024 * 1024:
            return chunk
        served += 4096
        return b"more words\n" * 372  # what the writer appended since the last read

    monkeypatch.setattr(documents.os, "read", endless)
    with deadline(20):
        text = read_document(folder / "a.txt").text
    assert len(text.encode()) <= size_at_open


# ------------------------------------------------------------------ names

ODD_NAMES = [
    "with spaces.txt",
    "  leading and trailing  .txt",
    "-rf.txt",
    "résumé café.txt",
    "日本語 ファイル.md",
    "emoji 👨‍👩‍👧 family.txt",
    "new\nline.txt",
    "tab\there.text",
    "noext",
    "[bold]markup[red] [@click=quit].txt",
    "quote'\"`$(x).txt",
]


def test_odd_names_are_listed_annotated_and_exported(
    folder: Path, run_cli_process: Callable[..., Any]
) -> None:
    for name in ODD_NAMES:
        (folder / name).write_text(f"Title of {name!r}\n\nunique body words\n", encoding="utf-8")
    library = Library.open([folder])
    assert sorted(relpaths(library)) == sorted(["a.txt", *ODD_NAMES])
    for name in ODD_NAMES:
        annotate(library, name, "body words")
    exported = json.loads(render_export(Library.open([folder])))
    assert sorted(d["path"] for d in exported["documents"]) == sorted(ODD_NAMES)
    listing = run_cli_process("list", "--json", folder)
    assert listing.code == 0 and "Traceback" not in listing.err
    rows = {row["path"]: row for row in json.loads(listing.out)}
    assert all(rows[name]["highlights"] == 1 for name in ODD_NAMES)


def test_non_utf8_file_name_is_listed_annotated_and_exported_by_the_cli(
    folder: Path, run_cli_process: Callable[..., Any]
) -> None:
    with open(os.fsencode(folder) + b"/bad\xff.txt", "wb") as handle:
        handle.write(b"Bad name\n\nbody words\n")
    library = Library.open([folder])
    assert len(library.documents()) == 2  # the core lists it
    listing = run_cli_process("list", folder)
    assert "Traceback" not in listing.err
    assert listing.code == 0 and "bad" in listing.out
    annotate(library, "bad\udcff.txt", "body words")
    exported = run_cli_process("export", folder)
    assert exported.code == 0 and "Traceback" not in exported.err
    [document] = json.loads(exported.out)["documents"]
    assert document["path"] == "bad\udcff.txt"
    assert [a["quote"] for a in document["annotations"]] == ["body words"]


# ------------------------------------------------------------------ scale


def test_ten_thousand_files_are_listed(tmp_path: Path) -> None:
    root = tmp_path / "many"
    for shard in range(10):
        (root / f"d{shard}").mkdir(parents=True)
    for n in range(10_000):
        (root / f"d{n % 10}" / f"article-{n:05d}.txt").write_bytes(
            b"Article %d\n\n2024-01-02\n\nA few words of body text.\n" % n
        )
    started = time.perf_counter()
    library = Library.open([root])
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = Library.open([root])
    warm = time.perf_counter() - started
    docs = library.documents()
    assert len(docs) == 10_000 and len(again.documents()) == 10_000
    assert all(d.error is None and d.date == "2024-01-02" for d in docs)
    assert docs[0].relpath == "d0/article-00000.txt"
    print(f"\n10,000 files: Library.open {cold:.2f} s cold, {warm:.2f} s with the metadata cache")
    # Generous: a shared 2-core machine; this catches quadratic behaviour, not jitter.
    assert cold < 60 and warm < 30
