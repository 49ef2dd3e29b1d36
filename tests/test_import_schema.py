"""docs/import-schema.json and the importer agree on what an import file may hold.

A valid document is mutated one field at a time (a wrong type, a value out of
range, a benign variant the importer accepts); for each mutant the schema's
verdict must equal the importer's: accepted means no refusal, no rejected
entry and nothing ignored. Every export (docs/export-schema.json) is also a
valid import.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ipreader.core.errors import ImportFileError
from ipreader.core.importer import import_file

DOCS = Path(__file__).parent.parent / "docs"
IMPORT_SCHEMA = json.loads((DOCS / "import-schema.json").read_text())
EXPORT_SCHEMA = json.loads((DOCS / "export-schema.json").read_text())
TEXT = "Title\n\nThe cat sat on the mat. The cat ran off.\n"
START = TEXT.index("cat sat")


def base() -> dict[str, Any]:
    return {
        "format": "ipreader.annotations",
        "version": 1,
        "exported_at": "2024-05-01T12:00:00.000Z",
        "documents": [
            {
                "path": "sub/a.txt",
                "title": "Title",
                "date": None,
                "sha256": "0" * 64,
                "encoding": "utf-8",
                "tags": ["doc"],
                "note": "A document note.",
                "annotations": [
                    {
                        "id": "0b8e7c1e-2f4e-4c3b-9a55-3f3c2f0d9e11",
                        "document": "sub/a.txt",
                        "start": START,
                        "end": START + 7,
                        "quote": "cat sat",
                        "prefix": "Title\n\nThe ",
                        "suffix": " on the mat.",
                        "color": "green",
                        "note": "a note",
                        "tags": ["animals", "policy/patents"],
                        "created": "2024-05-01T12:00:00.000Z",
                        "updated": "2024-05-01T12:10:00.000Z",
                        "status": "anchored",
                        "creator": "Ann",
                        "revision": 2,
                        "score": None,
                        "origin": "",
                    }
                ],
            }
        ],
    }


ANNOTATION = ("documents", 0, "annotations", 0)
DOCUMENT = ("documents", 0)
DROP = object()

#: (where, key, value): set ``key`` of the object at ``where`` to ``value`` (DROP removes it).
MUTATIONS: list[tuple[tuple[Any, ...], str, Any]] = [
    # Accepted variants.
    (ANNOTATION, "id", "hypothesis-id-Ij3X0s"),
    (ANNOTATION, "id", None),
    (ANNOTATION, "created", "2024-05-01T14:00:00+02:00"),
    (ANNOTATION, "updated", "2024-05-02"),
    (ANNOTATION, "updated", ""),
    (ANNOTATION, "prefix", "x" * 300),
    (ANNOTATION, "color", None),
    (ANNOTATION, "status", None),
    (ANNOTATION, "start", -5),
    (ANNOTATION, "end", DROP),
    (ANNOTATION, "tags", None),
    (ANNOTATION, "tags", [" spaced  tag ", "ANIMALS", "animals"]),
    (ANNOTATION, "score", 87.5),
    (ANNOTATION, "unknown", {"kept": "out"}),
    (ANNOTATION, "revision", None),
    (ANNOTATION, "origin", "https://hypothes.is/a/x"),
    (DOCUMENT, "annotations", None),
    (DOCUMENT, "path", "sub//a.txt"),
    (DOCUMENT, "tags", None),
    ((), "exported_at", DROP),
    # Rejected entries.
    (ANNOTATION, "quote", ""),
    (ANNOTATION, "quote", DROP),
    (ANNOTATION, "quote", 5),
    (ANNOTATION, "id", 7),
    (ANNOTATION, "id", "x" * 201),
    (ANNOTATION, "color", "red"),
    (ANNOTATION, "status", "lost"),
    (ANNOTATION, "tags", "animals"),
    (ANNOTATION, "tags", ["t"] * 201),
    (ANNOTATION, "tags", ["t" * 201]),
    (ANNOTATION, "tags", [1]),
    (ANNOTATION, "created", "yesterday"),
    (ANNOTATION, "created", 20240501),
    (ANNOTATION, "start", "7"),
    (ANNOTATION, "start", True),
    (ANNOTATION, "revision", 0),
    (ANNOTATION, "score", 101),
    (ANNOTATION, "score", "5"),
    (ANNOTATION, "note", ["x"]),
    (ANNOTATION, "creator", "c" * 201),
    (ANNOTATION, "origin", 5),
    (ANNOTATION, "current", 5),
    (DOCUMENT, "path", "../a.txt"),
    (DOCUMENT, "path", "/etc/passwd"),
    (DOCUMENT, "path", "sub\\a.txt"),
    (DOCUMENT, "path", "C:/a.txt"),
    (DOCUMENT, "path", None),
    (DOCUMENT, "path", DROP),
    (DOCUMENT, "annotations", "x"),
    (DOCUMENT, "tags", "doc"),
    (DOCUMENT, "note", 5),
    (("documents",), 0, "a document"),
    (("documents", 0, "annotations"), 0, "an annotation"),
    # Refused whole.
    ((), "version", 2),
    ((), "version", "1"),
    ((), "version", True),
    ((), "format", "other"),
    ((), "documents", {}),
    ((), "documents", DROP),
]


def mutate(where: tuple[Any, ...], key: Any, value: Any) -> dict[str, Any]:
    data = base()
    target: Any = data
    for step in where:
        target = target[step]
    if value is DROP:
        del target[key]
    else:
        target[key] = value
    return data


def importer_accepts(data: dict[str, Any], tmp_path: Path) -> bool:
    folder = tmp_path / "folder"
    make_folder(folder)
    file = tmp_path / "in.json"
    file.write_text(json.dumps(data))
    try:
        report = import_file(file, folder)
    except ImportFileError:
        return False
    return report.rejected == 0 and not any("ignored" in m for m in report.messages)


def make_folder(folder: Path) -> None:
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(TEXT)


def test_the_base_document_is_valid_everywhere(tmp_path: Path) -> None:
    data = base()
    jsonschema.validate(data, IMPORT_SCHEMA)
    jsonschema.validate(data, EXPORT_SCHEMA)
    assert importer_accepts(data, tmp_path)


@pytest.mark.parametrize(("where", "key", "value"), MUTATIONS, ids=lambda v: repr(v)[:30])
def test_schema_and_importer_agree(
    tmp_path: Path, where: tuple[Any, ...], key: Any, value: Any
) -> None:
    data = mutate(where, key, value)
    valid = jsonschema.Draft202012Validator(IMPORT_SCHEMA).is_valid(data)
    assert valid == importer_accepts(copy.deepcopy(data), tmp_path)


def test_the_mutations_cover_both_verdicts() -> None:
    verdicts = {
        jsonschema.Draft202012Validator(IMPORT_SCHEMA).is_valid(mutate(*m)) for m in MUTATIONS
    }
    assert verdicts == {True, False}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("created", "2024-05-01T14:00:00+02:00"),
        ("prefix", "x" * 33),
        ("tags", [" spaced"]),
        ("tags", ["a", "a"]),
        ("id", "not-a-uuid"),
        ("current", ""),
    ],
)
def test_the_export_schema_is_stricter(key: str, value: Any) -> None:
    data = mutate(ANNOTATION, key, value)
    assert jsonschema.Draft202012Validator(IMPORT_SCHEMA).is_valid(data)
    assert not jsonschema.Draft202012Validator(EXPORT_SCHEMA).is_valid(data)


def test_root_on_some_documents_only_breaks_the_export_schema() -> None:
    data = base()
    second = copy.deepcopy(data["documents"][0])
    second["root"] = "/somewhere"
    data["documents"].append(second)
    assert not jsonschema.Draft202012Validator(EXPORT_SCHEMA).is_valid(data)
    for document in data["documents"]:
        document["root"] = "/somewhere"
    assert jsonschema.Draft202012Validator(EXPORT_SCHEMA).is_valid(data)
