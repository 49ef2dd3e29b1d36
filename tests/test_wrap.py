"""Tests of the Textual-free soft-wrap index (ipreader.tui.reader.wrap)."""

from __future__ import annotations

import re
import textwrap
from array import array
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from ipreader.core import safe_text
from ipreader.tui.reader import cells, wrap
from ipreader.tui.reader import lines as lines_module
from ipreader.tui.reader.reflow import Reflow
from ipreader.tui.reader.wrap import (
    KIND_CELLS,
    KIND_NARROW,
    KIND_WIDE,
    TAB_CELLS,
    TextIndex,
    WrapIndex,
    char_cells,
    display,
    text_cells,
)

# Text made of what articles contain: words, spaces, newlines, CJK, emoji,
# combining marks, zero-width joiners, tabs and control characters.
_ALPHABET = st.sampled_from(
    [*"abcdefghij  ", " ", "\n", "中", "文", "。", "😀", "\u0301", "\u200d", "\t", "\x1b", "é"]
)
texts = st.text(alphabet=_ALPHABET, max_size=400)
ascii_texts = st.text(alphabet=st.sampled_from("abcdefgxyz  \n"), max_size=400)
widths = st.integers(min_value=2, max_value=40)


def rows_of(index: WrapIndex) -> list[str]:
    return [index.text[slice(*index.row_span(row))] for row in range(len(index))]


def rebuild(index: WrapIndex) -> str:
    """Concatenate the rows, putting back the newline after each line's last row."""
    parts: list[str] = []
    for row in range(len(index)):
        start, end = index.row_span(row)
        parts.append(index.text[start:end])
        if row + 1 < len(index) and not index.is_soft(row):
            parts.append("\n")
    return "".join(parts)


def test_short_lines_are_one_row_each() -> None:
    index = WrapIndex.build("one\n\ntwo", 10)
    assert index is not None
    assert rows_of(index) == ["one", "", "two"]
    assert index.complete and index.end == 8


def test_wraps_after_spaces_and_cuts_long_words() -> None:
    index = WrapIndex.build("aaa bbb ccc dddddddddddd", 8)
    assert index is not None
    assert rows_of(index) == ["aaa bbb ", "ccc ", "dddddddd", "dddd"]


def test_word_ending_at_the_width_does_not_start_the_next_row_with_a_space() -> None:
    # "abcd efgh" fills 9 cells exactly; ending the row there would start the
    # next one with the space, so the word moves down with its space.
    index = WrapIndex.build("abcd efgh ij", 9)
    assert index is not None
    assert rows_of(index) == ["abcd ", "efgh ij"]


def test_cjk_breaks_between_ideographs_and_counts_two_cells() -> None:
    index = WrapIndex.build("中文字符测试", 5)
    assert index is not None
    assert rows_of(index) == ["中文", "字符", "测试"]
    assert index.kinds[0] == KIND_WIDE
    assert index.position(3) == (1, 2)
    assert index.offset_at(1, 3) == 3  # the right half of 符 is still 符


def test_trailing_newline_gives_an_empty_last_row() -> None:
    index = WrapIndex.build("ab\n", 5)
    assert index is not None
    assert rows_of(index) == ["ab", ""]
    assert index.row_of(3) == 1


def test_line_index() -> None:
    lines = TextIndex("ab\n中\n\n")
    assert list(lines.starts) == [0, 3, 5, 6]
    assert list(lines.kinds) == [KIND_NARROW, KIND_WIDE, KIND_NARROW, KIND_NARROW]
    assert lines.line_span(1) == (3, 4)
    assert lines.line_of(4) == 1
    assert TextIndex("a\tb").kinds[0] == KIND_CELLS


def test_display_replaces_controls_one_glyph_per_code_point() -> None:
    shown = display("a\x1b[31mb\x9b2J\u202ec\x00")
    assert shown == "a\u241b[31mb\ufffd2J\ufffdc\u2400"
    assert all(cell_len(display(ch)) == 1 for ch in "\x1b\x9b\x9d\u202e\u2066\x7f\x00")
    assert display("\t") == " " * TAB_CELLS
    assert display("👨\u200d👩\ufe0f") == "👨👩"


def test_every_code_point_of_the_narrow_class_is_one_cell() -> None:
    narrow = [chr(code) for code in range(0x30000) if wrap.NOT_NARROW.match(chr(code)) is None]
    assert len(narrow) > 1000
    assert [ch for ch in narrow if cell_len(display(ch)) != 1] == []


