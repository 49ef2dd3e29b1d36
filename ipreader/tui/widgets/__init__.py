"""The main screen's panes and the small input widgets of the dialogs, one per module."""
