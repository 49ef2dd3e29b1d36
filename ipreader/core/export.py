"""Export annotations as ipreader JSON, a W3C Web Annotation collection, or Markdown.

``export_data`` builds the one canonical structure (documented by
``docs/export-schema.json``); the three renderers only reshape it:

* ``json``: the structure itself (``format`` ``"ipreader.annotations"``, ``version`` 1),
  the file ``ipreader import`` reads back;
* ``w3c``: a JSON-LD ``AnnotationCollection`` of the W3C Web Annotation Data Model;
* ``markdown``: a readable digest, one section per document.

Each document is read and reconciled before it is exported, so every annotation
that is not orphaned satisfies ``text[start:end] == quote``.
"""

from __future__ import annotations

import fnmatch
import json
import re
import uuid
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from ipreader.core.documents import DocumentInfo, read_document
from ipreader.core.drift import exported
from ipreader.core.errors import DocumentError, IpreaderError
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation, tag_key, utc_now_iso
from ipreader.core.safe_text import escape_json_controls, printable
from ipreader.core.tags import tag_matches

#: The value of the top-level ``format`` field of an ipreader export.
EXPORT_FORMAT_NAME = "ipreader.annotations"

#: The version of the export structure this code writes and reads.
EXPORT_VERSION = 1

#: The formats ``render_export`` accepts.
EXPORT_FORMATS = ("json", "w3c", "markdown")

#: JSON-LD context of the W3C Web Annotation vocabulary.
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

#: Namespace for the deterministic ids of exported W3C collections.
_COLLECTION_NAMESPACE = uuid.UUID("5b0f63c4-2f53-4bd6-9a1e-3f1f8b6f7a10")


class ExportFormatError(IpreaderError):
    """An unknown export format was asked for."""


def _sort_key(annotation: Annotation) -> tuple[int, str]:
    return annotation.start, annotation.id


def _verified(text: str, annotations: Iterable[Annotation]) -> list[Annotation]:
    """Return ``annotations`` with the invariant ``text[start:end] == quote`` enforced.

    The store's reconcile already guarantees it; this re-anchors (in the export
    only, never persisted) anything that slipped through, so an export is never
    wrong about its own offsets.
    """
    result = []
    for annotation in annotations:
        if annotation.is_anchored and text[annotation.start : annotation.end] != annotation.quote:
            # Deferred: anchoring pulls in rapidfuzz, which this path almost never needs.
            from ipreader.core.anchoring import reanchor

            annotation = reanchor(text, annotation)
        result.append(annotation)
    return result


def export_data(
    library: Library,
    tags: Sequence[str] = (),
    document_glob: str | None = None,
    only: Collection[Path] | None = None,
) -> dict[str, Any]:
    """Return the canonical export structure of ``library``.

    ``tags`` keeps only annotations carrying one of the tags or a child tag
    (``tags.tag_matches``), or lying in a document that carries one; a document
    then appears when it has a kept annotation or carries one of the tags
    itself. ``document_glob`` (``fnmatch``, case-sensitive) filters on the
    relative path, ``only`` on the absolute path (the app's "this article",
    "the listed articles"). Documents with no annotation, tag or note are left out, as
    are unreadable files (nothing can be verified against them). With several
    roots each document also carries ``root`` (the folder's absolute path).
    """
    wanted = [tag for tag in tags if tag_key(tag)]

    def tagged(values: Iterable[str]) -> bool:
        return any(tag_matches(value, tag) for value in values for tag in wanted)

    several_roots = len(library.collections) > 1
    documents: list[dict[str, Any]] = []
    for collection in library.collections:
        # One read of the index and of each annotation file per export, not per document.
        stored = collection.store.stored_documents()
        current: dict[str, tuple[DocumentInfo, str | None, list[Annotation]]] = {}
        stale: list[tuple[str, str, str]] = []

        def selected(info: DocumentInfo) -> bool:
            return (only is None or info.path in only) and (
                document_glob is None or fnmatch.fnmatchcase(info.relpath, document_glob)
            )

        for missing in collection.missing:  # never left out; text None: nothing to verify
            if selected(info := missing.info(collection.root)):
                current[missing.relpath] = (info, None, list(missing.stored.annotations))
        for info in collection.documents:
            if not info.readable or not selected(info):
                continue
            record = stored.get(info.relpath)
            if record is None or record.empty:
                continue  # nothing to export: skip the read and the reconcile
            try:
                document = read_document(info.path)
            except DocumentError:
                continue
            text = document.text
            if record.sha256 == document.sha256:
                current[info.relpath] = (info, text, list(record.annotations))
            else:
                current[info.relpath] = (info, text, [])
                stale.append((info.relpath, document.sha256, text))
        if stale:
            # Changed (or never hashed) documents: re-anchored and saved in one lock hold.
            for relpath, annotations in collection.store.reconcile_many(stale).items():
                info, read, _ = current[relpath]
                current[relpath] = (info, read, annotations)
        for relpath, (info, content, found) in current.items():
            notes = stored[relpath].notes
            found = found if content is None else _verified(content, found)
            annotations = sorted(found, key=_sort_key)
            if wanted:
                doc_tagged = tagged(notes.tags)
                annotations = [a for a in annotations if doc_tagged or tagged(a.tags)]
                if not annotations and not doc_tagged:
                    continue
            elif not annotations and not notes.tags and not notes.note:
                continue
            entry: dict[str, Any] = {
                "path": info.relpath,
                "title": info.title,
                "date": info.date,
                "sha256": info.sha256,
                "encoding": info.encoding,
                "tags": list(notes.tags),
                "note": notes.note,
                "annotations": [exported(a, missing=content is None) for a in annotations],
            }
            if content is None:
                entry["missing"] = True
            if several_roots:
                entry["root"] = str(collection.root)
            documents.append(entry)
    documents.sort(key=lambda d: (d["path"], d.get("root", "")))
    return {
        "format": EXPORT_FORMAT_NAME,
        "version": EXPORT_VERSION,
        "exported_at": utc_now_iso(),
        "documents": documents,
    }


