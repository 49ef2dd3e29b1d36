"""The reading pane and its Textual-free internals.

* ``pane``: the ``ReadingPane`` widget (state, bindings, messages, wrap worker, strip cache);
* ``wrap``: the soft-wrap index (visual rows <-> code point offsets);
* ``styles``: how a row is styled (highlights, matches, selection, cursor);
* ``motions``: where the cursor's motions go (glyphs, words, rows).
"""
