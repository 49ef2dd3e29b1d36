"""What the reading pane paints over a row, against a straightforward reference.

The pane builds a row's layers (``Overlays.layers``) and cuts the row at their
edges (``row_segments``) with shortcuts for dense highlights: one overlap layer
per run of overlaps, styles folded and cached. Every row must come out as the
plain definition says: cut at every edge of every layer, each piece styled by
adding, in paint order, every layer covering it — highlight, current mark, and
an overlap mark for each highlight over an earlier one, then matches,
selection, cursor.
"""

from __future__ import annotations

import random

from conftest import StyledApp, reference_segments
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult

from ipreader.core.model import COLORS
from ipreader.tui.reader.cells import DISPLAY_TABLE
from ipreader.tui.reader.pane import HighlightSpan, ReadingPane
from ipreader.tui.reader.segments import row_segments
from ipreader.tui.reader.styles import ComponentStyles, Overlays

Layer = tuple[int, int, Style]


def reference_layers(
    spans: list[HighlightSpan],
    matches: list[tuple[int, int]],
    styles: ComponentStyles,
    *,
    current: str | None,
    selection: tuple[int, int] | None,
    cursor: int | None,
) -> list[Layer]:
    """Every layer of the whole text in paint order, one overlap mark per overlapping span."""
    ordered = sorted((h for h in spans if h.end > h.start), key=lambda h: (h.start, h.end))
    layers: list[Layer] = []
    overlaps: list[Layer] = []
    earlier: list[HighlightSpan] = []
    for span in ordered:
        if span.dim:
            layers.append((span.start, span.end, styles.get("reading-pane--others")))
            continue
        layers.append((span.start, span.end, styles.highlight(span.color)))
        if span.id == current:
            layers.append((span.start, span.end, styles.get("reading-pane--current-highlight")))
        reach = max((h.end for h in earlier), default=-1)
        if span.start < reach:
            overlaps.append((span.start, min(span.end, reach), styles.get("reading-pane--overlap")))
        earlier.append(span)
    layers += overlaps
    layers += [(s, e, styles.get("reading-pane--match")) for s, e in sorted(matches) if e > s]
    if selection is not None:
        layers.append((*selection, styles.get("reading-pane--selection")))
    if cursor is not None:
        layers.append((cursor, cursor + 1, styles.get("reading-pane--cursor")))
    return layers


class FixedComponents:
    """A widget whose component classes have fixed styles (what ComponentStyles reads)."""

    def __init__(self) -> None:
        backgrounds = ["yellow", "green", "blue", "magenta", "purple"]
        self.styles = {
            f"reading-pane--highlight-{color}": Style(bgcolor=background)
            for color, background in zip(COLORS, backgrounds, strict=True)
        }
        self.styles |= {
            "reading-pane--current-highlight": Style(bold=True, underline=True),
            "reading-pane--overlap": Style(italic=True, underline=True),
            "reading-pane--others": Style(dim=True, underline=True),
            "reading-pane--match": Style(bgcolor="red", underline=True),
            "reading-pane--selection": Style(bgcolor="grey50"),
            "reading-pane--cursor": Style(reverse=True),
        }

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        return self.styles[names[0]]


TEXT = "The quick brown fox\tjumps over the lazy dog \u4e2d\u6587 and \x1b[31m back. " * 3

spans_strategy = st.lists(
    st.tuples(
        st.integers(0, len(TEXT)), st.integers(0, 40), st.sampled_from(COLORS), st.booleans()
    ),
    max_size=40,
)


