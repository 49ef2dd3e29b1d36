"""The highlight colours stay distinct in every built-in theme, at every colour depth.

For each theme the reading pane's own component styles are resolved (what
Textual emits for a highlight, the selection and a find match) and reduced to
256 and 16 colours the way Rich reduces them for such a terminal. Distances
are CIE76 ΔE in CIELAB (D65): the Euclidean distance of the Lab coordinates,
where about 2.3 is a just-noticeable difference; 20 reads as a different
colour at a glance.
"""

from __future__ import annotations

import itertools
import math

import pytest
from conftest import StyledApp
from rich.color import Color, ColorSystem
from textual.app import ComposeResult
from textual.theme import BUILTIN_THEMES

from ipreader.core.model import COLORS
from ipreader.tui.palette import HIGHLIGHT_COLORS, theme_variables
from ipreader.tui.reader.pane import ReadingPane

#: Least ΔE between two highlight colours, and between one and the selection,
#: a find match or the pane's background.
MIN_BETWEEN_HIGHLIGHTS = 25.0
MIN_FROM_OTHERS = 20.0

DEPTHS = {"truecolor": None, "256": ColorSystem.EIGHT_BIT, "16": ColorSystem.STANDARD}


def lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """Return the CIELAB coordinates (D65) of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return ((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92

    r, g, b = (linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    """CIE76 colour difference."""
    return math.dist(lab(one), lab(two))


def emitted(color: Color | None, depth: ColorSystem | None) -> tuple[int, int, int]:
    """The colour a terminal of ``depth`` shows for ``color`` (Rich's reduction)."""
    assert color is not None
    shown = color if depth is None else color.downgrade(depth)
    triplet = shown.get_truecolor()
    return triplet.red, triplet.green, triplet.blue


class PaneApp(StyledApp):
    def compose(self) -> ComposeResult:
        yield ReadingPane()


def test_delta_e_of_known_colours() -> None:
    assert delta_e((255, 255, 255), (255, 255, 255)) == 0
    assert delta_e((0, 0, 0), (255, 255, 255)) == pytest.approx(100, abs=0.01)
    assert 50 < delta_e((255, 0, 0), (0, 0, 255)) < 200


def test_every_colour_has_a_dark_and_a_light_value() -> None:
    assert set(HIGHLIGHT_COLORS) == set(COLORS)
    for dark in (True, False):
        variables = theme_variables(dark)
        assert {f"hl-{c}" for c in COLORS} | {"hl-selection", "hl-match"} == set(variables)


@pytest.mark.parametrize("theme", sorted(BUILTIN_THEMES))
async def test_highlights_stay_distinct(theme: str) -> None:
    app = PaneApp()
    async with app.run_test() as pilot:
        app.theme = theme
        await pilot.pause()
        pane = app.query_one(ReadingPane)

        def background(name: str) -> Color | None:
            return pane.get_component_rich_style(f"reading-pane--{name}").bgcolor

        highlights = [background(f"highlight-{color}") for color in COLORS]
        others = {
            "selection": background("selection"),
            "match": background("match"),
            "background": pane.rich_style.bgcolor,
        }
    for depth_name, depth in DEPTHS.items():
        shown = [emitted(color, depth) for color in highlights]
        for (a, one), (b, two) in itertools.combinations(zip(COLORS, shown, strict=True), 2):
            distance = delta_e(one, two)
            assert distance >= MIN_BETWEEN_HIGHLIGHTS, (theme, depth_name, a, b, distance)
        for other_name, other in others.items():
            for color, one in zip(COLORS, shown, strict=True):
                distance = delta_e(one, emitted(other, depth))
                assert distance >= MIN_FROM_OTHERS, (theme, depth_name, color, other_name)