def to_json(data: dict[str, Any]) -> str:
    """Render the export structure as indented UTF-8 JSON (a trailing newline included).

    The outer levels are indented; each annotation (each W3C item) is one line.

    Non-ASCII text stays readable, but the characters a terminal acts on (C0,
    DEL, C1, BiDi controls) and lone surrogates are ``\\uXXXX`` escapes, so
    the export is safe to print and decodes to exactly the same strings.
    """
    return escape_json_controls(_dumps_indented(data, INDENT_LEVELS)) + "\n"


#: Nesting levels laid out over several lines; deeper values (an annotation, a W3C
#: item) each take one line. Full indentation would force Python's pure-Python
#: JSON encoder (``indent`` disables the C one): 2-3x slower on a 20,000-annotation
#: export, and a file twice as long to scroll.
INDENT_LEVELS = 4

# One encoder for every value: json.dumps with options builds a new one per call.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def _dumps_indented(value: Any, levels: int, margin: str = "") -> str:
    """``json.dumps(value, indent=2)`` for the first ``levels`` levels, one line below."""
    if levels <= 0 or not isinstance(value, dict | list) or not value:
        return _ONE_LINE.encode(value)
    inner = margin + "  "
    if isinstance(value, dict):
        items = [
            f"{inner}{_ONE_LINE.encode(str(key))}: {_dumps_indented(item, levels - 1, inner)}"
            for key, item in value.items()
        ]
        opening, closing = "{", "}"
    else:
        items = [f"{inner}{_dumps_indented(item, levels - 1, inner)}" for item in value]
        opening, closing = "[", "]"
    return opening + "\n" + ",\n".join(items) + "\n" + margin + closing


def _w3c_item(document: dict[str, Any], annotation: dict[str, Any]) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if annotation["note"]:
        body.append(
            {
                "type": "TextualBody",
                "value": annotation["note"],
                "format": "text/plain",
                "purpose": "commenting",
            }
        )
    body.extend(
        {"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in annotation["tags"]
    )
    target: dict[str, Any] = {
        "source": annotation["document"] or document["path"],
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": annotation["quote"],
                "prefix": annotation["prefix"],
                "suffix": annotation["suffix"],
            },
            {
                "type": "TextPositionSelector",
                "start": annotation["start"],
                "end": annotation["end"],
            },
        ],
    }
    item: dict[str, Any] = {
        "id": f"urn:uuid:{annotation['id']}",
        "type": "Annotation",
        "motivation": "commenting" if annotation["note"] else "highlighting",
        "created": annotation["created"],
        "modified": annotation["updated"],
    }
    if body:
        # An annotation without a body is a plain highlight: the model allows no body.
        item["body"] = body
    item["target"] = target
    # Extension fields: full IRIs in an "ipreader:" scheme, no stylesheet needed.
    item["ipreader:color"] = annotation["color"]
    item["ipreader:status"] = annotation["status"]
    if "root" in document:
        item["ipreader:root"] = document["root"]
    return item


