"""The W3C Web Annotation export: a JSON-LD ``AnnotationCollection``.

It conforms to the Web Annotation Data Model: every MUST assertion of the
W3C test suite holds, and most SHOULDs (``tests/test_w3c_conformance.py``).

* Each highlight is an ``Annotation`` (``urn:uuid:`` id) whose target is a
  ``SpecificResource``: ``source`` is the article's ``file:`` URI, selectors are
  a ``TextQuoteSelector`` (the text the highlight now covers, with context) and
  a ``TextPositionSelector`` (code points, ``end`` exclusive); an orphaned
  highlight keeps only its quote selector.
* Bodies are ``TextualBody``s in ``text/plain``: the note (purpose
  ``commenting``), one per tag (``tagging``) and the colour (``highlighting``).
* ``creator`` is a ``Person`` with ``name`` (and an id derived from it), also
  on the bodies and the target, which are the creator's too; ``generator`` is
  ipreader.
* A document's own tags and note are one more annotation whose target is the
  article itself.
* What the model has no term for travels in ``ipreader:`` properties (absolute
  IRIs in an ``ipreader`` scheme, so no context is needed): the relative path
  and content hash of the article (an import into another copy of the folder
  finds it by them), the colour, status, revision, score and, for an
  approximate match, the originally highlighted quote and context.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ipreader.core.export.structure import ExportSet, creator_uuid, document_iri
from ipreader.core.model import AnchorStatus, context_around

#: JSON-LD context of the W3C Web Annotation vocabulary.
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

#: The ``generator`` of every exported annotation.
GENERATOR: dict[str, str] = {
    "id": "https://github.com/ipreader/ipreader",
    "type": "Software",
    "name": "ipreader",
}

#: Media type of the articles and of every body.
TEXT_FORMAT = "text/plain"

# Extension properties. Annotation level:
COLOR = "ipreader:color"
STATUS = "ipreader:status"
REVISION = "ipreader:revision"
SCORE = "ipreader:score"
ORIGIN = "ipreader:origin"
# Target level: where the article is inside its folder, and what was highlighted when
# the selectors now select something else (an approximate match).
PATH = "ipreader:path"
SHA256 = "ipreader:sha256"
QUOTE = "ipreader:quote"
PREFIX = "ipreader:prefix"
SUFFIX = "ipreader:suffix"

#: The body purposes ipreader writes, and reads back.
NOTE_PURPOSE, TAG_PURPOSE, COLOR_PURPOSE = "commenting", "tagging", "highlighting"

#: Namespace for the deterministic ids of collections and document annotations.
_NAMESPACE = uuid.UUID("5b0f63c4-2f53-4bd6-9a1e-3f1f8b6f7a10")

#: An absolute IRI (a scheme, then no space): what ``via`` may hold.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


def person(name: str) -> dict[str, str]:
    """The ``Person`` agent of a creator's name (its id is stable for the name)."""
    return {"id": f"urn:uuid:{creator_uuid(name)}", "type": "Person", "name": name}


