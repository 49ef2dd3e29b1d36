"""printable(): every character of the table replaced, and nothing else touched;
escape_json_controls(): every unsafe character escaped, whatever the text's kind."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.safe_text import PRINTABLE_TABLE, escape_json_controls, printable

# Text mixing ordinary characters with the ones the table changes (at its edges too).
_EDGES = sorted(
    {edge for code in PRINTABLE_TABLE for edge in (code - 1, code, code + 1)} - {-1, 0x110000}
)
texts = st.lists(
    st.one_of(st.characters(), st.sampled_from([chr(code) for code in _EDGES])), max_size=12
).map("".join)


@given(texts)
def test_printable_replaces_what_the_table_names_and_keeps_the_rest(text: str) -> None:
    assert printable(text) == text.translate(PRINTABLE_TABLE)
    assert printable(text, multiline=True) == text.translate({**PRINTABLE_TABLE, 0x0A: "\n"})


def test_text_without_controls_comes_back_as_it_is() -> None:
    prose = "Plain prose, “quoted” — 1.4 million."
    assert printable(prose) == prose
    assert printable("a\u202eb\x1b[2J\nc", multiline=True) == "a\ufffdb\u241b[2J\nc"


def _json_unsafe(char: str) -> bool:
    """DEL, C1, the BiDi controls and marks, the line/paragraph separators, surrogates."""
    code = ord(char)
    return (
        0x7F <= code <= 0x9F
        or char in "\u061c\u200e\u200f"
        or 0x2028 <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
        or 0xD800 <= code <= 0xDFFF
    )


# ASCII text with DEL now and then, Latin-1 text with the C1 controls and their
# neighbours now and then (the two fast paths), or any text with the unsafe ones.
json_texts = st.one_of(
    st.lists(st.sampled_from(["a", " ", '"', "\\", "\x7f", "\x7e", "\x00"]), max_size=12).map(
        "".join
    ),
    st.lists(
        st.sampled_from(["a", "\xe9", "\x7e", "\x7f", "\x80", "\x9f", "\xa0", "\xff"]),
        max_size=12,
    ).map("".join),
    st.lists(
        st.one_of(st.characters(), st.sampled_from(["\x7f", "\x80", "\x9f", "\u2028", "\ud800"])),
        max_size=12,
    ).map("".join),
)


@given(json_texts)
def test_escape_json_controls_escapes_each_unsafe_character_and_nothing_else(text: str) -> None:
    expected = "".join(f"\\u{ord(c):04x}" if _json_unsafe(c) else c for c in text)
    assert escape_json_controls(text) == expected


def test_ascii_json_with_del_is_escaped() -> None:
    assert escape_json_controls('{"q": "a\x7fb"}') == '{"q": "a\\u007fb"}'
    assert escape_json_controls('{"q": "ab"}') == '{"q": "ab"}'
