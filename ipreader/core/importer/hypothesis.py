"""Reading Hypothesis API JSON: a search result (``{"rows": [...]}``) or one annotation.

Each row's first target gives the selectors (``TextQuoteSelector``,
``TextPositionSelector``; anchored by the usual algorithm), ``text`` becomes
the note, ``tags`` the tags, ``user_info.display_name`` (else the account name
of ``user``) the creator. The document is found by the file name in ``uri``,
else by the quote, which must be in exactly one of the folder's articles.
A page note (no selector) adds to the document's own tags and note; a reply
(``references``) is not imported. The Hypothesis id is kept as ``origin``
(its ``links.html`` address when given).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ipreader.core.errors import ImportFileError
from ipreader.core.importer.batch import Batch, DocumentRef, Group
from ipreader.core.importer.w3c import selectors


def _is_row(value: Any) -> bool:
    return isinstance(value, dict) and "uri" in value and ("target" in value or "text" in value)


def looks_like(data: Any) -> bool:
    """True when ``data`` is shaped like Hypothesis API JSON."""
    if isinstance(data, dict) and "rows" in data:
        return True
    return _is_row(data[0] if isinstance(data, list) and data else data)


def _rows(file: Path, data: Any) -> list[Any]:
    if isinstance(data, dict) and "rows" in data:
        rows = data["rows"]
        if not isinstance(rows, list):
            raise ImportFileError(f'{file}: "rows" must be a list')
        return rows
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return [data]
    raise ImportFileError(f"{file}: not Hypothesis API JSON")


def _creator(row: dict[str, Any]) -> Any:
    info = row.get("user_info")
    if isinstance(info, dict) and isinstance(info.get("display_name"), str):
        return info["display_name"]
    user = row.get("user")
    if isinstance(user, str):
        # "acct:alice@hypothes.is" -> "alice"
        return user.removeprefix("acct:").split("@", 1)[0]
    return user


def _origin(row: dict[str, Any]) -> Any:
    links = row.get("links")
    if isinstance(links, dict) and isinstance(links.get("html"), str):
        return links["html"]
    return row.get("id")


def _selectors(row: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The selectors of the row's first target by type; ``None`` when it has no target list."""
    targets = row.get("target")
    if not isinstance(targets, list):
        return None
    target = targets[0] if targets else {}
    return selectors(target) if isinstance(target, dict) else {}


def read(file: Path, data: Any) -> Batch:
    """The entries of the Hypothesis API JSON ``data``."""
    batch = Batch(file, "hypothesis")
    groups: dict[str, Group] = {}
    for index, row in enumerate(_rows(file, data)):
        where = f"rows[{index}]"
        if not isinstance(row, dict):
            batch.reject(f"{where}: not an object; skipped")
            continue
        if row.get("references"):
            batch.reject(f"{where}: a reply; replies are not imported")
            continue
        selectors = _selectors(row)
        uri = row.get("uri")
        if selectors is None or not isinstance(uri, str):
            batch.reject(f"{where}: no target list or uri; skipped")
            continue
        group = groups.get(uri)
        if group is None:
            ref = DocumentRef(uri_path=unquote(urlsplit(uri).path), search_quotes=True)
            group = groups[uri] = batch.group(f"annotations on {uri[-200:]!r}", ref)
        quote = selectors.get("TextQuoteSelector")
        if quote is None:
            if selectors:
                batch.reject(f"{where}: no TextQuoteSelector; skipped")
            else:  # a page note
                batch.set_notes(group, {"tags": row.get("tags"), "note": row.get("text")})
            continue
        position = selectors.get("TextPositionSelector", {})
        record = {
            "id": row.get("id"),
            "quote": quote.get("exact"),
            "prefix": quote.get("prefix"),
            "suffix": quote.get("suffix"),
            "start": position.get("start"),
            "end": position.get("end"),
            "note": row.get("text"),
            "tags": row.get("tags"),
            "created": row.get("created"),
            "updated": row.get("updated"),
            "creator": _creator(row),
            "origin": _origin(row),
        }
        batch.add(group, where, record)
    return batch
