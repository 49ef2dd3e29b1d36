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


class BinaryFileError(DocumentError):
    """The file looks binary (a NUL byte outside UTF-16 text)."""


class UndecodableError(DocumentError):
    """No supported encoding decodes the file."""


class StoreError(IpreaderError):
    """The annotation database cannot be read or written."""


class SchemaTooNewError(StoreError):
    """A database was written by a newer ipreader; it is refused, never rewritten."""


class StoreWriteError(StoreError):
    """A save failed (disk full, I/O error, permission); the previous file is unchanged."""


class ImportFileError(IpreaderError):
    """An import file is malformed as a whole; nothing was written."""
