"""The read cache trusts a settled stat signature, and only that (``files.settled``).

A file whose signature was settled when it was read is used again with one
``lstat``: no read, no digest. These tests prove it by doctoring the cache so
that its entries answer "eve" where the store file says "ada": a signature
hit shows "eve", a read of the file shows "ada". Each "process" is a fresh
``FolderStore.open``; the cache file lives in ``IPREADER_CACHE_DIR``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from conftest import PAST_RACY
from read_cache_layout import join, split

from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.core.store.files import settled

TEXT = "The quick brown fox jumps over the lazy dog. " * 40


@pytest.fixture
def root(tmp_path: Path, cache_dir: Path) -> Path:
    """A folder of one article with three highlights by "ada"."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT)
    FolderStore.open(folder).save_annotations(
        [Annotation.create(TEXT, n, n + 9, "a.txt", creator="ada") for n in (0, 10, 20)]
    )
    return folder


def creators(root: Path) -> set[str]:
    """The creators of a.txt's highlights as a fresh process reads them (no notice)."""
    store = FolderStore.open(root)
    found = {a.creator for a in store.stored_documents()["a.txt"].annotations}
    assert store.notices.take() == []
    return found


def the_cache(cache_dir: Path) -> Path:
    (found,) = [p for p in (cache_dir / "reads").iterdir() if not p.name.startswith(".")]
    return found


def the_file(root: Path) -> Path:
    (found,) = (root / ".ipreader" / "annotations").glob("*.json")
    return found


def settled_flags(cache: Path) -> list[bool]:
    """Each entry's "settled when read" flag."""
    return split(cache.read_bytes()).settled()


def doctor(cache: Path) -> None:
    """Make every cached "ada" read "eve" and spoil every entry's digest (resealed)."""
    parts = split(cache.read_bytes())
    parts.digests = bytearray(byte ^ 0x55 for byte in parts.digests)
    parts.replace_string("ada", "eve")
    cache.write_bytes(join(parts))


def test_a_settled_entry_answers_by_signature_without_reading_the_file(
    root: Path, cache_dir: Path
) -> None:
    time.sleep(PAST_RACY)  # the store file is no longer racy when read
    assert creators(root) == {"ada"}
    assert settled_flags(the_cache(cache_dir)) == [True]
    doctor(the_cache(cache_dir))
    # The digest is wrong, so only the signature can have matched: the file was not read.
    assert creators(root) == {"eve"}


