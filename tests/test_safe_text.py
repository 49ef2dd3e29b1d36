"""printable(): every character of the table replaced, and nothing else touched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.safe_text import PRINTABLE_TABLE, printable

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
