"""JSON for people and programs: outer levels one item per line, each record on one line.

``json.dumps(indent=...)`` switches to the pure-Python encoder, several times
slower than the C one: a 50,000-entry code report took seconds. Here only the
outer ``levels`` are laid out by hand; everything deeper is encoded by the C
encoder on one line, so each record stays one line (easy to scan and to diff).
Terminal controls are escaped (``safe_text.escape_json_controls``).
"""

from __future__ import annotations

import json
from typing import Any

from ipreader.core.safe_text import escape_json_controls

# One encoder for every value: json.dumps with options builds a new one per call.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def json_outline(value: Any, levels: int) -> str:
    """Return ``value`` as JSON with its first ``levels`` levels indented, ending with a newline.

    Key order is the dicts' own (insertion) order.
    """
    parts: list[str] = []
    _outline(value, levels, "", parts, {})
    parts.append("\n")
    return escape_json_controls("".join(parts))


def _outline(
    value: Any, levels: int, margin: str, parts: list[str], encoded: dict[int, str]
) -> None:
    if levels <= 0 or not value or not isinstance(value, dict | list):
        if isinstance(value, dict | list):
            # A record shared by several places (a code report's highlight is in the
            # group of each of its tags) is encoded once. By id: ``value`` holds every
            # object alive for the whole call, so no id is reused meanwhile.
            text = encoded.get(id(value))
            if text is None:
                text = encoded[id(value)] = _ONE_LINE.encode(value)
            parts.append(text)
        else:
            parts.append(_ONE_LINE.encode(value))
        return
    inner = margin + "  "
    is_dict = isinstance(value, dict)
    parts.append("{" if is_dict else "[")
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for number, (key, item) in enumerate(items):
        parts.append(",\n" + inner if number else "\n" + inner)
        if is_dict:
            parts.append(_ONE_LINE.encode(str(key)) + ": ")
        _outline(item, levels - 1, inner, parts, encoded)
    parts.append("\n" + margin + ("}" if is_dict else "]"))
