"""Pins of the text sketch that finds a renamed article again (``core/fingerprint.py``).

What a stored fingerprint looks like, which part of a text it is taken from,
and which stored values are refused: a sketch written by one version must be
read the same by the next, and a damaged one must read as none rather than as
a wrong sketch.
"""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from ipreader.core.fingerprint import (
    FINGERPRINT_CHARS,
    SKETCH_SIZE,
    containment,
    parse_fingerprint,
    shingles,
    sketch,
    text_fingerprint,
)


def _stored(words: int, values: list[int], version: str = "v1") -> str:
    packed = base64.b64encode(struct.pack(f">{len(values)}I", *values)).decode("ascii")
    return f"{version}:{words}:{packed}"


def test_shingles_are_three_word_runs_hashed_with_crc32_case_folded() -> None:
    expected = {zlib.crc32(b"one two three"), zlib.crc32(b"two three four")}
    assert shingles("One, TWO; three... four") == expected
    # German sharp s folds to "ss": the same article typed either way is the same text.
    assert shingles("Die STRASSE ist") == shingles("die Straße ist")


def test_a_short_text_is_one_shingle_of_what_it_has() -> None:
    assert shingles("Lonely") == {zlib.crc32(b"lonely")}
    assert shingles("two words") == {zlib.crc32(b"two words")}
    assert shingles("  ,;  ") == set()


def test_only_the_head_of_a_text_counts() -> None:
    head = ("alpha beta gamma " * (FINGERPRINT_CHARS // 17 + 1))[:FINGERPRINT_CHARS]
    # The head ends inside a word, so the tail's first letters would glue to it.
    assert shingles(head + " omega psi chi") == shingles(head)
    # The head is cut after exactly FINGERPRINT_CHARS characters, inside the last word.
    edge = "x" * (FINGERPRINT_CHARS - 13) + " zulu yank xr"
    assert len(edge) == FINGERPRINT_CHARS
    assert zlib.crc32(b"zulu yank xr") in shingles(edge + "ay and more words")


def test_sketch_keeps_the_smallest_distinct_hashes_sorted() -> None:
    values = [*range(SKETCH_SIZE + 50, 0, -1), 5, 5, 7]
    assert sketch(values) == tuple(range(1, SKETCH_SIZE + 1))
    assert sketch([9, 3, 3, 1]) == (1, 3, 9)
    assert sketch([]) == ()


def test_a_fingerprint_reads_back_as_the_word_count_and_sketch() -> None:
    text = "The quick brown fox jumps over the lazy dog, then the dog sleeps."
    stored = text_fingerprint(text)
    version, words, packed = stored.split(":")
    assert (version, words) == ("v1", "13")
    assert base64.b64decode(packed, validate=True)  # plain base64, nothing else
    assert parse_fingerprint(stored) == (13, sketch(shingles(text)))


def test_a_long_text_keeps_a_full_sketch_and_counts_only_the_head_words() -> None:
    text = " ".join(f"w{n}" for n in range(FINGERPRINT_CHARS))  # far past the head
    parsed = parse_fingerprint(text_fingerprint(text))
    assert parsed is not None
    words, values = parsed
    assert len(values) == SKETCH_SIZE
    assert values == sketch(shingles(text))
    assert words == len(text[:FINGERPRINT_CHARS].split())


def test_a_text_without_words_has_no_fingerprint() -> None:
    assert text_fingerprint("") == ""
    assert text_fingerprint(" -- ... !! ") == ""
    assert text_fingerprint("one") != ""


def test_a_sketch_of_the_largest_size_is_read() -> None:
    values = list(range(1, SKETCH_SIZE + 1))
    assert parse_fingerprint(_stored(4000, values)) == (4000, tuple(values))
    assert parse_fingerprint(_stored(0, [2**32 - 1])) == (0, (2**32 - 1,))


@pytest.mark.parametrize(
    "stored",
    [
        "",
        _stored(10, [1, 2], version="v2"),
        _stored(10, [1, 2], version="V1"),
        "v1:ten:" + _stored(10, [1, 2]).split(":")[2],
        "v1:-3:" + _stored(10, [1, 2]).split(":")[2],
        "v1:10:",  # no sketch
        "v1:10:AAAA*AAA",  # not base64
        "v1:10:AAAA!AQ==",  # one hash with a stray character: damaged, not read around it
        "v1:10:" + base64.b64encode(b"\x00\x00\x01").decode(),  # not whole hashes
        _stored(10, list(range(SKETCH_SIZE + 1))),  # longer than any sketch written
        "v1:10",
        "v1",
    ],
)
def test_a_damaged_fingerprint_reads_as_none(stored: str) -> None:
    assert parse_fingerprint(stored) is None


def test_containment_is_the_share_of_the_sketch_found() -> None:
    assert containment([1, 2, 3, 4], {2, 4, 99}) == 0.5
    assert containment(iter([1, 2, 3]), {1}) == pytest.approx(1 / 3)
    assert containment([], {1, 2}) == 0.0
    assert containment([1], set()) == 0.0