def to_w3c(data: dict[str, Any]) -> dict[str, Any]:
    """Reshape the export structure into a W3C Web Annotation ``AnnotationCollection``.

    Items sit in the embedded first ``AnnotationPage``; the collection id is a
    ``urn:uuid`` derived from the export time and the annotation ids.
    """
    items = [
        _w3c_item(document, annotation)
        for document in data["documents"]
        for annotation in document["annotations"]
    ]
    seed = data["exported_at"] + "".join(item["id"] for item in items)
    collection_id = f"urn:uuid:{uuid.uuid5(_COLLECTION_NAMESPACE, seed)}"
    return {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": "ipreader annotations",
        "created": data["exported_at"],
        "total": len(items),
        "first": {
            "id": f"{collection_id}#page1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


# Characters with a meaning in Markdown (CommonMark backslash-escapable ASCII punctuation
# that can start or end inline markup). Escaping them keeps quoted text literal.
# Brackets are literal in CommonMark unless a "]" is immediately followed by "(" (inline
# link), "[" (reference link) or ":" (a link definition, without which "[x]" stays text):
# escaping only that "]" keeps "[sic]", "[1]" and bracketed markup readable as written.
_MD_SPECIAL = re.compile(r"([\\`*_<>#|~!{}()]|\](?=[(\[:]))")
# Line starts that would turn a line into a list item or a heading underline ...
_MD_LINE_MARK = re.compile(r"^(\s*)([-+=])")
# ... or an ordered list item (only punctuation can be backslash-escaped: escape the dot).
_MD_LINE_NUMBER = re.compile(r"^(\s*\d+)([.)])")


def md_escape(text: str) -> str:
    """Escape ``text`` so Markdown shows it literally (line by line).

    Terminal controls become visible placeholders (``printable``): a digest is
    often read with ``cat`` or a pager, never as an ESC or BiDi sequence.
    """
    lines = []
    for line in printable(text, multiline=True).split("\n"):
        line = _MD_SPECIAL.sub(r"\\\1", line)
        line = _MD_LINE_MARK.sub(r"\1\\\2", line)
        line = _MD_LINE_NUMBER.sub(r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)


def md_blockquote(text: str) -> str:
    """Return ``text`` as a Markdown block quote, every line prefixed (blank lines too)."""
    return "\n".join(f"> {line}" if line else ">" for line in md_escape(text).split("\n"))


def _md_code(text: str) -> str:
    """Return ``text`` as an inline code span, on one line, controls made visible."""
    return f"`{printable(text).replace('`', '')}`"


def _md_tags(tags: Sequence[str]) -> str:
    return ", ".join(_md_code(tag) for tag in tags)


def to_markdown(data: dict[str, Any]) -> str:
    """Render the export structure as a Markdown digest (one section per document)."""
    out: list[str] = ["# ipreader annotations", "", f"Exported {data['exported_at']}.", ""]
    if not data["documents"]:
        out += ["No annotations.", ""]
    for document in data["documents"]:
        out.append(f"## {md_escape(document['title']).replace(chr(10), ' ')}")
        out.append("")
        where = _md_code(document["path"])
        if "root" in document:
            where += f" in {_md_code(document['root'])}"
        facts = [where]
        if document["date"]:
            facts.append(f"dated {document['date']}")
        count = len(document["annotations"])
        facts.append(f"{count} highlight{'s' if count != 1 else ''}")
        out += [" · ".join(facts), ""]
        if document["tags"]:
            out += [f"Tags: {_md_tags(document['tags'])}", ""]
        if document["note"]:
            out += [md_escape(document["note"]), ""]
        for number, annotation in enumerate(document["annotations"], 1):
            heading = f"### Highlight {number} ({annotation['color']}"
            if annotation["status"] != AnchorStatus.ANCHORED.value:
                heading += f", {annotation['status']}"
            out += [heading + ")", "", md_blockquote(annotation["quote"]), ""]
            if annotation["note"]:
                out += [md_escape(annotation["note"]), ""]
            if annotation["tags"]:
                out += [f"Tags: {_md_tags(annotation['tags'])}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_export(
    library: Library,
    fmt: str = "json",
    tags: Sequence[str] = (),
    document_glob: str | None = None,
    only: Collection[Path] | None = None,
) -> str:
    """Return the export of ``library`` in ``fmt`` (one of ``EXPORT_FORMATS``) as text.

    ``tags``, ``document_glob`` and ``only`` select as in ``export_data``.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportFormatError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    data = export_data(library, tags=tags, document_glob=document_glob, only=only)
    if fmt == "w3c":
        return to_json(to_w3c(data))
    if fmt == "markdown":
        return to_markdown(data)
    return to_json(data)
