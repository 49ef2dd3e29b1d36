"""A small sketch of an article's text that survives edits: how a renamed file is found again.

The text's words are cut into overlapping three-word *shingles*, each hashed
with CRC-32 (stable across processes and versions, unlike ``hash()``). A
document record keeps the ``SKETCH_SIZE`` smallest hashes (a bottom-k
MinHash sketch, ~690 characters in the index). A candidate file's full set of
shingle hashes then tells what share of the sketch survives in it
(``containment``): an article with 10 % of its words changed keeps about
70 % of its shingles, while two different articles share a few percent (set
phrases such as "said that the").

Only the first ``FINGERPRINT_CHARS`` characters count, so a sketch of a
20 MB book costs what a sketch of a long article does.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from collections.abc import Iterable

#: Characters of a text the sketch is taken from (the head of a big text).
FINGERPRINT_CHARS = 262_144

#: Hashes kept in a sketch (~690 characters stored). Over 1,000 renamed BBC articles with
#: 10 % of their characters edited (bench/relink.py), the lowest score of an article's
#: own file was 0.61 with 64 hashes and 0.69 with 128, the highest of a file sharing half
#: its text 0.55 and 0.52: the sampling error shrinks with the size, and the margin holds.
SKETCH_SIZE = 128

#: Words per shingle.
SHINGLE_WORDS = 3

#: Marks the sketch format, so a later version can tell old sketches apart.
_VERSION = "v1"

#: What a word is: a run of ``\w`` characters (``str.isalnum()`` or ``_``), as ``re``'s
#: ``\w+`` finds them; the sketches of earlier versions were taken with that pattern.
#: Per ASCII byte, itself when it is a word character, else a space; bytes from 0x80 up
#: stay (after ``_words`` has blanked every non-ASCII character that is no word character,
#: they can only be parts of words).
_WORD_BYTES = bytes(
    byte if chr(byte).isalnum() or byte == ord("_") else ord(" ") for byte in range(128)
) + bytes(range(128, 256))

_ASCII_BYTES = bytes(range(128))

#: Most distinct non-ASCII non-word characters blanked by one ``str.replace`` each; a
#: text with more (thousands of symbols) is cut by the pattern, not scanned once per symbol.
_FEW_BLANKS = 16

_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[int]:
    """Return the CRC-32 hashes of the three-word shingles of ``text``'s head (case-folded).

    A text of fewer than three words gives one shingle of what it has.
    """
    return _shingles(_words(text))


def _words(text: str) -> list[bytes]:
    """The case-folded words of the head of ``text``, UTF-8 encoded.

    The same words as ``re.findall(r"\\w+", head.casefold())``, found by one
    byte translation and a split: 2-3x faster than the pattern on articles, a
    third of a sketch's cost (an import sketches every new article).
    """
    folded = text[:FINGERPRINT_CHARS].casefold()
    if not folded.isascii():
        # The distinct non-ASCII characters (the ASCII bytes deleted; a lone surrogate,
        # from a file name, passes through and is blanked like any non-word character).
        others = folded.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
        blank = [c for c in set(others.decode("utf-8", "surrogatepass")) if not c.isalnum()]
        if len(blank) > _FEW_BLANKS:
            return [word.encode("utf-8") for word in _WORD.findall(folded)]
        for char in blank:
            folded = folded.replace(char, " ")  # one fast scan per character
    return folded.encode("utf-8").translate(_WORD_BYTES).split()


def _shingles(words: list[bytes]) -> set[int]:
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(b" ".join(words))} if words else set()
    # map/zip, not a comprehension over slices: the loop runs in C (2.6x faster on
    # BBC articles, where this was 43 % of an import), the hashes are the same.
    runs = zip(*(words[start:] for start in range(SHINGLE_WORDS)), strict=False)
    return set(map(zlib.crc32, map(b" ".join, runs)))


def sketch(hashes: Iterable[int]) -> tuple[int, ...]:
    """Return the ``SKETCH_SIZE`` smallest of ``hashes``, sorted."""
    return tuple(sorted(set(hashes))[:SKETCH_SIZE])


def text_fingerprint(text: str) -> str:
    """Return the fingerprint of ``text`` as stored: ``v1:<words>:<base64 sketch>``.

    ``""`` for a text without words.
    """
    words = _words(text)
    # ``sketch`` without its copy into a set: ``_shingles`` gives one already.
    values = tuple(sorted(_shingles(words))[:SKETCH_SIZE])
    if not values:
        return ""
    packed = base64.b64encode(struct.pack(f">{len(values)}I", *values)).decode("ascii")
    return f"{_VERSION}:{len(words)}:{packed}"


def parse_fingerprint(value: str) -> tuple[int, tuple[int, ...]] | None:
    """Return ``(words, sketch)`` of a stored fingerprint; ``None`` when empty or unreadable."""
    version, _, rest = value.partition(":")
    words, _, packed = rest.partition(":")
    if version != _VERSION or not words.isdigit():
        return None
    try:
        raw = base64.b64decode(packed, validate=True)
    except ValueError:
        return None
    if not raw or len(raw) % 4 or len(raw) > 4 * SKETCH_SIZE:
        return None
    return int(words), struct.unpack(f">{len(raw) // 4}I", raw)


def containment(sketch_values: Iterable[int], candidate: set[int]) -> float:
    """Return the share (0..1) of ``sketch_values`` found in a candidate's shingle hashes."""
    values = list(sketch_values)
    if not values:
        return 0.0
    return sum(value in candidate for value in values) / len(values)