def test_every_code_point_of_the_wide_class_is_two_cells() -> None:
    wide = [chr(code) for code in range(0x30000) if wrap.not_wide().match(chr(code)) is None]
    assert len(wide) > 20000
    assert [ch for ch in wide if cell_len(display(ch)) != 2] == []


def test_window_covers_the_anchor_and_matches_the_full_index() -> None:
    text = "\n".join(f"line {n} " + "word " * (n % 30) for n in range(2000))
    full = WrapIndex.build(text, 30)
    assert full is not None
    anchor = text.index("line 1500 ")
    window = WrapIndex.window(text, 30, anchor, 10, 20)
    assert not window.complete
    assert window.start <= anchor <= window.end
    assert 20 < len(window) < 400
    first = full.row_of(window.start)
    assert list(window.rows) == list(full.rows[first : first + len(window)])


def test_window_enters_a_huge_line_near_the_anchor() -> None:
    text = "x" * 1_000_000
    window = WrapIndex.window(text, 50, 600_000, 10, 30)
    assert window.start <= 600_000 <= window.end
    assert len(window) < 200


def test_build_can_be_abandoned() -> None:
    assert WrapIndex.build("a\n" * 10, 5, should_stop=lambda: True) is None


@settings(max_examples=200, deadline=None)
@given(texts, widths)
def test_rows_reproduce_the_text_and_fit_the_width(text: str, width: int) -> None:
    index = WrapIndex.build(text, width)
    assert index is not None
    assert rebuild(index) == text
    assert index.rows[0] == 0
    assert list(index.rows) == sorted(set(index.rows))
    for row in range(len(index)):
        start, end = index.row_span(row)
        shown = text[start:end]
        assert "\n" not in shown
        assert cell_len(display(shown)) == index.row_cells(row)
        # Only a single glyph wider than the row (a tab at width 2) may overflow.
        assert index.row_cells(row) <= width or text_cells(shown[1:]) == 0


@settings(max_examples=200, deadline=None)
@given(texts, widths, st.data())
def test_offset_position_round_trip(text: str, width: int, data: st.DataObject) -> None:
    index = WrapIndex.build(text, width)
    assert index is not None
    offset = data.draw(st.integers(0, len(text)))
    row, column = index.position(offset)
    start, end = index.row_span(row)
    assert start <= offset <= end
    back = index.offset_at(row, column)
    # A zero-width code point has no column of its own: the column maps back to
    # the next visible glyph (where the pane draws a cursor on it).
    assert back >= offset
    assert text_cells(text[offset:back]) == 0


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("中文字。、ab 😀"), max_size=300), widths)
def test_cjk_rows_never_exceed_the_width(text: str, width: int) -> None:
    index = WrapIndex.build(text, width)
    assert index is not None
    for row in range(len(index)):
        assert cell_len(text[slice(*index.row_span(row))]) <= width


@settings(max_examples=200, deadline=None)
@given(ascii_texts, widths)
def test_ascii_fast_path_equals_cell_aware_path(text: str, width: int) -> None:
    lines = TextIndex(text)
    assert set(lines.kinds) == {KIND_NARROW}
    fast = WrapIndex.build(text, width, lines)
    slow = WrapIndex.build(text, width, lines, cell_aware_only=True)
    assert fast is not None and slow is not None
    assert list(fast.rows) == list(slow.rows)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("中文字符。、「」한글かな"), max_size=300), widths)
def test_wide_fast_path_equals_cell_aware_path(text: str, width: int) -> None:
    fast = WrapIndex.build(text, width)
    slow = WrapIndex.build(text, width, cell_aware_only=True)
    assert fast is not None and slow is not None
    assert list(fast.rows) == list(slow.rows)


@pytest.mark.parametrize("char", ["a", "中", "😀", "\u0301", "\u200d", "\t", "\x1b"])
def test_char_cells_matches_rich_on_the_display_form(char: str) -> None:
    assert char_cells(char) == cell_len(display(char))


def test_rows_are_an_int64_array() -> None:
    index = WrapIndex.build("a b c", 2)
    assert index is not None
    assert isinstance(index.rows, array) and index.rows.typecode == "q"


# ------------------------------------------------------------------ display table


