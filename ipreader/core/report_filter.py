"""A report filter typed on one line (the app's reports screen): ``by:ada color:claim doc:b/*``.

The CLI's report options (``--creator``, ``--color``, ``--document``,
``--since``, ``--until``) as terms of one line, parsed into a ``Narrowing``
and applied to documents already read (``coding.coded_documents``), so the
screen reads the folder once and filters in memory as the user types. A
colour may be given by its meaning (``color:claim``), looked up in each
document's folder's codebook as the highlights view does.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ipreader.core.codebook import Codebook
from ipreader.core.coding import CodedDocument, Selection, SelectionError, time_bound
from ipreader.core.model import COLORS

#: The terms a filter line understands, as the help and the error messages list them.
FILTER_TERMS = ("by:NAME", "color:COLOUR", "doc:GLOB", "since:DATE", "until:DATE")

_FIELDS = ("by", "color", "doc", "since", "until")


@dataclass(frozen=True)
class Narrowing:
    """A parsed filter line: a ``Selection`` and a colour or colour meaning."""

    selection: Selection = field(default_factory=Selection)
    """Creator, document glob and date range (its colour is never set: see ``color``)."""
    color: str | None = None
    """A colour name or a colour meaning (resolved per folder by ``narrow``)."""

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return self.color is None and self.selection == Selection()


def parse_narrowing(line: str) -> Narrowing:
    """Parse ``by:NAME color:C doc:GLOB since:DATE until:DATE`` (any order, each at most once).

    Double quotes group words (``by:"Ada Lovelace"``). Raises ``SelectionError``
    naming the term for an unknown or repeated term, a missing value, an
    unbalanced quote or a malformed date.
    """
    try:
        terms = shlex.split(line)
    except ValueError:
        raise SelectionError('a quote (") is not closed') from None
    given: dict[str, str] = {}
    for term in terms:
        field, colon, value = term.partition(":")
        field = field.casefold()
        if not colon or field not in _FIELDS:
            raise SelectionError(f"not a filter: {term!r} (use {' '.join(FILTER_TERMS)})")
        if not value.strip():
            raise SelectionError(f"{field}: needs a value")
        if field in given:
            raise SelectionError(f"{field}: given twice")
        given[field] = value.strip()
    selection = Selection(
        document_glob=given.get("doc"),
        creator=given.get("by"),
        since=None if "since" not in given else time_bound(given["since"]),
        until=None if "until" not in given else time_bound(given["until"], upper=True),
    )
    return Narrowing(selection, given.get("color"))


def narrow(
    documents: Iterable[CodedDocument],
    narrowing: Narrowing,
    codebook_of: Callable[[Path], Codebook] = lambda root: Codebook(),
) -> list[CodedDocument]:
    """Return ``documents`` with only the highlights ``narrowing`` keeps (emptied ones left out).

    ``codebook_of`` gives a folder's codebook, where ``color:claim`` finds the
    colour meaning "claim". Raises ``SelectionError`` when the colour is
    neither a colour nor a meaning in any of the documents' folders.
    """
    if narrowing.empty:
        return list(documents)
    documents = list(documents)
    selection = narrowing.selection
    colors: dict[Path, frozenset[str]] = {}
    if narrowing.color is not None:  # resolved in every folder, kept documents or not
        for document in documents:
            if document.root not in colors:
                colors[document.root] = codebook_of(document.root).colors_named(narrowing.color)
        if colors and not any(colors.values()):
            raise SelectionError(
                f"unknown colour {narrowing.color!r}: use a colour ({', '.join(COLORS)})"
                " or a colour's meaning"
            )
    kept: list[CodedDocument] = []
    for document in documents:
        if not selection.keeps_document(document.relpath):
            continue
        wanted = colors.get(document.root)
        highlights = tuple(
            a
            for a in document.highlights
            if selection.keeps(a) and (wanted is None or a.color in wanted)
        )
        if highlights:
            kept.append(document.with_highlights(highlights))
    return kept
