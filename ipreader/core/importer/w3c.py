"""Reading W3C Web Annotation JSON-LD: one Annotation, a list, a page or a collection.

A collection's pages must be embedded (``first``, then each page's ``next``):
a page given only by its IRI cannot be fetched, and is reported. Each
annotation's first target is used:

* with a ``TextQuoteSelector`` it is a highlight (a ``TextPositionSelector``
  gives the offsets to try first);
* without selectors it is about the whole document: its tags and note go to
  the document's own.

Bodies: ``tagging`` ones are tags, a ``highlighting`` one naming an ipreader
colour is the colour, any other ``TextualBody`` (``commenting`` or no purpose)
adds to the note. The document is found by ``ipreader:path`` and
``ipreader:sha256`` (ipreader's own export), else by the file name in the
source IRI, else by the quote. ``ipreader:`` properties restore what only
ipreader has (colour, status, revision, the original quote of an approximate
match).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ipreader.core.errors import ImportFileError
from ipreader.core.export import w3c as terms
from ipreader.core.importer.batch import Batch, DocumentRef, Group
from ipreader.core.model import COLORS

_PAGE_TYPES = ("AnnotationPage", "AnnotationCollection")


def _types(value: dict[str, Any]) -> set[str]:
    kind = value.get("type", value.get("@type"))
    return {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)} \
        if isinstance(kind, list) else set()  # fmt: skip


def looks_like(data: Any) -> bool:
    """True when ``data`` is shaped like W3C Web Annotation JSON-LD."""
    first = data[0] if isinstance(data, list) and data else data
    if not isinstance(first, dict):
        return False
    return "@context" in first or bool(_types(first) & {"Annotation", *_PAGE_TYPES})


def _one(value: Any) -> Any:
    """The first of a list, or the value itself."""
    return value[0] if isinstance(value, list) and value else value


def _annotations(file: Path, data: Any, batch: Batch) -> Iterator[tuple[str, Any]]:
    """``(where, annotation)`` of every annotation ``data`` holds."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield f"[{index}]", item
        return
    if not isinstance(data, dict):
        raise ImportFileError(f"{file}: not W3C Web Annotation JSON-LD")
    kinds = _types(data)
    if "AnnotationCollection" in kinds:
        page, number = data.get("first"), 1
        while page is not None:
            if not isinstance(page, dict):
                batch.notes.append(
                    f"page {number}: given only by its IRI ({str(page)[:100]!r}), which is "
                    "not fetched; its annotations are not imported"
                )
                return
            yield from _items(page, f"page {number} ")
            page, number = page.get("next"), number + 1
            if number > 10_000:
                raise ImportFileError(f"{file}: more than 10,000 pages")
        return
    if "AnnotationPage" in kinds:
        yield from _items(data, "")
        return
    yield "annotation", data


def _items(page: dict[str, Any], label: str) -> Iterator[tuple[str, Any]]:
    items = page.get("items", [])
    for index, item in enumerate(items if isinstance(items, list) else [items]):
        yield f"{label}items[{index}]", item


def _creator(value: Any) -> Any:
    """A creator's name: an Agent's ``name`` or ``nickname``, or a plain string."""
    value = _one(value)
    if isinstance(value, dict):
        return _one(value.get("name")) or _one(value.get("nickname")) or None
    return value


def _bodies(annotation: dict[str, Any]) -> tuple[Any, list[Any], str | None]:
    """``(note, tags, colour)`` of an annotation's bodies (``bodyValue`` counts as a note).

    A body value that is not a string is passed on as the note, for the record
    decoder to name ("note must be a string").
    """
    notes: list[Any] = []
    tags: list[Any] = []
    color = None
    bodies = annotation.get("body", [])
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if not isinstance(body, dict) or "value" not in body:
            continue  # an external resource (an IRI): nothing ipreader can keep
        purpose, value = _one(body.get("purpose")), body["value"]
        if purpose == terms.TAG_PURPOSE:
            tags.append(value)
        elif purpose == terms.COLOR_PURPOSE and value in COLORS:
            color = value
        else:
            notes.append(value)
    if "bodyValue" in annotation:
        notes.append(annotation["bodyValue"])
    wrong = next((note for note in notes if not isinstance(note, str)), None)
    if wrong is not None:
        return wrong, tags, color
    return ("\n\n".join(notes) if notes else None), tags, color