def test_display_table_is_the_core_table() -> None:
    # One source of truth: the CLI/export glyphs and the pane's cell counts agree;
    # only a newline differs (a joined one, in a reflowed row, is drawn as a space).
    assert {**safe_text.PRINTABLE_TABLE, ord("\n"): " "} == wrap.DISPLAY_TABLE
    assert TAB_CELLS == safe_text.TAB_SPACES
    assert char_cells("\n") == cell_len(safe_text.printable("\n")) == 1


#: What a terminal would act on if the pane sent it (newline aside, never drawn).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def test_display_sends_no_control_for_any_code_point() -> None:
    codes = [*range(0x30000), *range(0xE0000, 0xE0200)]
    unsafe = [hex(c) for c in codes if _UNSAFE.search(display(chr(c)))]
    assert unsafe == []
    # Every code point becomes at most one glyph (a tab: its spaces), so the
    # renderer's cells line up with the wrap's per-code-point widths.
    long = [hex(c) for c in codes if len(display(chr(c))) > 1 and c != 0x09]
    assert long == []
    assert [
        hex(c) for c in range(0x2000, 0x2070) if char_cells(chr(c)) != cell_len(display(chr(c)))
    ] == []


# ------------------------------------------------------------------ chunked (cooperative) scans


def _mixed_long_text() -> str:
    """Several chunks of text: newlines on and around chunk edges, every line kind,
    and one line longer than a chunk that is wide except for one tab."""
    chunk = wrap.CHUNK
    narrow = ("word " * (chunk // 5))[: chunk - 1] + "\n"  # the newline ends the first chunk
    parts = [narrow, "\n", "中文字。" * 50, "\n", "a\tb 😀\n", "中" * (chunk + 7), "\t", "文" * 9]
    return "".join(parts) + "\n" + "tail line"


def test_text_index_chunked_scan_equals_a_plain_scan() -> None:
    text = _mixed_long_text()
    lines = TextIndex(text, cooperative=True)
    expected = [0] + [n + 1 for n, ch in enumerate(text) if ch == "\n"]
    assert list(lines.starts) == expected
    kinds = [wrap.line_kind(text, *lines.line_span(n)) for n in range(len(lines))]
    assert list(lines.kinds) == kinds
    assert KIND_CELLS in kinds and KIND_WIDE in kinds and KIND_NARROW in kinds
    assert list(TextIndex(text).kinds) == kinds
    # A line longer than a chunk: all wide in its first chunk, a tab later.
    assert lines.kinds[lines.line_of(text.index("\t", 70_000))] == KIND_CELLS


@given(texts, st.sampled_from([3, 7, 64, wrap.CHUNK]), st.booleans())
def test_each_line_kind_is_what_line_kind_says_of_that_line(
    text: str, chunk: int, cooperative: bool
) -> None:
    # Only lines holding a character that is not one cell wide are measured; the
    # others are narrow without a look. Small chunks put their edges everywhere.
    original = lines_module.CHUNK
    lines_module.CHUNK = chunk
    try:
        lines = TextIndex(text, cooperative=cooperative)
    finally:
        lines_module.CHUNK = original
    kinds = [wrap.line_kind(text, *lines.line_span(n)) for n in range(len(lines))]
    assert list(lines.kinds) == kinds


def test_lines_of_many_measured_lines_still_let_the_ui_thread_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "中文\n" * (3 * wrap.CHUNK // 3)  # every line measured, none long
    pauses: list[None] = []
    monkeypatch.setattr(cells, "pause", lambda: pauses.append(None))
    lines = TextIndex(text, cooperative=True)
    assert set(lines.kinds) == {KIND_WIDE, KIND_NARROW}  # the last, empty line is narrow
    assert len(pauses) >= 2 * len(text) // wrap.CHUNK


def test_cooperative_build_pauses_between_chunks_and_wraps_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = _mixed_long_text() * 4
    plain = WrapIndex.build(text, 37)
    pauses: list[None] = []
    monkeypatch.setattr(cells, "pause", lambda: pauses.append(None))
    cooperative = WrapIndex.build(text, 37, cooperative=True)
    assert plain is not None and cooperative is not None
    assert list(cooperative.rows) == list(plain.rows)
    assert cooperative.kinds == plain.kinds
    # Index and wrap each release the GIL about once per chunk of text.
    assert len(pauses) >= 2 * len(text) // wrap.CHUNK


def test_build_polls_should_stop_per_chunk_of_text() -> None:
    polls: list[int] = []

    def stop_after(count: int) -> Callable[[], bool]:
        def should_stop() -> bool:
            polls.append(0)
            return len(polls) > count

        return should_stop

    text = "x" * (10 * wrap.CHUNK)  # one line: polled once, then wrapped to the end
    index = WrapIndex.build(text, 80, should_stop=stop_after(5))
    assert index is not None and len(polls) == 1 and index.complete
    polls.clear()
    # Many short lines: polled about once per chunk of code points, and obeyed.
    assert WrapIndex.build("ab\n" * (3 * wrap.CHUNK), 80, should_stop=stop_after(2)) is None
    assert len(polls) == 3


# ------------------------------------------------------------------ reflowed paragraphs

_WORDS = st.sampled_from(["a", "to", "the", "word", "longer", "reflowed", "中文", "é", "x\t"])


@st.composite
def hard_wrapped(draw: st.DrawFn) -> tuple[str, Reflow]:
    """A text of paragraphs hard-wrapped at some width, among lines reflow keeps as they are."""
    width = draw(st.integers(12, 40))
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        words = draw(st.lists(_WORDS, min_size=1, max_size=40))
        blocks.append(textwrap.fill(" ".join(words), width))
        blocks.append(
            draw(st.sampled_from(["", "", "  indented line", "- a list item", "Short", "# Title"]))
        )
    joiner = draw(st.sampled_from(["\n", "\n\n"]))
    return joiner.join(blocks), Reflow(width)


def reflowed(text: str, width: int, reflow: Reflow) -> WrapIndex:
    index = WrapIndex.build(text, width, reflow=reflow)
    assert index is not None
    return index


def test_a_hard_wrapped_paragraph_is_joined_and_rewrapped() -> None:
    paragraph = textwrap.fill(
        "Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes. "
        "But I warn you, if you don't tell me that this means war, if you still try to "
        "defend the infamies and horrors perpetrated by that Antichrist, I really believe "
        "he is Antichrist.",
        70,
    )
    text = f"CHAPTER I\n\n{paragraph}\n\n  An indented line\nA short line\n"
    literal = WrapIndex.build(text, 52)
    index = reflowed(text, 52, Reflow(70))
    assert literal is not None
    rows = rows_of(index)
    first, last = rows.index("CHAPTER I"), rows.index("  An indented line")
    body = rows[first + 2 : last - 1]
    # No comb: every row of the paragraph but its last is nearly full.
    assert all(len(row) > 52 - len("Antichrist,") for row in body[:-1])
    comb = rows_of(literal)
    assert len(body) < comb.index("  An indented line") - 1 - comb.index("CHAPTER I") - 2
    assert "family estates of the" in comb  # the comb's short row
    assert "\n" in "".join(body)  # joined newlines are in the rows...
    assert display("".join(body)).count("\n") == 0  # ...drawn as spaces
    assert rows[last:] == ["  An indented line", "A short line", ""]
    assert rebuild(index) == text


def test_reflow_keeps_blank_indented_list_heading_and_short_lines() -> None:
    text = "A line that is long enough\n\n  indented\n- item one\n- item two\n# Title\nShort\nend"
    assert rows_of(reflowed(text, 80, Reflow(30))) == rows_of(reflowed(text, 80, Reflow(200)))
    assert rows_of(reflowed(text, 80, Reflow(30))) == text.split("\n")


@settings(max_examples=200, deadline=None)
@given(hard_wrapped(), widths)
def test_reflowed_rows_cover_the_text_once_in_order_and_fit(
    case: tuple[str, Reflow], width: int
) -> None:
    text, reflow = case
    index = reflowed(text, width, reflow)
    assert rebuild(index) == text
    assert list(index.rows) == sorted(set(index.rows))
    inside: set[int] = set()
    for row in range(len(index)):
        start, end = index.row_span(row)
        assert index.row_cells(row) == cell_len(display(text[start:end]))
        assert index.row_cells(row) <= width or text_cells(text[start + 1 : end]) == 0
        inside.update(n for n in range(start, end) if text[n] == "\n")
    # A newline is inside a row exactly when the reflow joins it.
    newlines = [n for n, char in enumerate(text) if char == "\n"]
    assert inside == {n for n in newlines if reflow.joins(text, n)}


@settings(max_examples=200, deadline=None)
@given(hard_wrapped(), widths, st.data())
def test_reflowed_offsets_round_trip(
    case: tuple[str, Reflow], width: int, data: st.DataObject
) -> None:
    text, reflow = case
    index = reflowed(text, width, reflow)
    offset = data.draw(st.integers(0, len(text)))
    back = index.offset_at(*index.position(offset))
    assert back >= offset and text_cells(text[offset:back]) == 0


@settings(max_examples=100, deadline=None)
@given(hard_wrapped(), widths, st.data())
def test_a_reflowed_window_matches_the_full_index(
    case: tuple[str, Reflow], width: int, data: st.DataObject
) -> None:
    text, reflow = case
    full = reflowed(text, width, reflow)
    anchor = data.draw(st.integers(0, len(text)))
    window = WrapIndex.window(text, width, anchor, 3, 6, reflow)
    assert window.start <= anchor <= window.end
    first = full.row_of(window.start)
    assert full.rows[first] == window.start
    assert list(window.rows) == list(full.rows[first : first + len(window)])


@settings(max_examples=100, deadline=None)
@given(hard_wrapped(), widths)
def test_reflowed_fast_path_equals_cell_aware_path(case: tuple[str, Reflow], width: int) -> None:
    text, reflow = case
    lines = TextIndex(text)
    fast = WrapIndex.build(text, width, lines, reflow=reflow)
    slow = WrapIndex.build(text, width, lines, reflow=reflow, cell_aware_only=True)
    assert fast is not None and slow is not None
    assert list(fast.rows) == list(slow.rows)


@settings(max_examples=150, deadline=None)
@given(hard_wrapped(), widths)
def test_a_reflowed_text_wraps_as_its_paragraphs_joined_by_spaces(
    case: tuple[str, Reflow], width: int
) -> None:
    text, reflow = case
    spaced = "".join(
        " " if char == "\n" and reflow.joins(text, n) else char for n, char in enumerate(text)
    )
    plain = WrapIndex.build(spaced, width)
    assert plain is not None
    assert list(reflowed(text, width, reflow).rows) == list(plain.rows)


@settings(max_examples=150, deadline=None)
@given(ascii_texts, widths, st.integers(1, 64), st.booleans())
def test_narrow_text_rows_do_not_depend_on_the_chunk_size(
    text: str, width: int, chunk: int, reflow: bool
) -> None:
    # An all-narrow text takes the one-loop path; the cell-aware path is the reference.
    joins = Reflow(12) if reflow else None
    expected = WrapIndex.build(text, width, reflow=joins, cell_aware_only=True)
    original = wrap.CHUNK
    wrap.CHUNK = chunk
    try:
        chunked = WrapIndex.build(text, width, reflow=joins)
    finally:
        wrap.CHUNK = original
    assert expected is not None and chunked is not None
    assert list(chunked.rows) == list(expected.rows)
    assert set(chunked.kinds) <= {KIND_NARROW} and len(chunked.kinds) == len(chunked)


def test_paragraphs_are_computed_once_per_reflow_and_can_be_abandoned() -> None:
    text = textwrap.fill("word " * 20_000, 60)
    lines = TextIndex(text)
    assert lines.paragraphs(Reflow(60), should_stop=lambda: True) is None
    paragraphs = lines.paragraphs(Reflow(60), cooperative=True)
    assert paragraphs is not None and len(paragraphs) == 1 < len(lines)
    assert lines.paragraphs(Reflow(60)) is paragraphs
    assert WrapIndex.build(text, 50, lines, reflow=Reflow(60), should_stop=lambda: True) is None


@settings(max_examples=150, deadline=None)
@given(hard_wrapped(), st.integers(1, 64))
def test_paragraphs_do_not_depend_on_the_chunk_size(case: tuple[str, Reflow], chunk: int) -> None:
    text, reflow = case
    expected = TextIndex(text).paragraphs(reflow)
    original = lines_module.CHUNK
    lines_module.CHUNK = chunk
    try:
        chunked = TextIndex(text).paragraphs(reflow)
    finally:
        lines_module.CHUNK = original
    assert expected is not None and chunked is not None
    assert list(chunked.starts) == list(expected.starts) and chunked.kinds == expected.kinds
    assert chunked.shown == expected.shown and len(expected.shown) == len(text)
    # A paragraph starts wherever the newline before it is not joined.
    newlines = [n for n, char in enumerate(text) if char == "\n"]
    assert list(expected.starts) == [0] + [n + 1 for n in newlines if not reflow.joins(text, n)]
