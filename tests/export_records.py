"""Records as ipreader's JSON export writes them, built field by field for exporter tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipreader.core.library import Library
from ipreader.core.model import Annotation


def exported_annotation(uid: str, **fields: Any) -> dict[str, Any]:
    """One exported annotation (``quick`` at 4-9 of "The quick brown"), with ``fields`` changed."""
    base = {
        "id": uid,
        "start": 4,
        "end": 9,
        "quote": "quick",
        "prefix": "The ",
        "suffix": " brown",
        "status": "anchored",
        "creator": "",
        "created": "2024-01-01T00:00:00Z",
        "updated": "2024-01-02T00:00:00Z",
        "note": "",
        "tags": [],
        "color": "yellow",
        "revision": 1,
        "score": None,
    }
    return base | fields


def exported_document(*annotations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """One exported document (``a.txt``) holding ``annotations``, with ``fields`` changed."""
    base = {"path": "a.txt", "sha256": "ab" * 32, "note": "", "tags": []}
    return base | fields | {"annotations": list(annotations)}


def highlight_in(root: Path, relpath: str, quote: str, **fields: Any) -> Annotation:
    """Highlight the first ``quote`` of article ``relpath`` under ``root`` and save it there."""
    library = Library.open([root])
    info = next(i for i in library.documents() if i.relpath == relpath)
    text, _ = library.load(info)
    start = text.index(quote)
    annotation = Annotation.create(text, start, start + len(quote), relpath, **fields)
    library.store_for(info).save_annotation(annotation)
    return annotation
