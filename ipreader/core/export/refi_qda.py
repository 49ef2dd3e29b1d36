"""REFI-QDA 1.5 (QDA-XML 1.0) export: a ``.qdpx`` project or a ``.qdc`` codebook.

The exchange format of NVivo, ATLAS.ti, MAXQDA and QualCoder.

* **Codes** come from tags; a ``/`` in a tag makes the hierarchy
  (``policy/patents`` is the code *patents* inside *policy*). A code's GUID is
  derived from its matching form (``tags.tag_path``), so it is stable.
* **Users** come from creators (GUID derived from the name, as the W3C
  export's ``Person`` id).
* **Sources**: each exported article is a ``TextSource`` named by its relative
  path, its text in ``Sources/<guid>.txt``: the text ipreader anchors in, UTF-8
  **without** a byte-order mark and with ``\\n`` line ends (a ``\\r\\n`` of the
  article counts as one character, as in ipreader).
* **Selections**: each highlight is a ``PlainTextSelection`` (its GUID is the
  highlight's id) with one ``Coding`` per tag and its note as a ``Note``
  referenced by ``NoteRef``. ``startPosition`` and ``endPosition`` are code
  points from 0 (§10.2), and ``endPosition`` is **exclusive** — one past the
  last character, as QualCoder writes and reads it and as W3C selectors
  count — so ``text[startPosition:endPosition]`` in the ``.txt`` is exactly
  the quote. A document's tags are ``Coding``s of the source, its note a
  ``NoteRef`` of the source.
* What the standard has no place for (a highlight's colour, status, revision,
  the exact spelling of its tags, and orphaned highlights, which select
  nothing) goes in ``ipreader.json`` beside ``project.qde``; other programs
  ignore it, ``ipreader import`` reads it back so our own round trip is exact.

XML 1.0 cannot hold most C0 controls: in notes and names they become visible
glyphs (``printable``), and line ends in notes become ``\\n``. DEL, C1 and
BiDi controls and tabs are character references, so the file is safe to print.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ipreader import __version__
from ipreader.core.errors import IpreaderError
from ipreader.core.export.structure import ExportSet, creator_uuid, document_iri
from ipreader.core.model import AnchorStatus
from ipreader.core.safe_text import printable
from ipreader.core.tags import tag_path

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: The project file inside a ``.qdpx`` and the folder of the sources.
PROJECT_FILE = "project.qde"
SOURCES_DIR = "Sources"
#: ipreader's own extras inside a ``.qdpx`` (see the module docstring).
EXTRAS_FILE = "ipreader.json"
EXTRAS_FORMAT = "ipreader.qdpx-extras"

#: Namespace of the GUIDs derived here (codes, sources, notes, codings).
NAMESPACE = uuid.UUID("8d4bd5a6-3c1e-4b7b-9f11-6a2e7d9c0e43")

# XML 1.0 forbids these characters even as references (and a lone "\r" is read as "\n").
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Legal in XML but acted on by a terminal: written as character references (same text).
_TERMINAL_UNSAFE = re.compile("[\t\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class EmptyCodebookError(IpreaderError):
    """A codebook was asked for, but no exported highlight or document carries a tag."""


def xml_text(value: str) -> str:
    """``value`` with what XML 1.0 cannot hold made visible, line ends as ``\\n``."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub(_visible, value)


def _visible(match: re.Match[str]) -> str:
    shown = printable(match.group())
    # printable keeps the noncharacters U+FFFE and U+FFFF, which XML 1.0 forbids too.
    return "\ufffd" if _NOT_XML.fullmatch(shown) else shown


