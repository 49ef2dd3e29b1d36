"""Reading a REFI-QDA project (``.qdpx``): plain-text sources, their codings and notes.

Each ``TextSource`` is matched to an article by name (its path or file name)
or by content, else by its quotes. A ``PlainTextSelection`` becomes a
highlight: its quote is the source text from ``startPosition`` to
``endPosition`` (code points, ``endPosition`` exclusive, a BOM not counted,
``\\r\\n`` one character: as ipreader writes them), its codes the tags (a
code's path in the code tree, joined by ``/``), its ``NoteRef`` notes and
``Description`` the note, ``creatingUser`` the creator. Codings and notes of
the source itself go to the document's own tags and note. ``ipreader.json``
(written by ipreader) restores colour, status and orphaned highlights.

The zip is read in memory within bounds (members, sizes); the XML may not
declare a DOCTYPE (no entities), and is refused when denser in elements than
a project is.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

from ipreader.core.documents import normalize_newlines
from ipreader.core.errors import ImportFileError
from ipreader.core.export.refi_qda import EXTRAS_FILE, EXTRAS_FORMAT, PROJECT_FILE
from ipreader.core.importer.batch import MAX_IMPORT_ENTRIES, Batch, DocumentRef
from ipreader.core.importer.reading import MAX_IMPORT_BYTES, MIN_BYTES_PER_CONTAINER
from ipreader.core.model import context_around

_NAMESPACE_START = "urn:QDA-XML:project:"
_DENSITY_FLOOR = 10_000


class _Project:
    """A project's XML and the members of its zip, read within bounds."""

    def __init__(self, file: Path, raw: bytes) -> None:
        self.file = file
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ImportFileError(f"{file}: not a readable zip ({error})") from None
        if len(infos) > MAX_IMPORT_ENTRIES:
            raise ImportFileError(f"{file}: {len(infos):,} files in the zip; too many")
        self.members = {info.filename.lower(): info for info in infos}
        self.budget = MAX_IMPORT_BYTES  # decompressed bytes left to read
        xml = self.member(PROJECT_FILE)
        if xml is None:
            raise ImportFileError(f"{file}: no {PROJECT_FILE} in the zip: not a REFI-QDA project")
        self.root = _parse(file, xml)
        namespace = self.root.tag[1:].partition("}")[0] if self.root.tag.startswith("{") else ""
        if not namespace.startswith(_NAMESPACE_START) or not self.root.tag.endswith("}Project"):
            raise ImportFileError(f"{file}: {PROJECT_FILE} is not a QDA-XML project")
        self.ns = "{" + namespace + "}"

    def member(self, name: str) -> bytes | None:
        """The bytes of the zip member ``name`` (case-insensitive), within the budget."""
        info = self.members.get(name.lower())
        if info is None:
            return None
        try:
            with self.zip.open(info) as stream:
                # The declared size may lie (a zip bomb): read at most what is left, plus one.
                data = stream.read(self.budget + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise ImportFileError(
                f"{self.file}: cannot read {name!r} in the zip: {error}"
            ) from None
        self.budget -= len(data)
        if self.budget < 0:
            raise ImportFileError(
                f"{self.file}: more than {MAX_IMPORT_BYTES // (1024 * 1024)} MB once unzipped"
            )
        return data

    def text(self, element: ET.Element) -> str | None:
        """The plain text of a source or note: inline, or its ``internal://`` file."""
        inline = element.find(f"{self.ns}PlainTextContent")
        if inline is not None:
            return inline.text or ""
        path = element.get("plainTextPath", "")
        if not path.startswith("internal://"):
            return None  # an external file: not part of the project
        data = self.member("sources/" + path.removeprefix("internal://"))
        if data is None:
            return None
        try:
            return normalize_newlines(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return None

    def extras(self) -> dict[str, Any]:
        """ipreader's own ``ipreader.json`` (empty when absent or not ours)."""
        data = self.member(EXTRAS_FILE)
        if data is None:
            return {}
        try:
            extras = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return {}
        ours = isinstance(extras, dict) and extras.get("format") == EXTRAS_FORMAT
        return extras if ours else {}


def _parse(file: Path, xml: bytes) -> ET.Element:
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise ImportFileError(f"{file}: {PROJECT_FILE} declares a DOCTYPE; refused")
    elements = xml.count(b"<")
    if elements > _DENSITY_FLOOR and elements * MIN_BYTES_PER_CONTAINER > len(xml):
        raise ImportFileError(f"{file}: {elements:,} XML tags in {len(xml):,} bytes; refused")
    try:
        return ET.fromstring(xml)
    except ET.ParseError as error:
        raise ImportFileError(f"{file}: {PROJECT_FILE} is not well-formed XML: {error}") from None


def _codes(project: _Project) -> dict[str, str]:
    """Code GUID -> tag (the names along its path in the code tree, joined by ``/``)."""
    tags: dict[str, str] = {}
    ns = project.ns
    stack = [(code, "") for code in project.root.findall(f"{ns}CodeBook/{ns}Codes/{ns}Code")]
    while stack:
        code, parent = stack.pop()
        tag = f"{parent}/{code.get('name', '')}" if parent else code.get("name", "")
        tags[_guid(code.get("guid"))] = tag
        stack.extend((child, tag) for child in code.findall(f"{ns}Code"))
    return tags


def _guid(value: str | None) -> str:
    return (value or "").strip("{}").lower()


def _refs(element: ET.Element, ns: str, kind: str) -> list[str]:
    return [_guid(ref.get("targetGUID")) for ref in element.findall(f"{ns}{kind}")]


def _coded(element: ET.Element, ns: str, codes: dict[str, str]) -> list[str]:
    return [
        codes[guid]
        for coding in element.findall(f"{ns}Coding")
        for guid in _refs(coding, ns, "CodeRef")
        if guid in codes
    ]


def read(file: Path, raw: bytes) -> Batch:
    """The entries of the REFI-QDA project (``.qdpx`` bytes) ``raw``."""
    project = _Project(file, raw)
    ns = project.ns
    batch = Batch(file, "qdpx")
    users = {_guid(u.get("guid")): u.get("name") for u in project.root.iter(f"{ns}User")}
    codes = _codes(project)
    notes = {
        _guid(note.get("guid")): project.text(note) or ""
        for note in project.root.findall(f"{ns}Notes/{ns}Note")
    }
    extras = project.extras()
    selections = extras.get("selections")
    if not isinstance(selections, dict):
        selections = {}
    orphans: dict[str, list[Any]] = {}
    for orphan in extras.get("orphans") or []:
        if isinstance(orphan, dict):
            orphans.setdefault(_guid(orphan.get("source")), []).append(orphan)
    for index, source in enumerate(project.root.findall(f"{ns}Sources/{ns}TextSource")):
        name = source.get("name") or ""
        where = f"source {index} ({name[-200:]!r})"
        text = project.text(source)
        if text is None:
            batch.reject(f"{where}: its plain text is missing or not UTF-8; skipped")
            continue
        ref = DocumentRef(uri_path=name.replace("\\", "/"), text=text, search_quotes=True)
        group = batch.group(where, ref)
        for number, selection in enumerate(source.findall(f"{ns}PlainTextSelection")):
            at = f"selection {number}"
            try:
                start = int(selection.get("startPosition", ""))
                end = int(selection.get("endPosition", ""))
            except ValueError:
                batch.reject(f"{where} {at}: positions are not integers; skipped")
                continue
            if not 0 <= start < end <= len(text):
                batch.reject(f"{where} {at}: positions {start}..{end} are outside the text")
                continue
            guid = _guid(selection.get("guid"))
            noted = [notes[g] for g in _refs(selection, ns, "NoteRef") if g in notes]
            description = selection.findtext(f"{ns}Description")
            prefix, suffix = context_around(text, start, end)
            record: dict[str, Any] = {
                "id": guid or None,
                "start": start,
                "end": end,
                "quote": text[start:end],
                "prefix": prefix,
                "suffix": suffix,
                "note": "\n\n".join(n for n in (*noted, description) if n),
                "tags": _coded(selection, ns, codes),
                "creator": users.get(_guid(selection.get("creatingUser"))),
                "created": selection.get("creationDateTime"),
                "updated": selection.get("modifiedDateTime"),
            }
            extra = selections.get(guid)
            if isinstance(extra, dict):
                _restore(record, extra)
            batch.add(group, at, record)
        for number, orphan in enumerate(orphans.pop(_guid(source.get("guid")), [])):
            batch.add(group, f"orphan {number}", {k: v for k, v in orphan.items() if k != "source"})
        own_notes = [notes[g] for g in _refs(source, ns, "NoteRef") if g in notes]
        own_tags = _coded(source, ns, codes)
        if own_notes or own_tags:
            batch.set_notes(group, {"tags": own_tags, "note": "\n\n".join(own_notes)})
    skipped = sum(1 for element in project.root.findall(f"{ns}Sources/*")) - len(
        project.root.findall(f"{ns}Sources/{ns}TextSource")
    )
    if skipped:
        batch.notes.append(f"{skipped} source(s) that are not plain text were not imported")
    return batch


def _restore(record: dict[str, Any], extra: dict[str, Any]) -> None:
    """Apply what ipreader.json keeps for a selection (colour, status, exact tags, ...)."""
    for key in ("color", "status", "revision", "score", "prefix", "suffix", "tags", "origin"):
        if key in extra:
            record[key] = extra[key]
    if "id" in extra:
        record["id"] = extra["id"]
    if "quote" in extra:
        # An approximate match: the selection covers what is there now, the quote is the original.
        record["current"] = record["quote"]
        record["quote"] = extra["quote"]
