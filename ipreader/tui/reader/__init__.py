"""The reading pane and its Textual-free internals.

* ``pane``: the ``ReadingPane`` widget (state, bindings, messages, wrap worker, strip cache);
* ``wrap``: the soft-wrap index (visual rows <-> code point offsets);
* ``lines``: a text's logical lines, and its paragraphs once reflowed;
* ``reflow``: which line breaks of a hard-wrapped text are joined; the detector;
* ``cells``: how each code point is drawn and how many terminal cells it takes;
* ``styles``: how a row is styled (highlights, matches, selection, cursor);
* ``segments``: a row cut into styled segments at the edges of its layers;
* ``motions``: where the cursor's motions go (glyphs, words, rows).
"""
