"""JSON for people and programs: outer levels one item per line, each record on one line.

``json.dumps(indent=...)`` switches to the pure-Python encoder, several times
slower than the C one: a 50,000-entry code report took seconds. Here only the
outer ``levels`` are laid out by hand; everything deeper is encoded by the C
encoder on one line, so each record stays one line (easy to scan and to diff).
Terminal controls are escaped (``safe_text.escape_json_controls``).

The records (the containers written on one line) are encoded together in
one call of the C encoder, and the scalars of the outer levels by the C
functions the encoder itself uses, not one ``JSONEncoder.encode`` call each:
an export of 10,000 documents has ~100,000 of them, and the per-call set-up
cost more than the encoding itself. The text is the same to the byte.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from ipreader.core.safe_text import escape_json_controls

# One encoder for every value: json.dumps with options builds a new one per call.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))

#: The string put between the values encoded in one call, to split them apart
#: again. It is drawn afresh in each process, so no file holds it; and since
#: every ``"`` inside an encoded string is escaped, ``, "MARK", `` can only be
#: a list element equal to it, which would add a split: the count of the
#: pieces is checked, and on a mismatch each value is encoded on its own.
SPLIT_MARK = f"\x00ipreader-split {os.urandom(16).hex()}\x00"

_SPLIT = f", {_ONE_LINE.encode(SPLIT_MARK)}, "


def json_outline(value: Any, levels: int) -> str:
    """Return ``value`` as JSON with its first ``levels`` levels indented, ending with a newline.

    Key order is the dicts' own (insertion) order.
    """
    parts: list[str] = []
    # The non-empty containers written on one line, encoded together at the end:
    # each one's index in ``records``, and the places in ``parts`` that show it.
    records: list[Any] = []
    places: list[tuple[int, int]] = []
    # A record shared by several places (a code report's highlight is in the group
    # of each of its tags) is encoded once. By id: ``value`` holds every object
    # alive for the whole call, so no id is reused meanwhile.
    numbers: dict[int, int] = {}
    keys: dict[str, str] = {}  # key -> '"key": ' (the same few keys repeat)

    def one_line(item: Any) -> str:
        """``item`` on one line, or "" for a container encoded at the end (its place kept)."""
        scalar = _SCALAR.get(type(item))
        if scalar is not None:
            return scalar(item)
        if isinstance(item, dict | list):
            if not item:
                return "{}" if isinstance(item, dict) else "[]"
            number = numbers.get(id(item))
            if number is None:
                number = numbers[id(item)] = len(records)
                records.append(item)
            places.append((len(parts), number))
            return ""
        return _ONE_LINE.encode(item)  # a float (NaN is the encoder's), an unknown type

    def outline(value: Any, levels: int, margin: str) -> None:
        inner = margin + "  "
        between = ",\n" + inner
        deeper = levels > 1
        if isinstance(value, dict):
            parts.append("{\n" + inner)
            for key, item in value.items():
                if type(key) is str:
                    name = keys.get(key)
                    if name is None:
                        name = keys[key] = encode_basestring(key) + ": "
                else:  # not cached: the keys 1 and True are equal, their text is not
                    name = encode_basestring(str(key)) + ": "
                parts.append(name)
                if deeper and item and isinstance(item, dict | list):
                    outline(item, levels - 1, inner)
                else:
                    parts.append(one_line(item))
                parts.append(between)
            parts[-1] = "\n" + margin + "}"  # the last item's separator
        else:
            parts.append("[\n" + inner)
            for item in value:
                if deeper and item and isinstance(item, dict | list):
                    outline(item, levels - 1, inner)
                else:
                    parts.append(one_line(item))
                parts.append(between)
            parts[-1] = "\n" + margin + "]"

    if levels > 0 and value and isinstance(value, dict | list):
        outline(value, levels, "")
    else:
        parts.append(one_line(value))
    encoded = encode_each(records)
    for place, number in places:
        parts[place] = encoded[number]
    parts.append("\n")
    return escape_json_controls("".join(parts))


def encode_each(values: list[Any]) -> list[str]:
    """Return each of ``values`` as one-line JSON (``", "`` and ``": "``), in one encoder call.

    The same strings as ``json.JSONEncoder(ensure_ascii=False, separators=(", ",
    ": ")).encode(value)`` for each value; controls are not escaped here.
    """
    if len(values) < 2:
        return [_ONE_LINE.encode(value) for value in values]
    interleaved: list[Any] = [SPLIT_MARK] * (2 * len(values) - 1)
    interleaved[0::2] = values
    pieces = _ONE_LINE.encode(interleaved)[1:-1].split(_SPLIT)
    if len(pieces) == len(values):
        return pieces
    return [_ONE_LINE.encode(value) for value in values]  # a value holds the mark


# The scalars the C encoder writes as these functions do (a float is left to the
# encoder: NaN and the infinities; a subclass too: an IntEnum, a str subclass).
_SCALAR: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
    type(None): lambda _: "null",
}