def _body(value: str, purpose: str, creator: dict[str, str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "TextualBody",
        "value": value,
        "format": TEXT_FORMAT,
        "purpose": purpose,
    }
    if creator is not None:
        body["creator"] = creator
    return body


def _target(
    iri: str, document: dict[str, Any], annotation: dict[str, Any], text: str | None
) -> dict[str, Any]:
    """The ``SpecificResource`` a highlight targets."""
    start, end, quote = annotation["start"], annotation["end"], annotation["quote"]
    prefix, suffix = annotation["prefix"], annotation["suffix"]
    orphaned = annotation["status"] == AnchorStatus.ORPHANED.value
    exact = annotation.get("current", quote)
    selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": exact}
    if exact != quote and text is not None:
        # An approximate match: the selector selects what the highlight covers now.
        selector["prefix"], selector["suffix"] = context_around(text, start, end)
    else:
        selector["prefix"], selector["suffix"] = prefix, suffix
    target: dict[str, Any] = {"type": "SpecificResource", "source": iri, "format": TEXT_FORMAT}
    target["selector"] = (
        [selector]
        if orphaned
        else [selector, {"type": "TextPositionSelector", "start": start, "end": end}]
    )
    if annotation["creator"]:
        target["creator"] = person(annotation["creator"])
    target["created"] = annotation["created"]
    target[PATH] = document["path"]
    if document["sha256"]:
        target[SHA256] = document["sha256"]
    if exact != quote:
        target[QUOTE] = quote
        if (prefix, suffix) != (selector["prefix"], selector["suffix"]):
            target[PREFIX], target[SUFFIX] = prefix, suffix
    return target


def _highlight(
    iri: str, document: dict[str, Any], annotation: dict[str, Any], text: str | None
) -> dict[str, Any]:
    """One highlight as a W3C ``Annotation``."""
    creator = person(annotation["creator"]) if annotation["creator"] else None
    bodies = []
    if annotation["note"]:
        bodies.append(_body(annotation["note"], NOTE_PURPOSE, creator))
    bodies.extend(_body(tag, TAG_PURPOSE, creator) for tag in annotation["tags"])
    color = _body(annotation["color"], COLOR_PURPOSE, creator)
    # The colour was chosen when the highlight was made (a later change replaces it).
    color["created"] = annotation["created"]
    bodies.append(color)
    item: dict[str, Any] = {
        "id": f"urn:uuid:{annotation['id']}",
        "type": "Annotation",
        "motivation": "commenting" if annotation["note"] else "highlighting",
        "created": annotation["created"],
        "modified": annotation["updated"],
    }
    if creator is not None:
        item["creator"] = creator
    item["generator"] = GENERATOR
    item["body"] = bodies
    item["target"] = _target(iri, document, annotation, text)
    origin = annotation.get("origin") or ""
    if origin:
        if _ABSOLUTE_IRI.fullmatch(origin):
            item["via"] = origin
        else:
            item[ORIGIN] = origin
    item[COLOR] = annotation["color"]
    item[STATUS] = annotation["status"]
    item[REVISION] = annotation["revision"]
    if annotation["score"] is not None:
        item[SCORE] = annotation["score"]
    return item


def _document_item(iri: str, document: dict[str, Any]) -> dict[str, Any]:
    """A document's own tags and note as an annotation on the whole article."""
    bodies = []
    if document["note"]:
        bodies.append(_body(document["note"], NOTE_PURPOSE, None))
    bodies.extend(_body(tag, TAG_PURPOSE, None) for tag in document["tags"])
    target: dict[str, Any] = {"id": iri, "type": "Text", "format": TEXT_FORMAT}
    target[PATH] = document["path"]
    if document["sha256"]:
        target[SHA256] = document["sha256"]
    return {
        "id": f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'document ' + iri)}",
        "type": "Annotation",
        "motivation": "commenting" if document["note"] else "tagging",
        "generator": GENERATOR,
        "body": bodies,
        "target": target,
    }


def to_w3c(export: ExportSet) -> dict[str, Any]:
    """Reshape an export into a W3C Web Annotation ``AnnotationCollection``.

    Items sit in one embedded ``AnnotationPage`` (none when there are no
    items: a page holds one or more); the collection id is a ``urn:uuid``
    derived from the export time and the item ids.
    """
    data = export.data
    texts = export.texts or (None,) * len(data["documents"])
    items: list[dict[str, Any]] = []
    for document, root, text in zip(data["documents"], export.roots, texts, strict=True):
        iri = document_iri(root, document["path"])
        if document["tags"] or document["note"]:
            items.append(_document_item(iri, document))
        items.extend(_highlight(iri, document, a, text) for a in document["annotations"])
    seed = data["exported_at"] + "".join(item["id"] for item in items)
    collection_id = f"urn:uuid:{uuid.uuid5(_NAMESPACE, seed)}"
    collection: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": "ipreader annotations",
        "created": data["exported_at"],
        "generator": GENERATOR,
        "total": len(items),
    }
    if items:
        page_id = f"{collection_id}#page1"
        collection["first"] = {
            "id": page_id,
            "type": "AnnotationPage",
            # The model's own example describes the collection here (not just its IRI).
            "partOf": {"id": collection_id, "label": collection["label"], "total": len(items)},
            "startIndex": 0,
            "items": items,
        }
        collection["last"] = page_id
    return collection
