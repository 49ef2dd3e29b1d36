"""The export's verified-documents cache: when an article may be skipped, and the file (issue 15).

A wrong "plain" would export a highlight without the ``current`` text it now
covers; a lost digest only costs a read. These pin both sides.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ipreader.core.export.verified import (
    VERIFIED_FILENAME,
    VerifiedDocuments,
    digest,
    is_plain,
)
from ipreader.core.model import AnchorStatus, Annotation

SHA = "ab" * 32


def _hl(
    id_: str = "h1",
    start: int = 4,
    end: int = 7,
    quote: str = "cat",
    status: AnchorStatus = AnchorStatus.ANCHORED,
) -> Annotation:
    return Annotation(id_, "a.txt", start, end, quote, status=status)


def test_digest_ignores_order_but_follows_every_place_field() -> None:
    one, two = _hl("h1"), _hl("h2", 8, 11, "mat")
    base = digest(SHA, [one, two])
    assert base is not None and base == digest(SHA, [two, one])
    changed = [
        digest("cd" * 32, [one, two]),
        digest(SHA, [_hl("h3"), two]),
        digest(SHA, [_hl(start=5), two]),
        digest(SHA, [_hl(end=8), two]),
        digest(SHA, [_hl(quote="cot"), two]),
        digest(SHA, [_hl(status=AnchorStatus.MOVED), two]),
        digest(SHA, [one]),
        digest(SHA, []),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_digest_tells_apart_quotes_that_join_to_the_same_bytes() -> None:
    first = digest(SHA, [_hl("a", quote="x\0"), _hl("b", quote="y")])
    second = digest(SHA, [_hl("a", quote="x"), _hl("b", quote="\0y")])
    assert first != second


def test_a_document_with_an_approximate_highlight_has_no_digest() -> None:
    fuzzy = _hl("h9", status=AnchorStatus.FUZZY)
    assert digest(SHA, [_hl("h1"), fuzzy]) is None
    assert digest(SHA, [fuzzy, _hl("h1")]) is None


def test_digest_takes_any_hash_text_and_lone_surrogates() -> None:
    assert digest("é\udcff", [_hl(quote="\udcff")]) is not None


def test_digests_are_those_earlier_versions_wrote() -> None:
    # A verified.json written by an earlier ipreader stays valid: a changed digest
    # would make the next export of a large folder read every article again.
    moved = _hl("h2", 0, 3, "The", AnchorStatus.MOVED)
    odd = _hl(quote="c\u00e4t \U0001f600 \udcff")
    assert digest(SHA, [moved, odd]) == "5d8cd8b38a4d180529f7d8a00e010d9f"
    orphan = _hl("h0", status=AnchorStatus.ORPHANED)
    assert digest("é\udcff", [_hl(quote="\udcff"), orphan]) == "d669d68c95228e1ffb7e35a5f78ffad6"
    assert digest(SHA, []) == "bde9a42ea888021096e281790845c8a3"


def test_plain_means_every_anchored_highlight_covers_its_quote() -> None:
    text = "The cat sat"
    assert is_plain(text, [])
    assert is_plain(text, [_hl(), _hl("h2", 0, 3, "The", AnchorStatus.MOVED)])
    assert not is_plain(text, [_hl(), _hl("h2", 0, 3, "Thy")])
    assert not is_plain(text, [_hl(status=AnchorStatus.FUZZY)])
    # An orphan covers nothing: its offsets are not checked.
    assert is_plain(text, [_hl(quote="gone", status=AnchorStatus.ORPHANED)])


def test_remembered_digests_survive_a_reopen(tmp_path: Path) -> None:
    verified = VerifiedDocuments(tmp_path)
    assert verified.file == tmp_path / VERIFIED_FILENAME
    verified.remember("a.txt", "d1")
    verified.remember("b.txt", "d2")
    assert verified.holds("a.txt", "d1") and not verified.holds("a.txt", "d2")
    verified.save()
    again = VerifiedDocuments(tmp_path)
    assert again.holds("a.txt", "d1") and again.holds("b.txt", "d2")
    assert not again.holds("c.txt", "d1") and not again.holds("a.txt", None)
    content = json.loads((tmp_path / VERIFIED_FILENAME).read_text())
    assert content == {"version": 1, "documents": {"a.txt": "d1", "b.txt": "d2"}}


def test_forgetting_and_changing_a_digest_are_saved(tmp_path: Path) -> None:
    verified = VerifiedDocuments(tmp_path)
    verified.remember("a.txt", "d1")
    verified.remember("b.txt", "d2")
    verified.save()
    verified = VerifiedDocuments(tmp_path)
    verified.remember("a.txt", None)
    verified.remember("b.txt", "d3")
    verified.save()
    again = VerifiedDocuments(tmp_path)
    assert not again.holds("a.txt", "d1") and again.holds("b.txt", "d3")


def test_forgetting_alone_is_saved(tmp_path: Path) -> None:
    verified = VerifiedDocuments(tmp_path)
    verified.remember("a.txt", "d1")
    verified.save()
    verified = VerifiedDocuments(tmp_path)
    verified.remember("a.txt", None)
    verified.save()
    assert not VerifiedDocuments(tmp_path).holds("a.txt", "d1")


def test_nothing_new_writes_nothing(tmp_path: Path) -> None:
    verified = VerifiedDocuments(tmp_path)
    verified.remember("gone.txt", None)
    verified.save()
    assert not (tmp_path / VERIFIED_FILENAME).exists()
    verified.remember("a.txt", "d1")
    verified.save()
    (tmp_path / VERIFIED_FILENAME).unlink()
    verified.remember("a.txt", "d1")  # the same digest again
    verified.save()
    assert not (tmp_path / VERIFIED_FILENAME).exists()


def test_a_failed_save_is_retried_by_the_next(tmp_path: Path) -> None:
    location = tmp_path / "not yet"
    verified = VerifiedDocuments(location)
    verified.remember("a.txt", "d1")
    verified.save()  # the folder is missing: swallowed
    location.mkdir()
    verified.save()
    assert VerifiedDocuments(location).holds("a.txt", "d1")


def test_in_memory_only_keeps_digests_and_writes_nothing(tmp_path: Path) -> None:
    verified = VerifiedDocuments(None)
    assert verified.file is None
    verified.remember("a.txt", "d1")
    verified.save()
    assert verified.holds("a.txt", "d1")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"[1]",
        b'{"version": 2, "documents": {"a.txt": "d1"}}',
        b'{"documents": {"a.txt": "d1"}}',
        b'{"version": 1, "documents": ["a.txt"]}',
        b'{"version": 1}',
        b"[" * 100_000,
    ],
)
def test_a_damaged_file_holds_nothing(tmp_path: Path, content: bytes) -> None:
    (tmp_path / VERIFIED_FILENAME).write_bytes(content)
    assert not VerifiedDocuments(tmp_path).holds("a.txt", "d1")


def test_entries_of_the_wrong_kind_are_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    documents = {"a.txt": "d1", "b.txt": 3, "c.txt": None}
    payload = {"version": 1, "documents": documents}
    (tmp_path / VERIFIED_FILENAME).write_text(json.dumps(payload))
    verified = VerifiedDocuments(tmp_path)
    assert verified.holds("a.txt", "d1")
    verified.remember("d.txt", "d4")
    verified.save()
    saved = json.loads((tmp_path / VERIFIED_FILENAME).read_text())["documents"]
    assert saved == {"a.txt": "d1", "d.txt": "d4"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_the_file_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / VERIFIED_FILENAME)
    assert not VerifiedDocuments(tmp_path).holds("a.txt", "d1")  # returns: never blocks
