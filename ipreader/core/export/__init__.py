"""Export annotations: ipreader JSON, W3C Web Annotation, Markdown, CSV, REFI-QDA.

``structure.collect`` builds the one canonical structure (documented by
``docs/export-schema.json``); one module per format only reshapes it:

* ``json`` (``ipreader_json``): the structure itself, the file ``ipreader import`` reads back;
* ``w3c`` (``w3c``): a JSON-LD ``AnnotationCollection`` of the W3C Web Annotation Data Model;
* ``markdown`` (``markdown``): a readable digest, one section per document;
* ``csv`` (``csv_table``): one row per highlight, for spreadsheets;
* ``qdc`` and ``qdpx`` (``refi_qda``): a REFI-QDA codebook, and a whole project (a zip).

``render_export`` returns text for the text formats (``EXPORT_FORMATS``, what
the app offers); ``export_bytes`` returns the bytes of a file in any format
(``FILE_EXPORT_FORMATS``, which adds the ``qdpx`` zip).
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ipreader.core.export.ipreader_json import to_json
from ipreader.core.export.structure import (
    EXPORT_FORMAT_NAME,
    EXPORT_VERSION,
    ExportFormatError,
    ExportSet,
    collect,
    export_data,
)
from ipreader.core.gc_pause import gc_paused
from ipreader.core.library import Library
from ipreader.core.wording import plural

if TYPE_CHECKING:
    from ipreader.core.export.csv_table import to_csv
    from ipreader.core.export.markdown import to_markdown
    from ipreader.core.export.refi_qda import EmptyCodebookError, to_qdc, to_qdpx
    from ipreader.core.export.w3c import to_w3c

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_FORMAT_NAME",
    "EXPORT_VERSION",
    "FILE_EXPORT_FORMATS",
    "EmptyCodebookError",
    "ExportFormatError",
    "ExportSet",
    "collect",
    "export_bytes",
    "export_data",
    "render_export",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_qdc",
    "to_qdpx",
    "to_w3c",
]

# The renderers of the other formats are imported when first used: an export of
# one format does not pay for the others' modules (REFI-QDA's XML and zip: ~30 ms
# of every ``ipreader export``).
_LAZY = {
    "to_csv": "csv_table",
    "to_markdown": "markdown",
    "EmptyCodebookError": "refi_qda",
    "to_qdc": "refi_qda",
    "to_qdpx": "refi_qda",
    "to_w3c": "w3c",
}


def __getattr__(name: str) -> Any:
    """The renderers imported on first use (``_LAZY``), as if imported above."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


#: The formats ``render_export`` renders as text.
EXPORT_FORMATS = ("json", "w3c", "markdown", "csv", "qdc")

#: Every format ``export_bytes`` writes: the text ones plus the REFI-QDA project (a zip).
FILE_EXPORT_FORMATS = (*EXPORT_FORMATS, "qdpx")

#: The formats whose renderer needs each article's text (``collect``'s ``texts``): the
#: REFI-QDA project ships every article; W3C needs the text only of an article whose
#: highlights do not all cover exactly their quote, and such an article is always read.
_NEEDS_TEXTS: dict[str, bool | Literal["read"]] = {"qdpx": True, "w3c": "read"}


def _collect(
    library: Library,
    fmt: str,
    formats: Sequence[str],
    tags: Sequence[str],
    document_glob: str | None,
    only: Collection[Path] | None,
) -> ExportSet:
    if fmt not in formats:
        raise ExportFormatError(
            f"unknown export format {fmt!r}; choose one of {', '.join(formats)}"
        )
    return collect(library, tags, document_glob, only, texts=_NEEDS_TEXTS.get(fmt, False))


def _render(export: ExportSet, fmt: str) -> str:
    if fmt == "w3c":
        from ipreader.core.export.w3c import to_w3c

        return to_json(to_w3c(export))
    if fmt == "markdown":
        from ipreader.core.export.markdown import to_markdown

        return to_markdown(export.data)
    if fmt == "csv":
        from ipreader.core.export.csv_table import to_csv

        return to_csv(export.data)
    if fmt == "qdc":
        from ipreader.core.export.refi_qda import to_qdc

        return to_qdc(export)
    return to_json(export.data)


def render_export(
    library: Library,
    fmt: str = "json",
    tags: Sequence[str] = (),
    document_glob: str | None = None,
    only: Collection[Path] | None = None,
) -> str:
    """Return the export of ``library`` in ``fmt`` (one of ``EXPORT_FORMATS``) as text.

    ``tags``, ``document_glob`` and ``only`` select as in ``export_data``.
    """
    with gc_paused():  # tens of thousands of acyclic objects (gc_pause.py)
        return _render(_collect(library, fmt, EXPORT_FORMATS, tags, document_glob, only), fmt)


def export_bytes(
    library: Library,
    fmt: str = "json",
    tags: Sequence[str] = (),
    document_glob: str | None = None,
    only: Collection[Path] | None = None,
) -> bytes:
    """Return the file of the export of ``library`` in ``fmt`` (one of ``FILE_EXPORT_FORMATS``).

    Text formats are UTF-8; ``qdpx`` is a zip.
    """
    with gc_paused():  # tens of thousands of acyclic objects (gc_pause.py)
        export = _collect(library, fmt, FILE_EXPORT_FORMATS, tags, document_glob, only)
        return _file_bytes(library, export, fmt)


def _file_bytes(library: Library, export: ExportSet, fmt: str) -> bytes:
    if fmt == "qdpx":
        gone = [document["path"] for document in export.data["documents"] if "missing" in document]
        if gone:
            # A project ships each article's text; a missing one's is gone: said, not skipped.
            library.notices.add(
                f"{plural(len(gone), 'missing article')} left out of the project (no text to "
                f"ship; its highlights stay in the folder): {', '.join(gone[:5])}"
                + (", ..." if len(gone) > 5 else "")
            )
        texts: list[str | None] = list(export.texts or [])
        unreadable = [
            document["path"]
            for document, text in zip(export.data["documents"], texts, strict=True)
            if text is None and "missing" not in document
        ]
        if unreadable:
            # Listed, then unreadable when its text was read for the project: said too.
            library.notices.add(
                f"{plural(len(unreadable), 'unreadable article')} left out of the project "
                f"(no text to ship; its highlights stay in the folder): "
                f"{', '.join(unreadable[:5])}" + (", ..." if len(unreadable) > 5 else "")
            )
        from ipreader.core.export.refi_qda import to_qdpx

        return to_qdpx(export)
    # Lone surrogates (file names that are not UTF-8) are already escaped in JSON output;
    # elsewhere backslashreplace keeps the file writable.
    return _render(export, fmt).encode("utf-8", errors="backslashreplace")
