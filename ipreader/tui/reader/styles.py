"""How the reading pane styles one visual row (Textual-free; Rich styles).

What is painted over the text comes in *layers* ``(start, end, style)``, in
paint order: highlights (and the current highlight's mark, and the mark of
overlapping highlights), find matches, the selection, the cursor.
:class:`Overlays` holds the highlights and matches, indexed by :class:`Ranges`
so a row finds its own in ``O(log n + hits)``;
:func:`~ipreader.tui.reader.segments.row_segments` cuts a row's text at the
layers' edges;
:class:`ComponentStyles` caches the component styles the layers use.
"""

from __future__ import annotations

import itertools
import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from rich.style import Style

from ipreader.core.model import COLORS
from ipreader.tui.ordered import Edit, InPlaceOrder, edit_from, place
from ipreader.tui.reader.cells import text_cells

__all__ = [
    "ComponentStyles",
    "HighlightSpan",
    "Layer",
    "Overlays",
    "Ranges",
    "StyledWidget",
    "repaint_ranges",
]

Layer = tuple[int, int, Style]
"""``(start, end, style)``: ``style`` is added on top of the code points ``[start, end)``."""


class HighlightSpan(NamedTuple):
    """A highlight as the pane draws it.

    A named tuple, not a frozen dataclass: a book's 20,000 are made when it is
    shown, and a tuple is made in a third of the time (``RESULTS.md``, stop 32).
    """

    id: str
    """The annotation's id (what ``current_highlight`` and ``highlight_at`` use)."""
    start: int
    """First code point."""
    end: int
    """One past the last code point."""
    color: str
    """A palette name from ``ipreader.core.model.COLORS``."""
    dim: bool = False
    """Drawn faintly (another coder's highlight, beside the user's own)."""


