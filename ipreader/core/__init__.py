"""The Textual-free core of ipreader: documents, anchoring, storage, export.

Nothing in this package may import ``textual``; ``tests/test_core_split.py``
enforces it. The command line and the TUI are both thin layers over it.
"""
