"""Import annotations into a folder from ipreader JSON, W3C JSON-LD, Hypothesis or REFI-QDA.

The format is detected (``detect``) unless given; one reader per format
(``ipreader_json``, ``w3c``, ``hypothesis``, ``refi_qda``) turns the file into a
``batch.Batch``, and ``merge`` saves it: documents found once (``locate``),
each entry checked by ``records.decode_fields`` and anchored, everything
written at the end. A file refused as a whole raises ``ImportFileError`` and
nothing is written; a bad entry is rejected with one message (``report``).
"""

from __future__ import annotations

from pathlib import Path

from ipreader.core.discovery import discover
from ipreader.core.documents import document_key
from ipreader.core.errors import DocumentError, ImportFileError
from ipreader.core.gc_pause import gc_paused
from ipreader.core.importer import hypothesis, ipreader_json, refi_qda, w3c
from ipreader.core.importer.batch import MAX_IMPORT_ENTRIES, Batch
from ipreader.core.importer.detect import IMPORT_FORMATS, detect_json, is_zip, refuse_xml
from ipreader.core.importer.locate import Locator
from ipreader.core.importer.merge import merge
from ipreader.core.importer.prefetch import Readers
from ipreader.core.importer.reading import MAX_IMPORT_BYTES, parse_json, read_file
from ipreader.core.importer.report import MAX_MESSAGES, ImportReport

__all__ = [
    "IMPORT_FORMATS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ENTRIES",
    "MAX_MESSAGES",
    "ImportReport",
    "import_file",
    "read_batch",
]

_JSON_READERS = {"ipreader": ipreader_json.read, "w3c": w3c.read, "hypothesis": hypothesis.read}


def read_batch(file: Path, fmt: str | None = None) -> Batch:
    """Read ``file`` (in ``fmt``, or the detected format) into a ``Batch``; nothing is written."""
    if fmt is not None and fmt not in IMPORT_FORMATS:
        raise ImportFileError(
            f"unknown import format {fmt!r}; choose one of {', '.join(IMPORT_FORMATS)}"
        )
    raw = read_file(file)
    if not raw or raw.isspace():  # isspace() stops at the first other byte: no copy
        raise ImportFileError(f"{file}: the file is empty: there is nothing to import")
    # A .qdpx name says what it should be: "not a readable zip", not "malformed JSON".
    qdpx = fmt is None and (is_zip(raw) or file.suffix.lower() == ".qdpx")
    if fmt == "qdpx" or qdpx:
        return refi_qda.read(file, raw)
    if fmt is None:
        refuse_xml(file, raw)
    data = parse_json(file, raw)
    del raw  # the parsed data is all that is needed from here on
    return _JSON_READERS[fmt or detect_json(file, data)](file, data)


def import_file(file: Path, root: Path, fmt: str | None = None) -> ImportReport:
    """Merge the annotations of ``file`` into the folder ``root``.

    ``fmt`` is one of ``IMPORT_FORMATS`` (detected when ``None``). Raises
    ``ImportFileError`` (nothing written) when ``file`` cannot be read as that
    format or breaks a limit, ``DocumentError`` when ``root`` is not a folder
    and ``StoreError`` when its store refuses writes.
    """
    with gc_paused(), Readers() as readers:  # gc: tens of thousands of acyclic objects
        readers.start_for(file)  # a worker's start-up overlaps the parse and the walk
        return _import(file, root, fmt, readers)


def _import(file: Path, root: Path, fmt: str | None, readers: Readers) -> ImportReport:
    batch = read_batch(file, fmt)
    if not root.is_dir():
        raise DocumentError(root, "not a folder")
    groups = discover([root])
    root = groups[0][0] if groups else root.resolve()  # discover() resolves it
    # document_key: a string prefix, not relative_to's two parses per article (10,000).
    known = {document_key(root, path): path for _, files in groups for path in files}
    return merge(batch, root, Locator(root, known), readers)
