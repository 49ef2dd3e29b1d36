"""What ``codebook.json`` holds: the folder's tag descriptions and colour meanings.

No I/O here (``catalog.py`` reads and writes it through the store's files).
Layout::

    codebook.json   table "tags"   keyed by tag id (``policy/patents``):
                                   {"tag": "Policy/Patents", "description": "...", "color": ""}
                    table "colors" keyed by colour name: {"meaning": "claim"}

A record with a bad field is skipped and reported, never dropped from the
file: writes only touch the records they change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipreader.core.codebook import (
    MAX_DESCRIPTION_CHARS,
    MAX_MEANING_CHARS,
    Codebook,
    TagEntry,
    tag_id,
)
from ipreader.core.model import COLORS, MAX_TAG_CHARS
from ipreader.core.records import RecordError, text_field
from ipreader.core.storage import CorruptDatabaseError, Tables
from ipreader.core.store.formats import CODEBOOK_FILE as CODEBOOK_FILE

TAGS_TABLE = "tags"
COLORS_TABLE = "colors"


@dataclass(frozen=True, slots=True)
class CodebookFile:
    """The parsed codebook file."""

    codebook: Codebook = field(default_factory=Codebook)
    """The readable entries and meanings."""
    bad: tuple[str, ...] = ()
    """Records skipped, each as ``"<key> (<field> <reason>)"``."""


def _entry(key: str, raw: Mapping[str, Any]) -> TagEntry:
    tag = text_field(raw, "tag", limit=MAX_TAG_CHARS)
    if not tag or tag_id(tag) != key:
        raise RecordError("tag", "does not match its key")
    color = text_field(raw, "color")
    if color and color not in COLORS:
        raise RecordError("color", f"is not one of {', '.join(COLORS)}")
    return TagEntry(tag, text_field(raw, "description", limit=MAX_DESCRIPTION_CHARS), color)


def parse_codebook(path: Path, data: Tables | None) -> CodebookFile:
    """Check and parse the tables of a codebook file (``None``: no file yet)."""
    data = data or {}
    unexpected = sorted(set(data) - {TAGS_TABLE, COLORS_TABLE})
    if unexpected:
        raise CorruptDatabaseError(path, f"unexpected table(s) {', '.join(map(repr, unexpected))}")
    tags: dict[str, TagEntry] = {}
    colors: dict[str, str] = {}
    bad: list[str] = []
    for key, raw in sorted(data.get(TAGS_TABLE, {}).items()):
        try:
            if not isinstance(raw, dict):
                raise RecordError("record", "is not an object")
            tags[key] = _entry(key, raw)
        except RecordError as error:
            bad.append(f"tag {key[:60]!r} ({error})")
    for color in COLORS:
        value: object = data.get(COLORS_TABLE, {}).get(color)
        if value is None:
            continue
        try:
            if not isinstance(value, dict):
                raise RecordError("record", "is not an object")
            meaning = text_field(value, "meaning", limit=MAX_MEANING_CHARS)
        except RecordError as error:
            bad.append(f"colour {color} ({error})")
            continue
        if meaning:
            colors[color] = meaning
    bad.extend(
        f"colour {key[:60]!r} (not a highlight colour)"
        for key in sorted(data.get(COLORS_TABLE, {}))
        if key not in COLORS
    )
    return CodebookFile(Codebook(tags, colors), tuple(bad))


def tag_record(entry: TagEntry) -> dict[str, Any]:
    """The record stored for a tag entry."""
    return {"tag": entry.tag, "description": entry.description, "color": entry.color}


def color_record(meaning: str) -> dict[str, Any]:
    """The record stored for a colour meaning."""
    return {"meaning": meaning}
