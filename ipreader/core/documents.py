"""Articles on disk: reading and decoding, and ``DocumentInfo``.

Decoding order (see ``decode_bytes``): byte-order mark -> NUL bytes mean binary
-> strict UTF-8 -> a legacy encoding chosen on a bounded sample -> undecodable.
Offsets everywhere are code points into the decoded text with newlines
normalised to ``\\n``. Title, date and word count come from ``metadata``.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from dataclasses import dataclass, fields
from pathlib import Path

from ipreader.core.encodings import guess_legacy_encoding, looks_like_broken_utf8
from ipreader.core.errors import BinaryFileError, DecodeError, DocumentError, UndecodableError

#: Only this many leading bytes are searched for NUL bytes (the binary test).
BINARY_SNIFF_BYTES = 8 * 1024

#: Most bytes asked of one ``os.read`` call.
READ_CHUNK_BYTES = 1 << 30

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalize_newlines(text: str) -> str:
    """Return ``text`` with ``\\r\\n`` and lone ``\\r`` turned into ``\\n``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_ratio(text: str) -> float:
    """Return the share of C0 control characters other than whitespace in ``text``."""
    if not text:
        return 0.0
    sample = text[:BINARY_SNIFF_BYTES]
    bad = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    return bad / len(sample)


def _decode_bom(data: bytes, path: Path | None) -> tuple[str, str] | None:
    """Decode ``data`` by its byte-order mark; None when it has none."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError:
                if encoding == "utf-32-le":
                    # FF FE 00 00 is also a UTF-16 BOM followed by U+0000.
                    continue
                raise UndecodableError(path, f"invalid {encoding} text") from None
    return None


def _decode_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """Decode BOM-less UTF-16 whose NUL bytes sit in every other byte (ASCII-range text)."""
    head = data[:BINARY_SNIFF_BYTES]
    if len(data) % 2 or len(head) < 4:
        return None
    pairs = len(head) // 2
    zeros_even = head[0::2].count(0)
    zeros_odd = head[1::2].count(0)
    if zeros_odd >= pairs * 0.3 and zeros_even == 0:
        encoding = "utf-16-le"
    elif zeros_even >= pairs * 0.3 and zeros_odd == 0:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if _control_ratio(text) > 0.01:
        return None
    return text, encoding


def _decode_raw(data: bytes, path: Path | None) -> tuple[str, str]:
    """Decode ``data`` without newline normalisation (see ``decode_bytes``)."""
    if not data:
        return "", "utf-8"
    by_bom = _decode_bom(data, path)
    if by_bom is not None:
        return by_bom
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        utf16 = _decode_bomless_utf16(data)
        if utf16 is not None:
            return utf16
        raise BinaryFileError(path, "binary file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if looks_like_broken_utf8(data):
            # Mostly valid UTF-8: a legacy codec would only produce mojibake.
            raise UndecodableError(
                path, f"invalid UTF-8 (corrupt byte at offset {error.start})"
            ) from None
    for encoding in guess_legacy_encoding(data):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            # The sample fitted but the whole does not: try the runner-up.
            continue
        if _control_ratio(text) <= 0.01:
            return text, encoding
    raise UndecodableError(path, "cannot decode text (unknown encoding)")


def decode_bytes(data: bytes, path: Path | None = None) -> tuple[str, str]:
    """Decode an article's raw bytes; return ``(text, encoding name)``.

    Newlines are normalised. Raises ``BinaryFileError`` for binary data and
    ``UndecodableError`` when no supported encoding fits; never anything else.
    """
    text, encoding = _decode_raw(data, path)
    return normalize_newlines(text), encoding


def read_bytes(path: Path, *, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """Read a regular file's bytes with the stat of the very file read.

    Opening with ``O_NONBLOCK`` and checking ``fstat`` on the open descriptor
    means a FIFO or device is never waited on, even if it replaced the file
    after discovery. At most the size ``fstat`` reported is read: a file that
    another process keeps appending to (a log, a download) is read as a
    snapshot instead of never reaching its end. ``limit`` caps the bytes read.
    Raises ``DocumentError`` (never ``OSError``).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise DocumentError(path, _os_reason(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(path, "not a regular file")
        chunks: list[bytes] = []
        remaining = info.st_size if limit is None else min(info.st_size, limit)
        # One read call usually returns the whole file, and a single chunk is
        # returned without the copy of b"".join; the cap keeps each call under
        # the 2 GiB some systems refuse.
        while remaining > 0 and (chunk := os.read(fd, min(remaining, READ_CHUNK_BYTES))):
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks), info
    except OSError as error:
        raise DocumentError(path, _os_reason(error)) from None
    finally:
        os.close(fd)


def _os_reason(error: OSError) -> str:
    """Return a short lower-case reason for an ``OSError``."""
    reason = error.strerror or type(error).__name__
    return reason[:1].lower() + reason[1:]


@dataclass(frozen=True, slots=True)
class DocumentText:
    """An article read once: its decoded text and what the very bytes decoded were."""

    text: str
    """The decoded text, newlines normalised."""
    encoding: str
    """The encoding it was decoded with."""
    sha256: str
    """Hex sha256 of the raw bytes that were decoded."""
    size: int
    """Size in bytes of the file read."""
    mtime_ns: int
    """Modification time (ns) of the file read."""


def read_document(path: Path) -> DocumentText:
    """Read ``path`` once: decode its bytes and hash the same bytes.

    Every reader of articles comes here, so the hash a store reconciles
    against is always that of the text it was given, even if the file changed
    since the library was opened. Raises ``DocumentError`` (never ``OSError``)
    when the file cannot be read or is not a regular file, and a ``DecodeError``
    carrying the bytes' hash, size and mtime when they are binary or cannot be
    decoded.
    """
    data, info = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    try:
        text, encoding = decode_bytes(data, path)
    except DecodeError as error:
        error.sha256, error.size, error.mtime_ns = digest, info.st_size, info.st_mtime_ns
        raise
    return DocumentText(text, encoding, digest, info.st_size, info.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the document list shows about one article, readable or not."""

    path: Path
    """The absolute path of the file."""
    relpath: str
    """Path relative to ``root``, with ``/`` separators (the document key)."""
    root: Path
    """The folder whose ``.ipreader`` holds the document's annotations."""
    title: str
    """The first line (cleaned) or the file stem; never empty."""
    date: str | None
    """ISO ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS`` found near the top, else None."""
    words: int
    """Whitespace-separated words, each CJK character counting as one."""
    reading_minutes: int
    """``ceil(words / 230)``, at least 1 when there is any word."""
    sha256: str | None
    """Hex sha256 of the raw bytes; None when the file could not be read."""
    encoding: str | None
    """The encoding the text was decoded with; None when it was not decoded."""
    size: int
    """Size in bytes when read."""
    mtime_ns: int
    """Modification time (ns) when read."""
    error: str | None
    """None when readable, else the reason ("binary file", "permission denied", ...)."""
    source: str | None = None
    """The byline or source named in the article's head ("ECNS", "Jane Doe, BBC News")."""
    chars: int = 0
    """Length of the decoded text in code points (0 when unreadable): where an offset sits."""

    @property
    def readable(self) -> bool:
        """True when the text could be read and decoded."""
        return self.error is None


#: ``DocumentInfo``'s fields after ``path``, ``relpath`` and ``root``, in its order: what
#: the metadata cache and the kept listing store of a document (path and root come from
#: where it is opened, so a moved folder keeps them).
INFO_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(DocumentInfo))[3:]

#: The JSON types each of ``INFO_FIELDS`` may hold (exact: a bool is not an int).
INFO_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "date": (str, type(None)),
    "words": (int,),
    "reading_minutes": (int,),
    "sha256": (str, type(None)),
    "encoding": (str, type(None)),
    "size": (int,),
    "mtime_ns": (int,),
    "error": (str, type(None)),
    "source": (str, type(None)),
    "chars": (int,),
}


