"""The ipreader JSON export: the canonical structure itself, the file ``import`` reads back.

The layout is ``json_outline(data, INDENT_LEVELS)``'s. An export structure as
``collect`` builds it (the four top-level fields, documents with their fixed
fields) is written by a template per document, and each annotation's record
of ``to_dict``'s shape by a template per record: the generic outline walks
every key of 10,000 documents in Python, and the C encoder every key and
value of 20,000 records (most of them the same few texts). Anything of
another shape takes the generic route. The text is the same to the byte
(``tests/test_export_json_template.py``).
"""

from __future__ import annotations

import itertools
import json
from json.encoder import encode_basestring
from typing import Any

from ipreader.core.json_text import encode_each, json_outline
from ipreader.core.safe_text import escape_json_controls

#: Nesting levels laid out over several lines; deeper values (an annotation, a W3C
#: item) each take one line. Full indentation would force Python's pure-Python
#: JSON encoder (``indent`` disables the C one): 2-3x slower on a 20,000-annotation
#: export, and a file twice as long to scroll.
INDENT_LEVELS = 4

#: The top-level fields of an export structure, in ``collect``'s order.
_TOP = ("format", "version", "exported_at", "documents")

#: A document's fields in ``collect``'s order; ``missing`` and ``root`` may follow.
_DOCUMENT = ("path", "title", "date", "sha256", "encoding", "tags", "note", "annotations")

#: Every key order the template writes: the fields, then ``missing``, ``root``, or both.
_SHAPES = frozenset(
    {_DOCUMENT, (*_DOCUMENT, "missing"), (*_DOCUMENT, "root"), (*_DOCUMENT, "missing", "root")}
)

# The fixed part of each document, at the indentation json_outline gives level 3.
_HEAD = (
    '    {\n      "path": %s,\n      "title": %s,\n      "date": %s,\n      "sha256": %s,'
    '\n      "encoding": %s,\n      "tags": %s,\n      "note": %s,\n      "annotations": '
)
_ITEMS = ",\n        "  # between the items of a document's list (level 1)
_OPEN = "[\n        "
_CLOSE = "\n      ]"

#: An annotation's record as ``Annotation.to_dict`` makes it, in its order.
_RECORD = (
    "id",
    "document",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "color",
    "note",
    "tags",
    "created",
    "updated",
    "status",
    "creator",
    "revision",
    "score",
    "origin",
)

#: What ``collect`` may add to a record, in its order (``current``, then ``meaning``).
_ADDED = ("current", "meaning")

#: Every key order the record template writes: ``_RECORD``, then none, one or both of
#: ``_ADDED`` in that order.
_RECORD_KEYS = frozenset(
    {_RECORD, (*_RECORD, "current"), (*_RECORD, "meaning"), (*_RECORD, *_ADDED)}
)

# Each field's type in ``_RECORD``'s order (``score`` is None, a float or an int).
_FIELD_TYPES: tuple[tuple[type, ...], ...] = (
    (str,), (str,), (int,), (int,), (str,), (str,), (str,), (str,), (str,), (list,),
    (str,), (str,), (str,), (str,), (int,), (type(None), float, int), (str,),
)  # fmt: skip

#: Every combination of value types the record template writes (an added key holds text).
_RECORD_TYPES = frozenset(
    types + (str,) * added
    for types in itertools.product(*_FIELD_TYPES)
    for added in range(len(_ADDED) + 1)
)

# One line per record, as the C encoder writes it with ", " and ": ".
_RECORD_LINE = "{" + ", ".join(f'"{key}": %s' for key in _RECORD) + "%s}"

# The encoder json_outline writes a record with (for a tag list, a float, an odd record).
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


class _OtherShape(Exception):
    """The structure is not the one the template writes: the generic outline writes it."""


def to_json(data: dict[str, Any]) -> str:
    """Render an export structure (or a W3C collection) as UTF-8 JSON ending with a newline.

    The outer levels are indented; each annotation (each W3C item) is one line.
    Non-ASCII text stays readable, but the characters a terminal acts on (C0,
    DEL, C1, BiDi controls) and lone surrogates are ``\\uXXXX`` escapes, so
    the export is safe to print and decodes to exactly the same strings.
    """
    try:
        return _from_template(data)
    except _OtherShape:
        return json_outline(data, INDENT_LEVELS)


