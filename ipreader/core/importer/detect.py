"""Which format an import file is in (the CLI's ``--format`` overrides it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipreader.core.errors import ImportFileError
from ipreader.core.export import EXPORT_FORMAT_NAME
from ipreader.core.importer import hypothesis, w3c

#: The formats ``import_file`` reads.
IMPORT_FORMATS = ("ipreader", "w3c", "hypothesis", "qdpx")

_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(raw: bytes) -> bool:
    """True for the bytes of a zip file (a ``.qdpx`` project)."""
    return raw.startswith(_ZIP_MAGIC)


def refuse_xml(file: Path, raw: bytes) -> None:
    """Refuse an XML file with a message saying what to import instead."""
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return
    if b"CodeBook" in head:
        raise ImportFileError(
            f"{file}: a REFI-QDA codebook holds codes but no highlights: nothing to import"
        )
    raise ImportFileError(
        f"{file}: an XML file; import a REFI-QDA project as its .qdpx (a zip with "
        "project.qde and Sources/)"
    )


def detect_json(file: Path, data: Any) -> str:
    """The format of parsed JSON ``data``; ``ImportFileError`` when none fits."""
    if isinstance(data, dict) and "format" in data:
        return "ipreader"
    if hypothesis.looks_like(data):
        return "hypothesis"
    if w3c.looks_like(data):
        return "w3c"
    raise ImportFileError(
        f'{file}: not an ipreader export (expected "format": "{EXPORT_FORMAT_NAME}"), '
        "nor W3C Web Annotation JSON-LD, Hypothesis API JSON or a REFI-QDA project"
    )
