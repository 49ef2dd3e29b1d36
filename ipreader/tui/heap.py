"""When the cyclic garbage collector may run: at a document's opening, not under a key.

CPython's full collection walks every object the collector tracks. With a
book of 20,000 highlights open, the app holds ~140,000 of them (the
annotations, their spans, Textual's widgets and caches); a full collection
then takes 0.1-0.5 s on this machine, and CPython starts one whenever enough
new objects have survived — in practice every second or third `a` / `d` /
`u` / `]`, each of which allocates a few thousand strips and segments. The
user sees a key that sometimes takes half a second (`bench/app_big_document.py`:
"gen2" pauses).

So, once a document is shown, what is alive is frozen (``gc.freeze``): later
collections skip it, and a key's own garbage is collected in the young
generations as before. Frozen objects are still freed by reference counting
(an annotation deleted, a document closed); what freezing withholds is only
the collection of *cycles* among them (a removed widget). That debt is paid
at the next opening — where the user waits for a load anyway — by one full
collection, once the frozen set has grown by a quarter since the last one
(the same proportion CPython itself waits for before a full collection), so
memory stays within that bound however many documents are opened.

The first freeze (the library opened) is that starting point, not a debt: what
start-up and the opening leave is alive for the app's life (the opening makes
no cycles: ``loader``), and the collection the first opening would otherwise
start walks all of it and the first document with it, on the UI thread, while
the user waits for the document: 0.4-0.55 s with 20,000 highlights in the
first book (``bench``'s "Stop 32").

Once a document is shown, the young generation is also let grow to
``YOUNG_THRESHOLD`` new objects before it is collected, not CPython's 700. A
key in a book makes a few containers as long as the book's highlights (the new
tuple of 20,000, its spans, the pane's range index), and every young collection
walks them until they age: 2-4 ms each, started several times per key as the
frame it draws makes thousands of small objects — 4-19 ms of a key's 20-60
(``bench``'s "Stop 31"). At 5,000 they run about once every few keys; the cycles
they free wait a little longer (a few thousand small objects at most).
"""

from __future__ import annotations

import gc
import threading

#: A full collection is due once the frozen set has grown by this fraction ...
GROWTH = 0.25
#: ... and by at least this many objects (a small heap is not worth a pause).
MIN_GROWTH = 20_000

#: New objects the young generation may hold before it is collected, once a document is
#: shown (CPython's default is 700; a higher threshold set by the user is kept).
YOUNG_THRESHOLD = 5_000


class FrozenHeap:
    """The app's collector policy: freeze once a document is shown, collect at an opening."""

    def __init__(self) -> None:
        """Start with nothing frozen; the first ``settle`` sets the starting point."""
        self._after_last_collection: int | None = None
        # The frozen set's size, counted as it is frozen: ``gc.get_freeze_count`` walks
        # all of it (24 ms at 235,000 objects, on the UI thread at every opening), while
        # what a ``settle`` freezes is only what was made since the last one. Objects
        # freed since (a closed book's) make it an overestimate: only when it passes the
        # bound is the set walked, and a collection made if the true size does too.
        self._frozen = 0
        # The loader's thread settles at the end of the opening, the UI thread once a
        # document is shown: the counts are read and written under one lock.
        self._lock = threading.Lock()

    def settle(self, *, acyclic: bool = False) -> None:
        """Freeze every object alive now: collections under the next keys skip them; and
        let the young generation grow to ``YOUNG_THRESHOLD`` (see the module's docstring).

        The first call's frozen set is where growth is counted from (see the module's
        docstring), as if a collection had just left it. ``acyclic``: what was made
        since the last call holds no cycles (the library's opening: ``loader``), so
        it joins that starting point too rather than the debt -- the first document
        is shown, and settled, while the opening still reads the list's counts, and
        those (10,000 articles' records) were then collected at the first switch of
        article: 219-270 ms on the UI thread (``bench``'s "Stop 33").
        """
        with self._lock:
            # What is frozen now: the collector's three generations (the older is frozen).
            added = sum(len(gc.get_objects(generation)) for generation in range(3))
            self._frozen += added
            gc.freeze()
            if self._after_last_collection is None:
                self._after_last_collection = self._frozen
            elif acyclic:
                self._after_last_collection += added
        young, *older = gc.get_threshold()
        if 0 < young < YOUNG_THRESHOLD:  # 0: the collection is off: left so
            gc.set_threshold(YOUNG_THRESHOLD, *older)

    def before_open(self) -> None:
        """A document is about to be opened: collect the cycles frozen since the last
        collection, if they may have grown enough to matter (see the module's docstring)."""
        with self._lock:
            last = self._after_last_collection
            if last is None or self._frozen <= last * (1 + GROWTH) + MIN_GROWTH:
                return
            self._frozen = gc.get_freeze_count()  # the estimate passed: the true size
            due = self._frozen > last * (1 + GROWTH) + MIN_GROWTH
        if due:
            self.collect()

    def collect(self) -> None:
        """Collect every cycle, frozen or not, then freeze what is left."""
        with self._lock:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self._frozen = self._after_last_collection = gc.get_freeze_count()


#: The one policy of the process (the collector is the process's, not an app's).
HEAP = FrozenHeap()