@pytest.mark.skipif(sys.platform != "linux", reason="Linux stamps files from its coarse clock")
def test_a_file_just_written_is_not_trusted_by_signature_when_the_clock_runs_ahead(
    root: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel stamps files from the last timer tick; when that tick is late (a virtual
    machine's timekeeping CPU held back by the host) ``time.time_ns()`` runs ahead of every
    stamp, and a file written in the stall looks old. Another version written in the same
    stall (the inode reused, the size alike) would carry the very same signature: the entry
    answers only for its bytes."""
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() + 1_000_000_000)  # a second ahead
    assert creators(root) == {"ada"}
    assert settled_flags(the_cache(cache_dir)) == [False]
    doctor(the_cache(cache_dir))
    assert creators(root) == {"ada"}  # read and checked by its digest, not taken as "eve"


def test_a_file_rewritten_with_its_size_and_mtime_put_back_is_read_afresh(
    root: Path, cache_dir: Path
) -> None:
    time.sleep(PAST_RACY)
    assert creators(root) == {"ada"}
    doctor(the_cache(cache_dir))
    target = the_file(root)
    st = target.stat()
    edited = target.read_bytes().replace(b'"ada"', b'"bob"')
    target.write_bytes(edited)  # in place: the same inode and size
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -d: the old mtime back
    after = target.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
    )
    assert after.st_ctime_ns != st.st_ctime_ns  # the kernel's clock: no tool sets it back
    assert creators(root) == {"bob"}


def test_an_entry_stored_while_racy_is_verified_by_content_then_settled(
    root: Path, cache_dir: Path
) -> None:
    target = the_file(root)
    # An mtime a little ahead of the clock keeps the file racy for a known while, however
    # slow this read (a just-written file would leave the window after 100 ms).
    ahead = time.time_ns() + 1_500_000_123
    os.utime(target, ns=(ahead, ahead))
    assert creators(root) == {"ada"}
    assert settled_flags(the_cache(cache_dir)) == [False]
    time.sleep(max(0.0, (ahead - time.time_ns()) / 1e9) + PAST_RACY)
    cache = the_cache(cache_dir)
    good = cache.read_bytes()
    doctor(cache)
    # Racy when stored: the signature alone is not enough; the bytes are read, and their
    # digest (which the doctoring spoiled) decides.
    assert creators(root) == {"ada"}
    # Restored, the digest matches again: used, and now recorded as settled ...
    cache.write_bytes(good)
    assert creators(root) == {"ada"}
    assert settled_flags(cache) == [True]
    doctor(cache)
    assert creators(root) == {"eve"}  # ... so the next process trusts its signature


def test_a_coarse_mtime_file_goes_through_the_digest(root: Path, cache_dir: Path) -> None:
    target = the_file(root)
    whole_second = (int(time.time()) - 60) * 1_000_000_000
    os.utime(target, ns=(whole_second, whole_second))  # as a FAT or HFS+ volume records it
    time.sleep(PAST_RACY)
    assert creators(root) == {"ada"}
    assert settled_flags(the_cache(cache_dir)) == [False]
    doctor(the_cache(cache_dir))
    assert creators(root) == {"ada"}  # the spoiled digest did not match the bytes


@pytest.mark.parametrize("kind", ["symbolic link", "FIFO"])
def test_a_link_or_fifo_in_place_of_a_cached_file_is_still_refused(
    root: Path, cache_dir: Path, kind: str
) -> None:
    time.sleep(PAST_RACY)
    assert creators(root) == {"ada"}
    target = the_file(root)
    elsewhere = root.parent / "elsewhere.json"
    elsewhere.write_bytes(target.read_bytes())
    target.unlink()
    if kind == "FIFO":
        os.mkfifo(target)  # opened to read, it would wait for a writer forever
    else:
        target.symlink_to(elsewhere)
    store = FolderStore.open(root)
    assert store.stored_documents()["a.txt"].annotations == ()
    told = " ".join(store.notices.take())
    assert "not a regular file" in told and "moved aside" in told
    assert elsewhere.read_bytes()  # what the link pointed to is untouched


def test_a_write_after_an_outside_change_keeps_that_change(root: Path, cache_dir: Path) -> None:
    time.sleep(PAST_RACY)
    creators(root)  # the cache holds the file's settled parse
    store = FolderStore.open(root)
    assert {a.creator for a in store.stored_documents()["a.txt"].annotations} == {"ada"}
    target = the_file(root)
    target.write_bytes(target.read_bytes().replace(b'"ada"', b'"bob"'))  # another tool
    store.save_annotations([Annotation.create(TEXT, 40, 49, "a.txt", creator="cy")])
    # The save re-read the file under the lock: bob's change is kept beside cy's highlight.
    records = json.loads(target.read_text())["annotations"].values()
    assert sorted(record["creator"] for record in records) == ["bob", "bob", "bob", "cy"]
    assert creators(root) == {"bob", "cy"}


def test_what_settled_means() -> None:
    old = (time.time_ns() - 10 * 1_000_000_000) // 1_000_000 * 1_000_000 + 123_457
    now = time.time_ns() | 1  # odd: sub-millisecond digits
    assert settled((1, 2, 3, old, old))
    assert not settled((1, 2, 3, old, now))  # changed just now (a write, a rename, a utime)
    assert not settled((1, 2, 3, now, old))  # an mtime in the racy window (or the future)
    whole = (old // 1_000_000) * 1_000_000
    assert not settled((1, 2, 3, whole, old))  # coarse timestamps: the digest decides
    assert not settled((1, 2, 3, old, whole))
