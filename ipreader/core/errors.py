"""Typed errors raised by the core; every one carries a message fit for a user."""

from __future__ import annotations

from pathlib import Path


class IpreaderError(Exception):
    """Base of every error ipreader reports to a user instead of a traceback."""


class DocumentError(IpreaderError):
    """An article cannot be read as text."""

    def __init__(self, path: Path | None, reason: str) -> None:
        self.path = path
        self.reason = reason
        where = f"{path}: " if path is not None else ""
        super().__init__(f"{where}{reason}")


class DecodeError(DocumentError):
    """The file was read, but its bytes are not text in a supported encoding.

    ``documents.read_document`` records what it learnt of the bytes, so a file
    list can still show (and cache) the file with its hash.
    """

    sha256: str | None = None
    """Hex sha256 of the bytes read (None when raised by ``decode_bytes`` alone)."""
    size: int = 0
    """Size in bytes of the file read."""
    mtime_ns: int = 0
    """Modification time (ns) of the file read."""


class BinaryFileError(DecodeError):
    """The file looks binary (a NUL byte outside UTF-16 text)."""


class UndecodableError(DecodeError):
    """No supported encoding decodes the file."""


class StoreError(IpreaderError):
    """The annotation database cannot be read or written."""


class SchemaTooNewError(StoreError):
    """A database was written by a newer ipreader; it is refused, never rewritten."""


class StoreWriteError(StoreError):
    """A save failed (disk full, I/O error, permission); the previous file is unchanged."""


class ImportFileError(IpreaderError):
    """An import file is malformed as a whole; nothing was written."""