def selectors(target: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A target's selectors by type (the first of each), whether one or a list."""
    found: dict[str, dict[str, Any]] = {}
    selectors = target.get("selector", [])
    for selector in selectors if isinstance(selectors, list) else [selectors]:
        if isinstance(selector, dict):
            for kind in _types(selector):
                found.setdefault(kind, selector)
    return found


def _ref(target: Any) -> tuple[DocumentRef, str]:
    """How ``target`` names its document, and the key grouping its annotations."""
    if isinstance(target, str):
        target = {"source": target}
    source = target.get("source", target.get("id"))
    source = source.get("id") if isinstance(source, dict) else source
    iri = source if isinstance(source, str) else None
    uri_path = unquote(urlsplit(iri).path) if iri else None
    path, sha256 = target.get(terms.PATH), target.get(terms.SHA256)
    ref = DocumentRef(
        path=path,
        sha256=sha256 if isinstance(sha256, str) else None,
        uri_path=uri_path,
        search_quotes=True,
    )
    return ref, repr((path, sha256, iri))


def read(file: Path, data: Any) -> Batch:
    """The entries of the W3C Web Annotation JSON-LD ``data``."""
    if not looks_like(data):
        raise ImportFileError(f"{file}: not W3C Web Annotation JSON-LD (no @context or type)")
    batch = Batch(file, "w3c")
    groups: dict[str, Group] = {}
    for where, annotation in _annotations(file, data, batch):
        if not isinstance(annotation, dict) or "Annotation" not in _types(annotation):
            batch.reject(f"{where}: not an Annotation; skipped")
            continue
        targets = annotation.get("target")
        target = _one(targets)
        if not isinstance(target, dict | str):
            batch.reject(f"{where}: no target; skipped")
            continue
        if isinstance(targets, list) and len(targets) > 1:
            batch.notes.append(f"{where}: {len(targets)} targets; only the first is imported")
        ref, key = _ref(target)
        group = groups.get(key)
        if group is None:
            label = ref.path if isinstance(ref.path, str) else ref.uri_path or "?"
            group = groups[key] = batch.group(f"annotations on {label[-200:]!r}", ref)
        note, tags, color = _bodies(annotation)
        found = selectors(target) if isinstance(target, dict) else {}
        quote = found.get("TextQuoteSelector")
        if quote is None:
            if found:
                batch.reject(f"{where}: no TextQuoteSelector (only {', '.join(found)}); skipped")
            else:
                batch.set_notes(group, {"tags": tags, "note": note})
            continue
        batch.add(group, where, _record(annotation, target, quote, found, note, tags, color))
    return batch


def _record(
    annotation: dict[str, Any],
    target: Any,
    quote: dict[str, Any],
    selectors: dict[str, dict[str, Any]],
    note: Any,
    tags: list[Any],
    color: str | None,
) -> dict[str, Any]:
    """The ipreader-shaped record of one highlight annotation."""
    position = selectors.get("TextPositionSelector", {})
    record: dict[str, Any] = {
        "id": annotation.get("id"),
        "quote": quote.get("exact"),
        "prefix": quote.get("prefix"),
        "suffix": quote.get("suffix"),
        "start": position.get("start"),
        "end": position.get("end"),
        "note": note,
        "tags": tags,
        "color": annotation.get(terms.COLOR, color),
        "created": annotation.get("created"),
        "updated": annotation.get("modified"),
        "creator": _creator(annotation.get("creator")),
        "status": annotation.get(terms.STATUS),
        "revision": annotation.get(terms.REVISION),
        "score": annotation.get(terms.SCORE),
        "origin": annotation.get(terms.ORIGIN) or annotation.get("via"),
    }
    if terms.QUOTE in target:
        # An approximate match: the selector holds what it covers, the original is ours.
        record["current"] = record["quote"]
        record["quote"] = target[terms.QUOTE]
        record["prefix"] = target.get(terms.PREFIX, record["prefix"])
        record["suffix"] = target.get(terms.SUFFIX, record["suffix"])
    return record