def _scalar(value: Any) -> str:
    """``value`` as json_outline writes a scalar; ``_OtherShape`` for anything else."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    raise _OtherShape  # a float, a subclass, a container: the encoder's business


def _string_list(values: Any) -> str:
    """A list of strings laid out one per line (a document's tags)."""
    if type(values) is not list:
        raise _OtherShape
    if not values:
        return "[]"
    return _OPEN + _ITEMS.join(map(_scalar, values)) + _CLOSE


def _from_template(data: dict[str, Any]) -> str:
    """The export structure ``data`` as ``json_outline`` lays it out, by a per-document template."""
    if type(data) is not dict or tuple(data) != _TOP:
        raise _OtherShape
    documents = data["documents"]
    if type(documents) is not list:
        raise _OtherShape
    scalar = _scalar
    heads: list[str] = []
    tails: list[str] = []  # ``missing`` and ``root``, when a document has them
    records: list[Any] = []  # every annotation of every document, encoded in one call
    counts: list[int] = []
    for document in documents:
        if type(document) is not dict or tuple(document) not in _SHAPES:
            raise _OtherShape
        annotations = document["annotations"]
        if type(annotations) is not list:
            raise _OtherShape
        for record in annotations:
            # A record is one line only when it is a non-empty container (else a scalar,
            # or "{}", which the generic outline writes).
            if type(record) is not dict or not record:
                raise _OtherShape
        records += annotations
        counts.append(len(annotations))
        head = _HEAD % (
            scalar(document["path"]),
            scalar(document["title"]),
            scalar(document["date"]),
            scalar(document["sha256"]),
            scalar(document["encoding"]),
            _string_list(document["tags"]),
            scalar(document["note"]),
        )
        heads.append(head)
        tails.append(
            ""
            if len(document) == len(_DOCUMENT)
            else "".join(
                f',\n      "{key}": {scalar(document[key])}'
                for key in ("missing", "root")
                if key in document
            )
        )
    encoded = _record_lines(records)
    parts = [
        '{\n  "format": ',
        scalar(data["format"]),
        ',\n  "version": ',
        scalar(data["version"]),
        ',\n  "exported_at": ',
        scalar(data["exported_at"]),
        ',\n  "documents": ',
    ]
    if not documents:
        parts.append("[]")
    else:
        parts.append("[\n")
        at = 0
        for number, (head, count, tail) in enumerate(zip(heads, counts, tails, strict=True)):
            if number:
                parts.append(",\n")
            parts.append(head)
            if count:
                parts.append(_OPEN)
                parts.append(_ITEMS.join(encoded[at : at + count]))
                parts.append(_CLOSE)
                at += count
            else:
                parts.append("[]")
            parts.append(tail)
            parts.append("\n    }")
        parts.append("\n  ]")
    parts.append("\n}\n")
    return escape_json_controls("".join(parts))


class _Escaped(dict[str, str]):
    """Texts and their JSON strings, each escaped on first use (a hit is a C lookup)."""

    def __missing__(self, key: str) -> str:
        text = self[key] = encode_basestring(key)
        return text


def _record_lines(records: list[Any]) -> list[str]:
    """Each record on one line, as ``encode_each(records)`` writes them.

    A record of ``to_dict``'s shape (plus ``current`` and ``meaning``) fills a
    template, each text escaped by the encoder's own C function and the values
    that repeat (the document, colour, times, status, creator, tag lists)
    escaped once; any other record is left to the encoder.
    """
    lines: list[str] = []
    odd: list[int] = []  # places of the records the encoder writes
    once = _Escaped()
    tag_lists: dict[tuple[str, ...], str] = {}
    for record in records:
        line = _record_line(record, once, tag_lists)
        if line is None:
            odd.append(len(lines))
            line = ""
        lines.append(line)
    if odd:
        for place, text in zip(odd, encode_each([records[place] for place in odd]), strict=True):
            lines[place] = text
    return lines


def _record_line(
    record: dict[str, Any], once: _Escaped, tag_lists: dict[tuple[str, ...], str]
) -> str | None:
    """``record`` on one line by the template; ``None`` when it is not of the template's shape.

    ``once`` escapes the values that repeat; ``tag_lists`` holds the tag lists written so far.
    """
    keys = tuple(record)
    values = tuple(record.values())
    # Every value's exact type in one pass in C (a bool is no int here, a str
    # subclass no str): the template writes only what it checked.
    if keys not in _RECORD_KEYS or tuple(map(type, values)) not in _RECORD_TYPES:
        return None
    tags = values[9]
    tag_key = tuple(tags)
    try:
        tag_text = tag_lists.get(tag_key)
    except TypeError:  # a tag that is a list or a dict: no tag list of the template's
        return None
    if tag_text is None:  # only lists of texts are kept: no 1 is taken for a True
        if not all(type(tag) is str for tag in tags):
            return None
        tag_text = tag_lists[tag_key] = _ONE_LINE(tags)
    score = values[15]
    escape = encode_basestring
    return (
        _RECORD_LINE
        % (
            escape(values[0]),  # id
            once[values[1]],  # document
            int.__repr__(values[2]),  # start
            int.__repr__(values[3]),  # end
            escape(values[4]),  # quote
            escape(values[5]),  # prefix
            escape(values[6]),  # suffix
            once[values[7]],  # color
            escape(values[8]),  # note
            tag_text,
            once[values[10]],  # created
            once[values[11]],  # updated
            once[values[12]],  # status
            once[values[13]],  # creator
            int.__repr__(values[14]),  # revision
            "null" if score is None else _ONE_LINE(score),  # NaN, infinities: the encoder's
            once[values[16]],  # origin
            "".join(
                f', "{key}": {escape(value)}'
                for key, value in zip(keys[len(_RECORD) :], values[len(_RECORD) :], strict=True)
            )
            if len(values) > len(_RECORD)
            else "",
        )
    )
