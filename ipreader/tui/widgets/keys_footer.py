"""The footer: Textual's ``Footer``, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """A ``Footer`` that is not recomposed when the screen's bindings are refreshed unchanged.

    ``Footer`` removes and mounts all its keys on every bindings refresh; the
    app's start asks for several (the first focus, the screen's resume, a focus
    reset), each a full layout of the screen (30-50 ms of the UI thread) while
    a big folder opens. Here a refresh whose active bindings, their enabled
    state and tooltips are the ones shown changes nothing.
    """

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(compact=compact, id=id)
        # The active bindings last composed (None: none yet); what compose reads.
        self._shown: tuple[tuple[Binding, bool, str], ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Recompose, as ``Footer`` does, unless the keys to show are the ones shown."""
        if screen is self.screen and screen.app.app_focus and self.is_attached:
            shown = tuple(
                (binding, enabled, tooltip)
                for _node, binding, enabled, tooltip in screen.active_bindings.values()
            )
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