# --- files --------------------------------------------------------------------------------


def document_key(root: Path, path: Path) -> str:
    """Return ``path`` relative to ``root`` with ``/`` separators (the name if outside)."""
    # A string prefix first: ``relative_to`` re-parses both paths, and a folder of
    # 10,000 articles asks this for every article when sorting and when listing.
    # Paths are normalised, so the prefix answer is relative_to's; anything else
    # (case-insensitive file systems, the root "/") takes the exact route.
    base, full = str(root), str(path)
    if len(full) > len(base) + 1 and full.startswith(base) and full[len(base)] == os.sep:
        relative = full[len(base) + 1 :]
        return relative if os.sep == "/" else relative.replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def fallback_title(path: Path) -> str:
    """Return the title used when the text gives none: the file stem."""
    return path.stem or path.name or "untitled"


def _still(path: Path, document: DocumentText) -> bool:
    """True when ``path``'s size and modification time are still those ``document`` was read at."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_size == document.size and info.st_mtime_ns == document.mtime_ns


def load_info(root: Path, path: Path, already: DocumentText | None = None) -> DocumentInfo:
    """Read ``path`` and return its ``DocumentInfo``; unreadable files get ``error`` set.

    ``already`` is a read of ``path`` just made (see ``load_document``).
    """
    return load_document(root, path, already)[0]


def load_document(
    root: Path, path: Path, already: DocumentText | None = None
) -> tuple[DocumentInfo, str | None]:
    """Read ``path`` once; return its ``DocumentInfo`` and decoded text (None if unreadable).

    A caller that needs both (the file opened first) reads, hashes and decodes
    the file once instead of twice. ``already`` is a read of ``path`` made
    moments ago (the first article, shown before the library is open): used
    while the file's size and time are still its. Never raises for unreadable files.
    """
    relpath = document_key(root, path)
    fallback = fallback_title(path)

    def unreadable(reason: str, sha256: str | None, size: int, mtime_ns: int) -> DocumentInfo:
        return DocumentInfo(
            path=path,
            relpath=relpath,
            root=root,
            title=fallback,
            date=None,
            source=None,
            words=0,
            reading_minutes=0,
            sha256=sha256,
            encoding=None,
            size=size,
            mtime_ns=mtime_ns,
            error=reason,
        )

    try:
        document = already if already is not None and _still(path, already) else None
        document = document or read_document(path)
    except DecodeError as error:
        return unreadable(error.reason, error.sha256, error.size, error.mtime_ns), None
    except DocumentError as error:
        try:
            st = path.stat()
        except OSError:
            return unreadable(error.reason, None, 0, 0), None
        return unreadable(error.reason, None, st.st_size, st.st_mtime_ns), None
    # Imported here: a warm open takes the metadata from the cache and never needs
    # the date and byline patterns (``metadata``, ``head``) at all.
    from ipreader.core.metadata import extract_metadata

    found = extract_metadata(document.text, fallback)
    readable = DocumentInfo(
        path=path,
        relpath=relpath,
        root=root,
        title=found.title,
        date=found.date,
        source=found.source,
        words=found.words,
        reading_minutes=found.reading_minutes,
        sha256=document.sha256,
        encoding=document.encoding,
        size=document.size,
        mtime_ns=document.mtime_ns,
        error=None,
        chars=len(document.text),
    )
    return readable, document.text
