"""The JSON outline writer (``core/json_text.py``) keeps its output to the byte (issue 14).

The writer was rewritten for speed (records encoded in one encoder call, scalars
by the encoder's own C functions). ``fixtures/json_outline_pins.json`` holds
what the writer *before* that change wrote for a structure of odd values
(controls, lone surrogates, non-BMP characters, quotes, backslashes, BiDi
controls, a shared record, non-string keys, empty containers), at several
levels; and drawn values are compared with a plain re-statement of the old
writer, one ``JSONEncoder.encode`` per value.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.export.ipreader_json import to_json
from ipreader.core.json_text import SPLIT_MARK, encode_each, json_outline
from ipreader.core.safe_text import escape_json_controls

EXPECTED = Path(__file__).parent / "fixtures" / "json_outline_pins.json"

LEVELS = (0, 1, 2, 4, 6)

_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def reference_outline(value: Any, levels: int) -> str:
    """The writer as it was: the outer levels by hand, one encoder call per other value."""
    parts: list[str] = []

    def outline(value: Any, levels: int, margin: str) -> None:
        if levels <= 0 or not value or not isinstance(value, dict | list):
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
            outline(item, levels - 1, inner)
        parts.append("\n" + margin + ("}" if is_dict else "]"))

    outline(value, levels, "")
    return escape_json_controls("".join(parts) + "\n")


def odd_export() -> dict[Any, Any]:
    """An export-shaped structure holding every kind of character a writer can get wrong."""
    record = {
        "id": 'r"1\\',
        "quote": "tab\there\nline\r\x00nul\x1b[31mred\x7fdel\x85nel\x9bcsi",
        "note": "bidi \u202eevil\u2066 iso\u2069 \u061c \u200e\u200f \u2028\u2029 zwj \u200d",
        "lone": "\ud800 \udfff \udc80",
        "astral": "\U0001f600 \U00010348 \U000e0001",
        "nums": [0, -1, 2**70, 1.5, True, False, None],
        "empty": [],
        "nothing": {},
        "£": "caf\u00e9 \u00a0nbsp \ufeffbom \ufffd",
    }
    return {
        "format": "ipreader.annotations",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00Z",
        "documents": [
            {
                "path": "dir/\udcff\udcfename.txt",
                "title": '"Quoted" \\ back\\slash',
                "date": None,
                "sha256": "ab" * 32,
                "encoding": "utf-8",
                "tags": ["t\u0085", "\U0001f3f3\ufe0f\u200d\U0001f308"],
                "note": "",
                # The same record twice: shared records are encoded once, shown twice.
                "annotations": [record, record, {"id": 2, "quote": ""}],
            },
            {"path": "empty.txt", "tags": [], "note": "n", "annotations": [], "missing": True},
        ],
        1: "a non-string key",
        None: {"deep": {"deeper": [{"deepest": [1, [2, [3]]]}]}},
    }


def written() -> dict[str, str]:
    """The outline of ``odd_export`` at each of ``LEVELS``, as this checkout writes it."""
    return {str(levels): json_outline(odd_export(), levels) for levels in LEVELS}


def test_the_outline_is_the_old_writers_to_the_byte() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert written() == expected


def test_the_export_file_is_the_old_writers_to_the_byte() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))["4"]
    text = to_json(odd_export())
    assert text == expected
    # What the file holds: UTF-8 bytes that decode to exactly the structure.
    assert text.encode("utf-8") == expected.encode("utf-8")
    decoded = json.loads(text)
    assert decoded["documents"][0]["annotations"][0]["lone"] == "\ud800 \udfff \udc80"
    assert decoded["documents"][0]["path"] == "dir/\udcff\udcfename.txt"


def test_a_value_holding_the_split_mark_is_written_as_any_other() -> None:
    # The records are encoded in one call, split at the mark; a value that holds
    # the mark itself (in a list, where the split would find it) is still whole.
    data = {
        "documents": [
            {"annotations": [{"tags": ["a", SPLIT_MARK, "b"]}, {"quote": SPLIT_MARK}]},
            {"annotations": [[SPLIT_MARK], [SPLIT_MARK, SPLIT_MARK], SPLIT_MARK]},
        ]
    }
    for levels in LEVELS:
        assert json_outline(data, levels) == reference_outline(data, levels)


def test_encode_each_is_one_encode_per_value() -> None:
    values: list[Any] = [
        {"a": [1, 2]},
        [SPLIT_MARK],
        SPLIT_MARK,
        "",
        None,
        [],
        {"k": ", "},
        float("nan"),
    ]
    assert encode_each(values) == [_ONE_LINE.encode(value) for value in values]
    assert encode_each([]) == []


def test_a_float_and_subclasses_are_the_encoders() -> None:
    class Label(str):
        pass

    data = {"xs": [float("inf"), -0.0, 1e300, float("nan")], "label": Label("x\x9b")}
    for levels in LEVELS:
        assert json_outline(data, levels) == reference_outline(data, levels)


@pytest.mark.parametrize(
    "text",
    [
        "plain ASCII",
        "caf\u00e9 \u00a3 \u00ff",
        "nel \x85 in Latin-1",
        "del \x7f",
        "\x9f",
        "\u2019 \x85",
    ],
)
def test_controls_are_escaped_in_latin1_text_as_in_any_other(text: str) -> None:
    # Latin-1 text (every character below U+0100) is checked without the regex.
    assert json_outline({"quote": text}, 1) == reference_outline({"quote": text}, 1)
    assert json_outline([text], 0) == reference_outline([text], 0)


def test_keys_that_are_no_strings_are_written_as_str_of_them() -> None:
    # 1 and True are equal dict keys, but "1" and "True" are different text.
    data = [{1: "one"}, {True: "yes"}, {1.0: "float"}, {None: "none"}, {"1": "str"}]
    for levels in LEVELS:
        assert json_outline(data, levels) == reference_outline(data, levels)
    assert '"True": "yes"' in json_outline(data, 2)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec=None), max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.text(max_size=4) | st.integers() | st.booleans() | st.floats() | st.none(),
            children,
            max_size=5,
        )
    ),
    max_leaves=40,
)


@given(value=_values, levels=st.integers(min_value=0, max_value=6))
def test_drawn_values_are_written_as_the_old_writer_wrote_them(value: Any, levels: int) -> None:
    assert json_outline(value, levels) == reference_outline(value, levels)


if __name__ == "__main__":  # pragma: no cover - writes the pins again, on purpose only
    EXPECTED.write_text(
        json.dumps(written(), ensure_ascii=True, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    sys.exit(0)
