"""Cutting one visual row into styled segments at the edges of its layers (Textual-free).

:mod:`ipreader.tui.reader.styles` says what is painted over a row, as layers
``(start, end, style)`` in paint order; :func:`row_segments` turns the row's
text and those layers into the Rich segments the pane draws. It runs for every
row drawn, with dozens of layers on a row of dense highlights, so it sweeps the
sorted edges once and composes each distinct set of styles once per row.
"""

from __future__ import annotations

import itertools
from bisect import insort

from rich.segment import Segment
from rich.style import Style

from ipreader.tui.reader.cells import DISPLAY_TABLE, display
from ipreader.tui.reader.styles import Layer

__all__ = ["row_segments"]


def row_segments(
    text: str, start: int, end: int, layers: list[Layer], base: Style
) -> list[Segment]:
    """Cut ``text[start:end]`` at the layers' edges into styled display segments.

    Each piece between two consecutive edges is styled ``base`` plus every
    layer covering it, added in list (paint) order. One sweep over the sorted
    edges keeps the set of open layers, so the cost is linear in edges plus
    the layers open at each piece, not edges times layers.
    """
    row = text[start:end]
    if not layers:
        return [Segment(display(row), base)]
    # Events (position, order): a layer opens at its start, closes at its end.
    opens: list[tuple[int, int]] = []
    closes: list[tuple[int, int]] = []
    for order, (low, high, _) in enumerate(layers):
        if low < start:
            low = start
        if high > end:
            high = end
        if low < high:
            opens.append((low, order))
            closes.append((high, order))
    if not opens:
        return [Segment(display(row), base)] if start < end else []
    edges = sorted({start, end, *[low for low, _ in opens], *[high for high, _ in closes]})
    opens.sort()
    closes.sort()
    # Sentinels at the row's end: the sweep never reaches them, so no bounds checks.
    opens.append((end, -1))
    closes.append((end, -1))
    # Styles by small integer code: the pane reuses its cached Style objects, so
    # identity finds the repeats without Style.__eq__ (slow Python code).
    codes_of: dict[int, int] = {}
    unique: list[Style] = []
    codes: list[int] = []
    for _, _, layer_style in layers:
        code = codes_of.get(id(layer_style))
        if code is None:
            code = codes_of[id(layer_style)] = len(unique)
            unique.append(layer_style)
        codes.append(code)
    # An ASCII row without tabs is drawn one code point per code point: translate it
    # once (printable: nothing to translate) and slice the pieces from it.
    shown: str | None = None
    if row.isascii():
        if row.isprintable():
            shown = row
        elif "\t" not in row:
            shown = row.translate(DISPLAY_TABLE)
    combined: dict[tuple[int, ...], Style] = {}
    folded: dict[tuple[int, ...], Style] = {}
    active: list[int] = []  # orders of the open layers, ascending
    segments: list[Segment] = []
    next_open = next_close = 0
    for left, right in itertools.pairwise(edges):
        while closes[next_close][0] <= left:
            active.remove(closes[next_close][1])
            next_close += 1
        while opens[next_open][0] <= left:
            insort(active, opens[next_open][1])
            next_open += 1
        # Combined styles are cached by the codes of the open layers (built in C).
        key = tuple(map(codes.__getitem__, active))
        piece_style = combined.get(key)
        if piece_style is None:
            # A later layer overrides every attribute an earlier copy of the same
            # style sets, so only each style's last open occurrence matters.
            last = {code: order for order, code in enumerate(key)}
            folded_key = tuple(sorted(last, key=last.__getitem__))
            piece_style = folded.get(folded_key)
            if piece_style is None:
                piece_style = base
                for code in folded_key:
                    piece_style += unique[code]
                folded[folded_key] = piece_style
            combined[key] = piece_style
        if shown is None:
            segments.append(Segment(display(text[left:right]), piece_style))
        else:
            segments.append(Segment(shown[left - start : right - start], piece_style))
    return segments
