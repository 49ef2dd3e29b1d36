"""The highlights the reading pane draws, made from the open document's annotations
(Textual-free).

A book may hold tens of thousands of highlights, and the pane is given them
again on every ``a`` / ``d`` / ``u``: ``DrawnSpans`` builds each span once per
annotation version, keeps the last result while the annotations are the same,
and carries it through one edit (one span out, one in) without a pass over the
others. The coder view (``CoderView``) decides which highlights are drawn and
which are dimmed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from ipreader.core.identity import CoderView
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.tui.ordered import InPlaceOrder, edited, place
from ipreader.tui.pending import sort_annotations
from ipreader.tui.reader.styles import HighlightSpan

#: The view every highlight is drawn alike in (``CoderView.view``).
_EVERYONE = "everyone"

#: What a document without highlights (or one still opening) is drawn with.
_NONE: tuple[HighlightSpan, ...] = InPlaceOrder(())


class DrawnSpans:
    """The spans of one screen's open document, remembered between calls."""

    def __init__(self) -> None:
        """Start with nothing built."""
        # The last result with the annotations it was built from, the view it was built
        # for, and each annotation's span (rebuilt only when the annotation changes).
        self._last: tuple[tuple[Annotation, ...] | None, tuple[HighlightSpan, ...]] = (None, ())
        self._view = CoderView()
        self._span_of: dict[str, tuple[Annotation, HighlightSpan]] = {}

    def of(
        self, annotations: tuple[Annotation, ...], view: CoderView, *, opening: bool = False
    ) -> tuple[HighlightSpan, ...]:
        """Return the spans of ``annotations`` (in document order) as ``view`` draws them.

        The same tuple while the annotations are the same tuple and the view draws
        them alike; so a previewed article (``preview``) opened with the tuple it was
        shown with (``pending.ordered_as``) keeps the spans the pane was given, and
        the pane its index of them. None while the document opens: that leaves the
        preview's result in place.
        """
        if not annotations:
            return _NONE
        if self._last[0] is annotations and _draw_alike(self._view, view):
            self._view = view
            return self._last[1]
        self._view = view
        spans = self._drawn(annotations, view)
        made = self._span_of
        # Not while a document is opening: the spans its preview drew are the ones it
        # opens with, tens of thousands in a book.
        if len(made) > 2 * len(annotations) + 1000 and not opening:
            live = {a.id for a in annotations}
            self._span_of = {k: v for k, v in made.items() if k in live}
        result = InPlaceOrder(spans)  # in the annotations' order: the pane need not check it
        self._last = (annotations, result)
        return result

    def preview(
        self, annotations: Iterable[Annotation], view: CoderView
    ) -> tuple[HighlightSpan, ...]:
        """Return the spans of ``annotations`` of an article shown before it is opened
        (``FirstText``), as ``view`` draws them; ``of`` returns them again for the same
        tuple (see there)."""
        ordered = sort_annotations(annotations)
        if not ordered:
            return _NONE
        self._view = view
        spans = InPlaceOrder(self._drawn(ordered, view))
        self._last = (ordered, spans)
        return spans

    def carry(
        self,
        shown: tuple[Annotation, ...],
        annotations: tuple[Annotation, ...],
        before: Annotation | None,
        after: Annotation | None,
        view: CoderView,
    ) -> None:
        """Bring the last result from ``shown`` to ``annotations`` in place.

        One edit (``before`` replaced by ``after``) moves one span out and one in,
        found by bisection: rebuilding every span of a book on each ``a`` / ``d`` /
        ``u`` costs a pass over tens of thousands of highlights. Only for the
        "everyone" view, and only when the edit removed exactly ``before``
        (otherwise ``of`` rebuilds them all, as before).
        """
        built, spans = self._last
        if built is not shown or view.view != _EVERYONE or not _draw_alike(self._view, view):
            return
        expected = len(shown) - (before is not None) + (after is not None)
        if len(annotations) != expected:
            return  # more than ``before`` left (a duplicate id): rebuild
        listed = list(spans)
        orphaned = AnchorStatus.ORPHANED
        out = into = None
        if before is not None and before.status is not orphaned:
            at = bisect.bisect_left(listed, place(before), key=place)
            if at == len(listed) or listed[at].id != before.id:
                return  # its span is not where its place says: rebuild
            out = listed.pop(at)
        if after is not None and after.status is not orphaned:
            into = HighlightSpan(after.id, after.start, after.end, after.color)
            self._span_of[after.id] = (after, into)
            listed.insert(bisect.bisect_right(listed, place(after), key=place), into)
        # The pane applies the same two steps to its index (``ordered.Edit``).
        self._last = (annotations, edited(listed, spans, out, into))

    def _drawn(self, annotations: tuple[Annotation, ...], view: CoderView) -> list[HighlightSpan]:
        # The coder view decides which highlights are drawn, and which dimmed.
        if view.view == _EVERYONE:
            return self._of_everyone(annotations)
        return self._by_coder(annotations, view)

    def _of_everyone(self, annotations: tuple[Annotation, ...]) -> list[HighlightSpan]:
        # The common case, on every a / d / u: one comprehension over the document's
        # highlights (tens of thousands in a book), unchanged ones reusing their span.
        made = self._span_of
        get = made.get

        def made_now(annotation: Annotation) -> HighlightSpan:
            span = HighlightSpan(annotation.id, annotation.start, annotation.end, annotation.color)
            made[annotation.id] = (annotation, span)
            return span

        orphaned = AnchorStatus.ORPHANED
        return [
            known[1]
            if (known := get(a.id)) is not None and known[0] is a and not known[1].dim
            else made_now(a)
            for a in annotations  # already in document order
            if a.status is not orphaned
        ]

    def _by_coder(
        self, annotations: tuple[Annotation, ...], view: CoderView
    ) -> list[HighlightSpan]:
        # Another coder's highlights dimmed ("mine, others dimmed") or left out ("mine").
        made = self._span_of
        spans: list[HighlightSpan] = []
        orphaned = AnchorStatus.ORPHANED
        for annotation in annotations:  # already in document order
            if annotation.status is orphaned:
                continue
            others = view.others(annotation.creator)
            if others and view.view == "mine":
                continue
            key = annotation.id
            known = made.get(key)
            if known is None or known[0] is not annotation or known[1].dim != others:
                span = HighlightSpan(
                    key, annotation.start, annotation.end, annotation.color, dim=others
                )
                made[key] = (annotation, span)
            else:
                span = known[1]
            spans.append(span)
        return spans


def _draw_alike(one: CoderView, other: CoderView) -> bool:
    """True when both views draw any highlights alike (in "everyone", the user's name,
    known only once the library is open, changes nothing)."""
    return one == other or one.view == other.view == _EVERYONE
