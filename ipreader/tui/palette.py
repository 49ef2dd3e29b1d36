"""The highlight colours, defined once, as theme variables for every stylesheet.

``theme_variables(dark)`` gives ``$hl-yellow`` ... ``$hl-purple``: the
background of highlighted text in the reading pane, the colour marks of the
sidebar and the highlights view, the editor's colour choices. They are solid
colours (a theme blends nothing into them), points of the xterm 256-colour
cube so a 256-colour terminal (tmux's default) shows them exactly, and chosen
so that the five stay far apart when a terminal reduces them to 256 or 16
colours: each maps to a different standard colour. Dark themes get dark tints
under light text, light themes lighter ones under dark text. The selection
and find matches get colours of their own, apart from all five.
"""

from __future__ import annotations

from ipreader.core.model import COLORS

#: ``(dark theme, light theme)`` colour of each highlight colour.
HIGHLIGHT_COLORS: dict[str, tuple[str, str]] = {
    "yellow": ("#5f5f00", "#d7d700"),
    "green": ("#005f00", "#00d700"),
    "blue": ("#0000af", "#5fd7ff"),
    "pink": ("#af005f", "#ff8787"),
    "purple": ("#5f00ff", "#ff87ff"),
}


#: ``(dark theme, light theme)`` backgrounds of the selection and of find matches: greys
#: and a teal that no highlight colour comes near, at any colour depth.
SELECTION_COLORS = ("#585858", "#a8a8a8")
MATCH_COLORS = ("#008787", "#00af87")


def theme_variables(dark: bool) -> dict[str, str]:
    """Return the ``hl-<colour>``, ``hl-selection`` and ``hl-match`` variables of a theme."""
    side = 0 if dark else 1
    variables = {f"hl-{color}": HIGHLIGHT_COLORS[color][side] for color in COLORS}
    variables["hl-selection"] = SELECTION_COLORS[side]
    variables["hl-match"] = MATCH_COLORS[side]
    return variables
