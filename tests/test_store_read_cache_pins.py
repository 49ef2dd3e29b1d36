"""Pins of the decoded read cache (``core/store/read_cache.py``), through its own API.

A cache entry is written by one ``ReadCache`` and looked up by a fresh one, as a
later process would; what comes back must be exactly what was stored, or
nothing. Found by mutation testing (``scripts/mutation.py
ipreader/core/store/read_cache.py``).
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import replace
from pathlib import Path

import pytest
from read_cache_layout import split

from ipreader.core import paths
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.store import read_cache_file
from ipreader.core.store.formats import AnnotationsFile
from ipreader.core.store.read_cache import ReadCache, cache_file, digest_of

TEXT = "The quick brown fox jumps over the lazy dog. " * 4
RAW = b'{"annotations": "the store file\'s bytes"}'
SIGNATURE = (1, 2, len(RAW), 4, 5)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "user-cache"
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(directory))
    return directory


def store_file(location: Path, name: str = "doc.json") -> Path:
    return location / "annotations" / name


def round_trip(location: Path, parsed: AnnotationsFile) -> AnnotationsFile | None:
    """Cache ``parsed`` for one store file, then look it up as a new process would."""
    writer = ReadCache(location)
    writer.store(store_file(location), SIGNATURE, digest_of(RAW), parsed, fresh=True)
    writer.save()
    return ReadCache(location).lookup(store_file(location), SIGNATURE, RAW)[1]


def made(**changes: object) -> Annotation:
    return replace(Annotation.create(TEXT, 4, 9, "a.txt"), **changes)  # type: ignore[arg-type]


def test_valid_edge_values_come_back_exactly(tmp_path: Path) -> None:
    kept = (
        made(start=4, end=4),  # an empty span is not impossible
        made(score=0.0, status=AnchorStatus.FUZZY),
        made(score=100.0, status=AnchorStatus.FUZZY),
        made(revision=1, note="a lone \ud800 surrogate and a NUL \x00"),
        made(end=2**63 - 1, revision=2**63 - 1),  # the largest 64-bit values
    )
    parsed = AnnotationsFile(kept, ("bad-1 (start negative)",))
    assert round_trip(tmp_path / "store", parsed) == parsed


class OddStatus:
    """A status no annotation can have."""

    value = "misplaced"


@pytest.mark.parametrize(
    "impossible",
    [
        {"start": 9, "end": 4},
        {"revision": 0},
        {"color": "mauve"},
        {"status": OddStatus()},
        {"score": 100.5, "status": AnchorStatus.FUZZY},
        {"score": -0.5, "status": AnchorStatus.FUZZY},
    ],
)
def test_a_row_no_annotation_can_have_makes_the_entry_unused(
    tmp_path: Path, impossible: dict[str, object]
) -> None:
    # Each check on its own: every other value of the row is possible.
    parsed = AnnotationsFile((made(), made(**impossible)))
    assert round_trip(tmp_path / "store", parsed) is None


def test_a_value_beyond_64_bits_leaves_that_file_out_only(tmp_path: Path) -> None:
    location = tmp_path / "store"
    writer = ReadCache(location)
    big = AnnotationsFile((made(end=2**63),))
    fine = AnnotationsFile((made(),))
    writer.store(store_file(location, "big.json"), SIGNATURE, digest_of(RAW), big, fresh=True)
    writer.store(store_file(location, "ok.json"), SIGNATURE, digest_of(RAW), fine, fresh=True)
    writer.save()
    reader = ReadCache(location)
    assert reader.lookup(store_file(location, "big.json"), SIGNATURE, RAW)[1] is None
    assert reader.lookup(store_file(location, "ok.json"), SIGNATURE, RAW)[1] == fine
    revision = AnnotationsFile((made(revision=2**63),))
    assert round_trip(tmp_path / "other", revision) is None


def test_a_file_with_only_bad_records_is_cached_with_their_names(tmp_path: Path) -> None:
    parsed = AnnotationsFile((), ("x1 (end missing)", "x2 (color unknown)"))
    assert round_trip(tmp_path / "store", parsed) == parsed


def test_texts_holding_every_control_character_still_round_trip(tmp_path: Path) -> None:
    # The separator of the string table is then taken from the private-use area.
    every = "".join(chr(code) for code in range(0x20))
    parsed = AnnotationsFile((made(note=every, quote=every),))
    assert round_trip(tmp_path / "store", parsed) == parsed


def test_texts_holding_every_possible_separator_are_simply_not_cached(tmp_path: Path) -> None:
    taken = "".join(chr(c) for c in [*range(0x20), *range(0xE000, 0xF900)])
    parsed = AnnotationsFile((made(note=taken),))
    assert round_trip(tmp_path / "store", parsed) is None  # and saving raised nothing


def test_a_cache_answers_only_for_its_own_store_location(tmp_path: Path) -> None:
    shared = tmp_path / "one-cache-file.bin"
    first, second = tmp_path / "first", tmp_path / "second"
    writer = ReadCache(first, shared)
    assert writer.file == shared and writer.location == first
    parsed = AnnotationsFile((made(),))
    writer.store(store_file(first), SIGNATURE, digest_of(RAW), parsed, fresh=True)
    writer.save()
    assert ReadCache(first, shared).lookup(store_file(first), SIGNATURE, RAW)[1] == parsed
    assert ReadCache(second, shared).lookup(store_file(second), SIGNATURE, RAW)[1] is None


def test_each_location_has_its_own_cache_file_named_by_a_hash(tmp_path: Path) -> None:
    one, two = cache_file(tmp_path / "a"), cache_file(tmp_path / "b")
    odd = cache_file(tmp_path / "\udcff-undecodable")
    assert len({one, two, odd}) == 3
    for file in (one, two, odd):
        assert file.parent == paths.user_cache_dir() / "reads"
        assert len(file.stem) == 32 and int(file.stem, 16) >= 0 and file.suffix == ".bin"


def test_the_digest_of_a_store_file_is_16_bytes_of_its_content() -> None:
    assert len(digest_of(b"a")) == 16
    assert digest_of(b"a") != digest_of(b"b") and digest_of(b"a") == digest_of(b"a")


def test_the_cache_file_is_private_to_the_user(tmp_path: Path) -> None:
    location = tmp_path / "store"
    round_trip(location, AnnotationsFile((made(),)))
    assert stat.S_IMODE(cache_file(location).stat().st_mode) == 0o600


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    location = tmp_path / "store"
    target = cache_file(location)
    target.mkdir(parents=True)  # a directory where the file goes: the rename fails
    (target / "inside").write_text("keeps it a non-empty directory")
    writer = ReadCache(location)
    parsed = AnnotationsFile((made(),))
    writer.store(store_file(location), SIGNATURE, digest_of(RAW), parsed, fresh=True)
    writer.save()  # raises nothing
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_only_old_temporary_files_of_the_cache_are_swept(tmp_path: Path) -> None:
    location = tmp_path / "store"
    reads = cache_file(location).parent
    reads.mkdir(parents=True)
    for n in range(20):  # other files around: the sweep goes on past them
        (reads / f"other-{n}.bin").write_bytes(b"x")
    (reads / ".tmp-dir").mkdir()
    outside = tmp_path / "not-in-the-cache"
    outside.write_bytes(b"someone else's")
    (reads / ".tmp-link").symlink_to(outside)
    old = reads / ".tmp-1-aaaaaaaaaaaa"
    old.write_bytes(b"half a cache")
    two_hours_ago = time.time() - 2 * 3600
    for path in (old, outside, reads / ".tmp-dir"):
        os.utime(path, (two_hours_ago, two_hours_ago))
    os.utime(reads / ".tmp-link", (two_hours_ago, two_hours_ago), follow_symlinks=False)
    round_trip(location, AnnotationsFile((made(),)))
    assert not old.exists()
    # Only regular files are swept: a directory or a link of that name is not a leftover.
    assert (reads / ".tmp-dir").is_dir() and (reads / ".tmp-link").is_symlink()
    assert outside.read_bytes() == b"someone else's"


@pytest.mark.parametrize(
    "signature",
    [
        (2**64 - 1, 2**63 + 5, len(RAW), 4, 5),  # an overlay filesystem's inode: all 64 bits
        (1, 2, len(RAW), -(10**18), -1),  # times before 1970
    ],
)
def test_any_signature_a_stat_can_give_is_kept(
    tmp_path: Path, signature: tuple[int, int, int, int, int]
) -> None:
    location = tmp_path / "store"
    parsed = AnnotationsFile((made(),))
    writer = ReadCache(location)
    writer.store(store_file(location), signature, digest_of(RAW), parsed, fresh=True)
    writer.save()
    reader = ReadCache(location)
    assert reader.lookup(store_file(location), signature, RAW)[1] == parsed
    other = (*signature[:4], signature[4] + 1)
    assert ReadCache(location).lookup(store_file(location), other, RAW)[1] is None


def test_a_signature_no_stat_gives_leaves_that_file_out_only(tmp_path: Path) -> None:
    location = tmp_path / "store"
    writer = ReadCache(location)
    odd = (2**64, 2, len(RAW), 4, 5)
    fine = AnnotationsFile((made(),))
    writer.store(store_file(location, "odd.json"), odd, digest_of(RAW), fine, fresh=True)
    writer.store(store_file(location, "ok.json"), SIGNATURE, digest_of(RAW), fine, fresh=True)
    writer.save()
    reader = ReadCache(location)
    assert reader.lookup(store_file(location, "odd.json"), odd, RAW)[1] is None
    assert reader.lookup(store_file(location, "ok.json"), SIGNATURE, RAW)[1] == fine


def test_entries_answered_by_signature_are_kept_by_the_next_save(tmp_path: Path) -> None:
    # A later process that answers one file from the cache and parses another afresh
    # writes a cache holding both.
    location = tmp_path / "store"
    settled_parse, fresh_parse = AnnotationsFile((made(note="one"),)), AnnotationsFile(())
    writer = ReadCache(location)
    writer.store(
        store_file(location, "a.json"),
        SIGNATURE,
        digest_of(RAW),
        settled_parse,
        fresh=True,
        settled=True,
    )
    writer.save()
    second = ReadCache(location)
    assert second.known(store_file(location, "a.json"), SIGNATURE) == (
        digest_of(RAW),
        settled_parse,
    )
    second.store(
        store_file(location, "b.json"), SIGNATURE, digest_of(b"b"), fresh_parse, fresh=True
    )
    second.save()
    third = ReadCache(location)
    assert third.known(store_file(location, "a.json"), SIGNATURE) == (
        digest_of(RAW),
        settled_parse,
    )
    assert third.lookup(store_file(location, "b.json"), SIGNATURE, b"b")[1] == fresh_parse


@pytest.mark.parametrize("by_slot", [True, False])
def test_both_ways_of_building_give_the_same_annotations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_slot: bool
) -> None:
    # By slot is what runs; through __init__ is the fallback for a changed Annotation.
    monkeypatch.setattr(read_cache_file, "_BY_SLOT", by_slot)
    kept = AnnotationsFile(
        (
            made(tags=("a", "b/c"), note="n", creator="ada", origin="urn:x"),
            made(status=AnchorStatus.FUZZY, score=42.5, revision=3, color="pink"),
        )
    )
    found = round_trip(tmp_path / "store", kept)
    assert found == kept
    assert found is not None and all(type(a) is Annotation for a in found.annotations)
    assert [hash(a) for a in found.annotations] == [hash(a) for a in kept.annotations]


def generation(location: Path, answered: list[str], fresh: dict[str, AnnotationsFile]) -> None:
    """A process that answers ``answered`` from the cache by signature and parses ``fresh``."""
    cache = ReadCache(location)
    for name in answered:
        assert cache.known(store_file(location, name), SIGNATURE) is not None, name
    for name, parsed in fresh.items():
        cache.store(
            store_file(location, name), SIGNATURE, digest_of(RAW), parsed, fresh=True, settled=True
        )
    cache.save()


def test_a_new_generation_copies_unchanged_entries_and_is_rewritten_whole_when_wasteful(
    tmp_path: Path,
) -> None:
    location = tmp_path / "store"
    big = AnnotationsFile(tuple(made(note=f"kept {n}") for n in range(12)))
    versions = [AnnotationsFile((made(note=f"version {n}"),) * 2) for n in range(4)]
    generation(location, [], {"big.json": big, "small.json": versions[0]})
    unused = []
    for version in versions[1:]:
        # Each process answers big.json from the cache and re-parses small.json.
        generation(location, ["big.json"], {"small.json": version})
        reader = ReadCache(location)
        assert reader.known(store_file(location, "big.json"), SIGNATURE) == (digest_of(RAW), big)
        assert reader.known(store_file(location, "small.json"), SIGNATURE) == (
            digest_of(RAW),
            version,
        )
        written = split(cache_file(location).read_bytes())
        unused.append(written.header["garbage"])
        if unused[-1] == 0:  # written whole: no string of an earlier version is left
            assert b"version 0" not in written.text
    # Appended while the rows no entry uses stay within a quarter of the 14 used (2 rows
    # of one earlier small.json), written whole past it (4).
    assert unused == [2, 0, 2]


def test_a_new_string_holding_the_separator_makes_a_whole_file(tmp_path: Path) -> None:
    location = tmp_path / "store"
    first = AnnotationsFile((made(note="plain"),))
    generation(location, [], {"a.json": first, "b.json": first})
    separator = split(cache_file(location).read_bytes()).header["separator"]
    odd = AnnotationsFile((made(note=f"holds the separator {separator}"),))
    generation(location, ["a.json"], {"b.json": odd})
    reader = ReadCache(location)
    assert reader.known(store_file(location, "b.json"), SIGNATURE) == (digest_of(RAW), odd)
    assert reader.known(store_file(location, "a.json"), SIGNATURE) == (digest_of(RAW), first)
    assert split(cache_file(location).read_bytes()).header["separator"] != separator