def derived_guid(*parts: str) -> str:
    """A GUID derived from ``parts`` (stable for the same parts)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def selection_guid(annotation_id: str) -> str:
    """The ``PlainTextSelection`` GUID of a highlight: its id when that is a UUID."""
    return annotation_id.lower() if _UUID.fullmatch(annotation_id) else derived_guid(annotation_id)


def code_guid(path: tuple[str, ...]) -> str:
    """The GUID of the code at ``path`` (matching form, see ``tags.tag_path``)."""
    return derived_guid("code", *path)


@dataclass
class CodeNode:
    """One code of the tree: its shown name, GUID and children by matching segment."""

    name: str
    guid: str
    children: dict[str, CodeNode] = field(default_factory=dict)


def code_tree(tags: Iterable[str]) -> dict[str, CodeNode]:
    """The code hierarchy of ``tags``: top-level codes by matching segment.

    A segment's name is its first spelling met (tags are case-insensitive).
    """
    roots: dict[str, CodeNode] = {}
    for tag in tags:
        shown = [part.strip() for part in tag.split("/") if part.strip()]
        level, path = roots, tag_path(tag)
        for depth, key in enumerate(path, 1):
            node = level.get(key)
            if node is None:
                node = level[key] = CodeNode(xml_text(shown[depth - 1]), code_guid(path[:depth]))
            level = node.children
    return roots


def _code_elements(parent: ET.Element, nodes: dict[str, CodeNode]) -> None:
    for node in nodes.values():
        element = ET.SubElement(parent, "Code", guid=node.guid, name=node.name, isCodable="true")
        _code_elements(element, node.children)


def _all_tags(export: ExportSet) -> list[str]:
    tags: list[str] = []
    for document in export.data["documents"]:
        tags.extend(document["tags"])
        for annotation in document["annotations"]:
            tags.extend(annotation["tags"])
    return tags


def _xml(root: ET.Element) -> str:
    """The document of ``root``: indented, safe to print, decoding to the same text."""
    ET.indent(root)
    body = ET.tostring(root, "unicode")
    body = _TERMINAL_UNSAFE.sub(lambda m: f"&#x{ord(m.group()):x};", body)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def to_qdc(export: ExportSet) -> str:
    """The codebook (``.qdc``) of the exported tags; ``EmptyCodebookError`` when there are none."""
    tree = code_tree(_all_tags(export))
    if not tree:
        raise EmptyCodebookError("nothing to put in a codebook: no exported tag")
    root = ET.Element("CodeBook", xmlns=CODEBOOK_NS, origin=f"ipreader {__version__}")
    _code_elements(ET.SubElement(root, "Codes"), tree)
    return _xml(root)


class _ProjectBuilder:
    """Builds ``project.qde``, the source texts and the extras of one export."""

    def __init__(self, export: ExportSet) -> None:
        self.export = export
        self.users: dict[str, str] = {}  # guid -> name
        self.notes = ET.Element("Notes")
        self.extras: dict[str, dict[str, Any]] = {}
        self.orphans: list[dict[str, Any]] = []
        self.sources: list[tuple[str, str]] = []  # (file name in the zip, text)

    def user(self, name: str) -> dict[str, str]:
        """The ``creatingUser`` attribute for ``name`` (none when unknown)."""
        if not name:
            return {}
        guid = str(creator_uuid(name))
        self.users.setdefault(guid, xml_text(name))
        return {"creatingUser": guid}

    def note(self, parent: ET.Element, guid: str, name: str, text: str, **times: str) -> None:
        """Add a ``Note`` holding ``text`` and a ``NoteRef`` to it in ``parent``."""
        note = ET.SubElement(self.notes, "Note", {"guid": guid, "name": xml_text(name), **times})
        ET.SubElement(note, "PlainTextContent").text = xml_text(text)
        ET.SubElement(parent, "NoteRef", targetGUID=guid)

    def coding(self, parent: ET.Element, owner: str, tag: str, **attributes: str) -> None:
        """Add a ``Coding`` of ``tag``'s code to ``parent`` (``owner``: what it codes)."""
        target = code_guid(tag_path(tag))
        coding = ET.SubElement(
            parent, "Coding", {"guid": derived_guid("coding", owner, target), **attributes}
        )
        ET.SubElement(coding, "CodeRef", targetGUID=target)

    def selection(self, source: ET.Element, annotation: dict[str, Any]) -> None:
        """Add one highlight as a ``PlainTextSelection`` of ``source``."""
        guid = selection_guid(annotation["id"])
        who = self.user(annotation["creator"])
        covered = annotation.get("current", annotation["quote"])
        attributes = {
            "guid": guid,
            "name": xml_text(printable(" ".join(covered.split())[:60])),
            "startPosition": str(annotation["start"]),
            "endPosition": str(annotation["end"]),
            **who,
            "creationDateTime": annotation["created"],
            "modifiedDateTime": annotation["updated"],
        }
        element = ET.SubElement(source, "PlainTextSelection", attributes)
        for tag in annotation["tags"]:
            self.coding(element, guid, tag, **who, creationDateTime=annotation["created"])
        if annotation["note"]:
            times = {"creationDateTime": annotation["created"]}
            times["modifiedDateTime"] = annotation["updated"]
            self.note(element, derived_guid("note", guid), f"Note: {covered}"[:80],
                      annotation["note"], **who, **times)  # fmt: skip
        self.extras[guid] = _extras(annotation, guid, covered)

    def source(self, parent: ET.Element, index: int) -> None:
        """Add the ``index``-th exported document as a ``TextSource``."""
        document = self.export.data["documents"][index]
        iri = document_iri(self.export.roots[index], document["path"])
        guid = derived_guid("source", iri)
        texts = self.export.texts
        assert texts is not None, "a project export collects the texts"
        text = texts[index]
        if text is None:
            return  # an article missing from its folder: no text to ship (export_bytes says so)
        path = f"{guid}.txt"
        self.sources.append((f"{SOURCES_DIR}/{path}", text))
        source = ET.SubElement(
            parent,
            "TextSource",
            guid=guid,
            name=xml_text(document["path"]),
            plainTextPath=f"internal://{path}",
        )
        for annotation in document["annotations"]:
            if annotation["status"] == AnchorStatus.ORPHANED.value:
                # Nothing in the text to select: kept for ipreader only.
                self.orphans.append({"source": guid, **annotation})
            else:
                self.selection(source, annotation)
        for tag in document["tags"]:
            self.coding(source, guid, tag)
        if document["note"]:
            self.note(source, derived_guid("note", guid), f"Note: {document['path']}"[:80],
                      document["note"])  # fmt: skip

    def project(self) -> ET.Element:
        """The ``Project`` element of the whole export."""
        data = self.export.data
        root = ET.Element(
            "Project",
            xmlns=PROJECT_NS,
            name="ipreader annotations",
            origin=f"ipreader {__version__}",
            creationDateTime=data["exported_at"],
        )
        sources = ET.Element("Sources")
        for index in range(len(data["documents"])):
            self.source(sources, index)
        if self.users:
            users = ET.SubElement(root, "Users")
            for guid, name in self.users.items():
                ET.SubElement(users, "User", guid=guid, name=name)
        tree = code_tree(_all_tags(self.export))
        if tree:
            _code_elements(ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes"), tree)
        # The schema wants one child or more in each of these lists: empty ones are left out.
        if len(sources):
            root.append(sources)
        if len(self.notes):
            root.append(self.notes)
        return root


def _extras(annotation: dict[str, Any], guid: str, covered: str) -> dict[str, Any]:
    """What a ``PlainTextSelection`` cannot say about ``annotation``, for ipreader.json."""
    extras: dict[str, Any] = {
        key: annotation[key] for key in ("color", "status", "revision", "score", "prefix", "suffix")
    }
    extras["tags"] = annotation["tags"]
    if guid != annotation["id"]:
        extras["id"] = annotation["id"]
    if covered != annotation["quote"]:
        extras["quote"] = annotation["quote"]
    if annotation.get("origin"):
        extras["origin"] = annotation["origin"]
    return extras


#: Zip entries get a fixed time, so the same export gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _add(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    # A lone surrogate (an undecodable byte kept by a decoder) cannot be UTF-8: "?" keeps offsets.
    archive.writestr(info, text.encode("utf-8", errors="replace"))


def to_qdpx(export: ExportSet) -> bytes:
    """The REFI-QDA project (``.qdpx`` zip) of an export collected with its texts."""
    builder = _ProjectBuilder(export)
    project = _xml(builder.project())
    extras = {
        "format": EXTRAS_FORMAT,
        "version": 1,
        "selections": builder.extras,
        "orphans": builder.orphans,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, PROJECT_FILE, project)
        for name, text in builder.sources:
            _add(archive, name, text)
        _add(archive, EXTRAS_FILE, json.dumps(extras, ensure_ascii=False) + "\n")
    return buffer.getvalue()