@settings(max_examples=300)
@given(
    spans_strategy,
    st.lists(st.tuples(st.integers(0, len(TEXT)), st.integers(1, 8)), max_size=4),
    st.data(),
)
def test_every_row_is_painted_as_the_reference_says(
    drawn: list[tuple[int, int, str, bool]],
    found: list[tuple[int, int]],
    data: st.DataObject,
) -> None:
    spans = [
        HighlightSpan(f"h{i}", start, start + length, color, dim=dim and i % 3 == 0)
        for i, (start, length, color, dim) in enumerate(drawn)
    ]
    matches = [(start, start + length) for start, length in found]
    current = data.draw(st.sampled_from([None, *(h.id for h in spans)]))
    selection = data.draw(st.none() | st.tuples(st.integers(0, 100), st.integers(1, 60)))
    if selection is not None:
        selection = (selection[0], selection[0] + selection[1])
    cursor = data.draw(st.integers(0, len(TEXT) - 1))
    styles = ComponentStyles(FixedComponents())
    overlays = Overlays()
    overlays.set_highlights(spans)
    overlays.set_matches(matches)
    everything = reference_layers(
        spans, matches, styles, current=current, selection=selection, cursor=cursor
    )
    base = Style(color="white", bgcolor="black")
    width = data.draw(st.integers(1, 50))
    for start in range(0, len(TEXT), width):
        end = min(start + width, len(TEXT))
        on_row = cursor if start <= cursor < end else None
        layers = overlays.layers(
            TEXT, start, end, styles, current=current, selection=selection, cursor=on_row
        )
        row = [layer for layer in everything if layer[0] < end and layer[1] > start]
        if on_row is None:
            row = [layer for layer in row if layer[2] is not styles.get("reading-pane--cursor")]
        assert row_segments(TEXT, start, end, layers, base) == reference_segments(
            TEXT, start, end, row, base
        )


def test_an_ascii_row_without_tabs_is_drawn_one_code_point_each() -> None:
    # What lets row_segments slice an ASCII row translated once: every ASCII code
    # point but the tab is drawn as one character, a printable one as itself.
    for code in range(128):
        char = chr(code)
        if char != "\t":
            assert len(char.translate(DISPLAY_TABLE)) == 1, repr(char)
        if char.isprintable():
            assert char.translate(DISPLAY_TABLE) == char, repr(char)


class PaneApp(StyledApp):
    """Only a reading pane, with the app's own styles."""

    def compose(self) -> ComposeResult:
        yield ReadingPane()


def dense_spans() -> list[HighlightSpan]:
    """The benchmark's dense screen (1,000 spans, 30 wide, every 4) and random ones after it."""
    spans = [HighlightSpan(f"d{i}", i * 4, i * 4 + 30, COLORS[i % 5]) for i in range(1000)]
    chance = random.Random(8)
    for i in range(300):
        start = chance.randrange(4000, 9000)
        spans.append(
            HighlightSpan(
                f"r{i}", start, start + chance.randrange(1, 90), chance.choice(COLORS), i % 7 == 0
            )
        )
    return spans


async def test_the_pane_draws_dense_highlights_as_the_reference() -> None:
    app = PaneApp()
    text = ("Overlapping highlights on every word of a line, tab\tand \u4e2d wide. " * 150)[:9500]
    spans = dense_spans()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(text, spans, 50)
        pane.focus()
        pane.current_highlight = "d40"
        pane.matches = ((100, 110), (4500, 4530))
        await pilot.pause()
        styles = ComponentStyles(pane)
        base = pane.rich_style
        everything = reference_layers(
            spans, list(pane.matches), styles, current="d40", selection=None, cursor=50
        )
        height = pane.scrollable_content_region.height
        width = pane.scrollable_content_region.width
        drawn = 0
        for view in range(0, len(pane.index), height):
            pane.scroll_to(y=view, animate=False)
            await pilot.pause()
            top = round(pane.scroll_y)  # the last page stops at the text's end
            for y in range(min(height, len(pane.index) - top)):
                drawn += 1
                start, end = pane.index.row_span(top + y)
                row = [layer for layer in everything if layer[0] < end and layer[1] > start]
                expected = reference_segments(text, start, end, row, base)
                cells = pane.index.cells_between(top + y, start, end)
                expected.append(Segment(" " * (width - cells), base))
                assert list(pane.render_line(y)) == expected, f"row {top + y}"
        assert drawn >= len(pane.index) > 2 * height
