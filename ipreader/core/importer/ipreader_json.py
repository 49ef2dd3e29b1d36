"""Reading ipreader's own JSON export (``docs/import-schema.json`` says what is accepted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipreader.core.errors import ImportFileError
from ipreader.core.export import EXPORT_FORMAT_NAME, EXPORT_VERSION
from ipreader.core.importer.batch import Batch, DocumentRef


def read(file: Path, data: Any) -> Batch:
    """The entries of the ipreader export ``data``; ``ImportFileError`` when it is not one."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT_NAME:
        raise ImportFileError(
            f'{file}: not an ipreader export (expected "format": "{EXPORT_FORMAT_NAME}")'
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportFileError(f"{file}: missing or invalid export version")
    if version > EXPORT_VERSION:
        raise ImportFileError(
            f"{file}: export version {version} was written by a newer ipreader "
            f"(this one reads version {EXPORT_VERSION})"
        )
    if version < 1:
        raise ImportFileError(f"{file}: unknown export version {version}")
    documents = data.get("documents")
    if not isinstance(documents, list):
        raise ImportFileError(f'{file}: "documents" must be a list')
    batch = Batch(file, "ipreader")
    for index, document in enumerate(documents):
        where = f"documents[{index}]"
        if not isinstance(document, dict):
            batch.reject(f"{where}: not an object; skipped")
            continue
        entries = document.get("annotations")
        if entries is not None and not isinstance(entries, list):
            batch.reject(f"{where}: annotations must be a list; document skipped")
            continue
        sha256 = document.get("sha256")
        ref = DocumentRef(
            # The path is required here: a missing one is named as such, not looked for.
            path="" if document.get("path") is None else document["path"],
            sha256=sha256 if isinstance(sha256, str) else None,
        )
        group = batch.group(where, ref)
        for number, entry in enumerate(entries or []):
            batch.add(group, f"annotation {number}", entry)
        batch.set_notes(group, document)
    return batch
