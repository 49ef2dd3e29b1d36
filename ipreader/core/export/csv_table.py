"""The CSV export: one row per highlight, for spreadsheets.

UTF-8 with a byte-order mark, CRLF line ends and quoting as RFC 4180, and
formula-injection safe (``csv_text``): a text cell starting with ``=``, ``+``,
``-`` or ``@`` gets a leading ``'``. Terminal controls inside cells become
visible glyphs (``printable``), so the file is also safe to ``cat``. Tags are
joined with ``"; "``. A document's own tags and note have no row (they are in
the JSON, W3C, Markdown and REFI-QDA exports).
"""

from __future__ import annotations

from typing import Any

from ipreader.core.csv_text import csv_text

#: The columns, in order (``root`` comes first when the export covers several folders).
COLUMNS = (
    "path",
    "title",
    "date",
    "quote",
    "note",
    "tags",
    "color",
    "status",
    "creator",
    "created",
    "updated",
    "id",
)

#: How the tags of one highlight are joined in their cell.
TAG_SEPARATOR = "; "


def to_csv(data: dict[str, Any]) -> str:
    """Render the export structure as CSV text (BOM first, CRLF line ends)."""
    several = any("root" in document for document in data["documents"])
    header = ("root", *COLUMNS) if several else COLUMNS
    rows: list[list[object]] = []
    for document in data["documents"]:
        where = [document.get("root", "")] if several else []
        for a in document["annotations"]:
            rows.append(
                [
                    *where,
                    document["path"],
                    document["title"],
                    document["date"],
                    a["quote"],
                    a["note"],
                    TAG_SEPARATOR.join(a["tags"]),
                    a["color"],
                    a["status"],
                    a["creator"],
                    a["created"],
                    a["updated"],
                    a["id"],
                ]
            )
    return csv_text(header, rows)