class Ranges:
    """Sorted ``[start, end)`` ranges answering "which ones overlap here" by bisection.

    ``reach[i]`` is the largest end among the first ``i + 1`` ranges, so a
    backwards scan from the last range starting before a point can stop as soon
    as nothing earlier reaches it: a lookup costs ``O(log n + hits)`` even with
    thousands of ranges.
    """

    __slots__ = ("ends", "reach", "starts")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Index ``ranges`` (any order)."""
        pairs = sorted(ranges)  # tuples sort by start, then end (presorted input: linear)
        self._index([start for start, _ in pairs], [end for _, end in pairs])

    @classmethod
    def from_sorted(cls, starts: list[int], ends: list[int]) -> Ranges:
        """Index ranges given as ``starts`` and ``ends`` already sorted by ``(start, end)``."""
        ranges = cls.__new__(cls)
        ranges._index(starts, ends)
        return ranges

    def _index(self, starts: list[int], ends: list[int]) -> None:
        self.starts = starts
        self.ends = ends
        # The running maximum, in C: a book may hold tens of thousands of highlights.
        self.reach = list(itertools.accumulate(ends, max, initial=-1))[1:]

    def edited(self, index: int, removed: bool, added: tuple[int, int] | None) -> Ranges:
        """Return these ranges with the one at ``index`` removed and/or ``added`` put there.

        ``added`` must belong at ``index`` in ``(start, end)`` order (after the removal).
        A new index by two insertions and the running maximum brought up to date
        from ``index`` only as far as it changes (usually a few steps).
        """
        starts, ends, reach = self.starts.copy(), self.ends.copy(), self.reach.copy()
        if removed:
            del starts[index], ends[index], reach[index]
        if added is not None:
            starts.insert(index, added[0])
            ends.insert(index, added[1])
            reach.insert(index, -1)
        # reach[i] = max(reach[i - 1], ends[i]): from ``index`` on, until a value is
        # what it already was (then every later one is too).
        previous = reach[index - 1] if index else -1
        for at in range(index, len(ends)):
            value = ends[at] if ends[at] > previous else previous
            if at > index and reach[at] == value:
                break
            if at - index > 64:  # a long or removed range far ahead of the rest: in C
                reach[at:] = itertools.accumulate(ends[at:], max, initial=previous)
                del reach[at]  # (the initial value)
                break
            reach[at] = previous = value
        ranges = Ranges.__new__(Ranges)
        ranges.starts, ranges.ends, ranges.reach = starts, ends, reach
        return ranges

    def overlapping(self, start: int, end: int) -> list[int]:
        """Return the indexes (ascending) of ranges overlapping ``[start, end)``."""
        found: list[int] = []
        index = bisect_left(self.starts, end) - 1
        ends, reach = self.ends, self.reach
        while index >= 0 and reach[index] > start:
            if ends[index] > start:
                found.append(index)
            index -= 1
        found.reverse()
        return found

    def at(self, offset: int) -> int | None:
        """Return the innermost range holding ``offset`` (latest start), or None."""
        hits = self.overlapping(offset, offset + 1)
        return hits[-1] if hits else None


class StyledWidget(Protocol):
    """What :class:`ComponentStyles` needs of a widget (Textual's ``Widget`` has it)."""

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        """Return the Rich style of the component class ``names``."""
        ...


class ComponentStyles:
    """A widget's component styles as layers, composed once per name until :meth:`clear`."""

    __slots__ = ("_styles", "_widget")

    def __init__(self, widget: StyledWidget) -> None:
        """Resolve styles from ``widget``'s component classes."""
        self._widget = widget
        self._styles: dict[str, Style] = {}

    def clear(self) -> None:
        """Forget the cached styles (CSS or the theme changed)."""
        self._styles = {}

    def get(self, name: str) -> Style:
        """Return the layer style of component class ``name``."""
        style = self._styles.get(name)
        if style is None:
            # The partial style says which attributes the component sets; the full one
            # has its colours resolved (a translucent background blended over ours).
            partial = self._widget.get_component_rich_style(name, partial=True)
            full = self._widget.get_component_rich_style(name)
            style = partial.copy() if partial.color is None else partial + Style(color=full.color)
            if partial.bgcolor is not None:
                style += Style(bgcolor=full.bgcolor)
            self._styles[name] = style
        return style

    def highlight(self, color: str) -> Style:
        """Return the style of a highlight of palette ``color`` (unknown: the first colour)."""
        name = color if color in COLORS else COLORS[0]
        return self.get(f"reading-pane--highlight-{name}")


class Overlays:
    """The spans painted over a text: its highlights and find matches, indexed."""

    __slots__ = ("_by_id", "_source", "highlight_ranges", "highlights", "matches")

    def __init__(self) -> None:
        """Start with no highlights and no matches."""
        # The ordered tuple ``highlights`` was last built from (an edit of it is applied
        # in place of a rebuild: ``ordered.Edit``).
        self._source: Sequence[HighlightSpan] | None = None
        self._by_id: dict[str, HighlightSpan] | None = None  # made when first asked for
        self.highlights: list[HighlightSpan] = []
        """The non-empty highlights, sorted by ``(start, end)``."""
        self.highlight_ranges = Ranges(())
        """``highlights`` as ranges (same order)."""
        self.matches = Ranges(())
        """The non-empty find matches."""

    def set_highlights(self, highlights: Sequence[HighlightSpan]) -> Edit[HighlightSpan] | None:
        """Replace the highlights (empty ones are dropped).

        Returns the edit when they were one edit (``ordered.Edit``) of the last
        ones, applied as such: only that edit's spans changed. ``None``: rebuilt.
        """
        # Runs on every a / d / u with the whole document's highlights (tens of
        # thousands in a book): each pass is a comprehension or runs in C.
        edit = edit_from(highlights, self._source)
        if edit is not None and self._apply(edit):
            self._source = highlights
            return edit
        self._source = highlights if isinstance(highlights, InPlaceOrder) else None
        self._by_id = None
        spans = [h for h in highlights if h.end > h.start]
        if isinstance(highlights, InPlaceOrder):  # the state's spans come sorted
            self.highlights = spans
            self.highlight_ranges = Ranges.from_sorted(
                [h.start for h in spans], [h.end for h in spans]
            )
            return None
        keys = [(h.start, h.end) for h in spans]
        # Ranges index the same order: (start, end), as the state already gives them.
        if not all(map(operator.le, keys, itertools.islice(keys, 1, None))):
            spans.sort(key=lambda h: (h.start, h.end))
            keys.sort()
        self.highlights = spans
        self.highlight_ranges = Ranges.from_sorted([k[0] for k in keys], [k[1] for k in keys])
        return None

    def _apply(self, edit: Edit[HighlightSpan]) -> bool:
        """Apply one edit of the source to the index; False when it does not fit (rebuild)."""
        highlights = self.highlights
        ranges = self.highlight_ranges
        removed, added = edit.removed, edit.added
        if removed is not None and removed.end > removed.start:
            at = bisect_left(ranges.starts, removed.start)
            while at < len(highlights) and highlights[at] is not removed:
                if highlights[at].start != removed.start:
                    return False  # not where its place says
                at += 1
            if at == len(highlights):
                return False
            highlights = highlights[:at] + highlights[at + 1 :]
            ranges = ranges.edited(at, True, None)
        if added is not None and added.end > added.start:
            at = bisect_right(highlights, place(added), key=place)
            highlights = [*highlights[:at], added, *highlights[at:]]
            ranges = ranges.edited(at, False, (added.start, added.end))
        self.highlights, self.highlight_ranges = highlights, ranges
        by_id = self._by_id
        if by_id is not None:
            for span in (removed, added):
                if span is not None:
                    by_id.pop(span.id, None)
            if added is not None and added.end > added.start:
                by_id[added.id] = added
        return True

    def span(self, highlight_id: str | None) -> HighlightSpan | None:
        """The drawn span of highlight ``highlight_id``, if it is drawn."""
        if highlight_id is None:
            return None
        if self._by_id is None:
            self._by_id = {h.id: h for h in self.highlights}
        return self._by_id.get(highlight_id)

    def set_matches(self, matches: Iterable[tuple[int, int]]) -> None:
        """Replace the find matches (``(start, end)`` pairs; empty ones are dropped)."""
        self.matches = Ranges((start, end) for start, end in matches if end > start)

    def highlight_at(self, offset: int) -> str | None:
        """Return the id of the innermost highlight covering ``offset``, or None."""
        found = self.highlight_ranges.at(offset)
        return None if found is None else self.highlights[found].id

    def layers(
        self,
        text: str,
        start: int,
        end: int,
        styles: ComponentStyles,
        *,
        current: str | None,
        selection: tuple[int, int] | None,
        cursor: int | None,
    ) -> list[Layer]:
        """Return the layers of the row ``text[start:end]`` in paint order.

        ``current`` is the current highlight's id; ``cursor`` is given only when
        the cursor is drawn on this row, and only a cursor before ``end`` gets a
        layer (one at the row's end is a trailing cell the caller adds).
        """
        layers: list[Layer] = []
        highlights = self.highlights
        reach = -1  # the furthest end of the highlights so far (sorted by start)
        overlaps: list[tuple[int, int]] = []
        colours: dict[str, Style] = {}  # each colour's style, asked of ``styles`` once a row
        for found in self.highlight_ranges.overlapping(start, end):
            span = highlights[found]
            if span.dim:
                layers.append((span.start, span.end, styles.get("reading-pane--others")))
                continue  # no colour, no overlap mark: it only shows where it is
            style = colours.get(span.color)
            if style is None:
                style = colours[span.color] = styles.highlight(span.color)
            layers.append((span.start, span.end, style))
            if current is not None and span.id == current:
                layers.append((span.start, span.end, styles.get("reading-pane--current-highlight")))
            if span.start < reach:
                high = span.end if span.end < reach else reach
                # One layer per run of overlaps, not one per overlapping span: the
                # same style added twice in a row draws as once, and a run's inner
                # edges are highlight edges (still cut there). Dense highlights
                # otherwise double the layers every piece of the row carries.
                if overlaps and span.start <= overlaps[-1][1]:
                    if high > overlaps[-1][1]:
                        overlaps[-1] = (overlaps[-1][0], high)
                else:
                    overlaps.append((span.start, high))
            if span.end > reach:
                reach = span.end
        # Where highlights overlap, the later one's colour shows and the overlap is
        # marked, so the earlier one never disappears under it.
        if overlaps:
            overlap_style = styles.get("reading-pane--overlap")
            layers.extend((low, high, overlap_style) for low, high in overlaps)
        matches = self.matches
        for found in matches.overlapping(start, end):
            layers.append(
                (matches.starts[found], matches.ends[found], styles.get("reading-pane--match"))
            )
        if selection is not None and selection[0] < end and selection[1] > start:
            layers.append((*selection, styles.get("reading-pane--selection")))
        if cursor is not None and cursor < end:
            stop = cursor + 1
            # A zero-width code point has no cell: the cursor covers the next glyph too.
            while stop < end and text_cells(text[stop - 1 : stop]) == 0:
                stop += 1
            layers.append((cursor, stop, styles.get("reading-pane--cursor")))
        return layers


def repaint_ranges(
    old_cursor: int,
    old_selection: tuple[int, int] | None,
    cursor: int,
    selection: tuple[int, int] | None,
) -> list[tuple[int, int]]:
    """Return the inclusive offset ranges whose paint changes when cursor and selection move.

    Both cursor positions, a selection that appeared or vanished whole, and
    otherwise only the stretch between each old edge and its new edge.
    """
    changed = [(old_cursor, old_cursor), (cursor, cursor)]
    if selection != old_selection:
        for old, new in ((old_selection, selection), (selection, old_selection)):
            if old is not None and new is None:
                changed.append((old[0], old[1]))
        if old_selection is not None and selection is not None:
            for old_edge, new_edge in zip(old_selection, selection, strict=True):
                changed.append((min(old_edge, new_edge), max(old_edge, new_edge)))
    return changed
