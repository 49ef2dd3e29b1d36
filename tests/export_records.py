"""Records as ipreader's JSON export writes them, built field by field for exporter tests."""

from __future__ import annotations

from typing import Any


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
