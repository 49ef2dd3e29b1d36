"""The ipreader JSON export's layout: one line per highlight, the rest indented (issue 15)."""

from __future__ import annotations

import json
from typing import Any

from ipreader.core.export.ipreader_json import to_json


def _annotation(n: int) -> dict[str, Any]:
    return {"id": f"id-{n}", "quote": f"quote {n}", "tags": ["a", "b"], "start": n}


def test_each_highlight_is_one_line_and_the_outline_is_indented() -> None:
    data = {
        "exported_at": "x",
        "documents": [{"path": "a.txt", "annotations": [_annotation(1), _annotation(2)]}],
    }
    text = to_json(data)
    # A diff of two exports shows one changed line per changed highlight.
    assert text == (
        "{\n"
        '  "exported_at": "x",\n'
        '  "documents": [\n'
        "    {\n"
        '      "path": "a.txt",\n'
        '      "annotations": [\n'
        '        {"id": "id-1", "quote": "quote 1", "tags": ["a", "b"], "start": 1},\n'
        '        {"id": "id-2", "quote": "quote 2", "tags": ["a", "b"], "start": 2}\n'
        "      ]\n"
        "    }\n"
        "  ]\n"
        "}\n"
    )
    assert json.loads(text) == data


def test_terminal_controls_are_escapes_that_decode_to_the_same_text() -> None:
    data = {"note": "\x1b[2J\u202e é", "tags": []}
    text = to_json(data)
    assert "\x1b" not in text and "\u202e" not in text and "é" in text
    assert json.loads(text) == data
