"""The ipreader JSON export: the canonical structure itself, the file ``import`` reads back."""

from __future__ import annotations

from typing import Any

from ipreader.core.json_text import json_outline

#: Nesting levels laid out over several lines; deeper values (an annotation, a W3C
#: item) each take one line. Full indentation would force Python's pure-Python
#: JSON encoder (``indent`` disables the C one): 2-3x slower on a 20,000-annotation
#: export, and a file twice as long to scroll.
INDENT_LEVELS = 4


def to_json(data: dict[str, Any]) -> str:
    """Render an export structure (or a W3C collection) as UTF-8 JSON ending with a newline.

    The outer levels are indented; each annotation (each W3C item) is one line.
    Non-ASCII text stays readable, but the characters a terminal acts on (C0,
    DEL, C1, BiDi controls) and lone surrogates are ``\\uXXXX`` escapes, so
    the export is safe to print and decodes to exactly the same strings.
    """
    return json_outline(data, INDENT_LEVELS)
