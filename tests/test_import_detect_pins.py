"""Pins of how an import file's format is told and read (``importer/detect.py``,
``importer/reading.py``, ``importer/__init__.py``): through ``read_batch``, nothing written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.errors import ImportFileError
from ipreader.core.importer import IMPORT_FORMATS, MAX_IMPORT_BYTES, read_batch, reading

IPREADER = {"format": "ipreader.annotations", "version": 1, "documents": []}
HYPOTHESIS = {"rows": []}
W3C = [{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation"}]


def written(tmp_path: Path, data: Any, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


def refusal(file: Path, fmt: str | None = None) -> str:
    with pytest.raises(ImportFileError) as raised:
        read_batch(file, fmt)
    return str(raised.value)


# ---------------------------------------------------------------- which format


@pytest.mark.parametrize(
    ("data", "fmt"), [(IPREADER, "ipreader"), (HYPOTHESIS, "hypothesis"), (W3C, "w3c")]
)
def test_each_json_format_is_told_by_its_shape(tmp_path: Path, data: Any, fmt: str) -> None:
    assert read_batch(written(tmp_path, data)).format == fmt


def test_a_format_key_makes_an_ipreader_file_whatever_else_it_holds(tmp_path: Path) -> None:
    data = {**IPREADER, "rows": [], "@context": "x"}
    assert read_batch(written(tmp_path, data)).format == "ipreader"


def test_a_given_format_overrides_the_shape(tmp_path: Path) -> None:
    assert read_batch(written(tmp_path, HYPOTHESIS), "hypothesis").format == "hypothesis"
    assert read_batch(written(tmp_path, W3C, "other.json"), "hypothesis").format == "hypothesis"


def test_json_of_no_known_shape_names_every_format_it_is_not(tmp_path: Path) -> None:
    file = written(tmp_path, {"something": "else"})
    assert refusal(file) == (
        f'{file}: not an ipreader export (expected "format": "ipreader.annotations"), '
        "nor W3C Web Annotation JSON-LD, Hypothesis API JSON or a REFI-QDA project"
    )


def test_an_unknown_format_name_lists_the_known_ones(tmp_path: Path) -> None:
    assert IMPORT_FORMATS == ("ipreader", "w3c", "hypothesis", "qdpx")
    assert refusal(written(tmp_path, IPREADER), "csv") == (
        "unknown import format 'csv'; choose one of ipreader, w3c, hypothesis, qdpx"
    )


def test_a_zip_is_read_as_a_refi_qda_project(tmp_path: Path) -> None:
    path = tmp_path / "project.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("other.txt", "no project here")
    message = refusal(path)
    assert message.startswith(f"{path}: ") and "project.qde" in message


def test_a_zip_given_as_json_is_refused_as_json_not_read_as_a_project(tmp_path: Path) -> None:
    path = tmp_path / "project.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
    message = refusal(path, "ipreader")
    assert message.startswith(f"{path}: not UTF-8 text") or "malformed JSON" in message


# ---------------------------------------------------------------- XML is not imported


@pytest.mark.parametrize("lead", [b"", b"\xef\xbb\xbf", b" \t\r\n", b"\xef\xbb\xbf\n  "])
def test_a_refi_qda_codebook_says_it_holds_no_highlights(tmp_path: Path, lead: bytes) -> None:
    file = written(tmp_path, lead + b'<?xml version="1.0"?><CodeBook><Codes/></CodeBook>', "c.qdc")
    assert refusal(file) == (
        f"{file}: a REFI-QDA codebook holds codes but no highlights: nothing to import"
    )


def test_other_xml_says_to_import_the_qdpx(tmp_path: Path) -> None:
    file = written(tmp_path, b"\n<Project><Sources/></Project>", "project.qde")
    assert refusal(file) == (
        f"{file}: an XML file; import a REFI-QDA project as its .qdpx (a zip with "
        "project.qde and Sources/)"
    )


def test_a_codebook_named_past_the_first_4096_bytes_is_only_xml(tmp_path: Path) -> None:
    head = b"<Project>" + b" " * 4096 + b"<CodeBook/></Project>"
    assert "an XML file; import a REFI-QDA project" in refusal(written(tmp_path, head))


def test_xml_given_a_format_is_read_as_that_format(tmp_path: Path) -> None:
    file = written(tmp_path, b"<CodeBook/>")
    assert refusal(file, "ipreader").startswith(f"{file}: malformed JSON at line 1, column 1")


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n"])
@pytest.mark.parametrize("fmt", [None, "ipreader", "w3c", "hypothesis", "qdpx"])
def test_an_empty_file_is_called_empty(tmp_path: Path, content: bytes, fmt: str | None) -> None:
    """It was "malformed JSON at line 1, column 1: Expecting value" (or "not a zip")."""
    file = written(tmp_path, content)
    assert refusal(file, fmt) == f"{file}: the file is empty: there is nothing to import"


def test_a_qdpx_name_is_read_as_a_project(tmp_path: Path) -> None:
    file = tmp_path / "project.qdpx"
    file.write_bytes(b"{not a zip")
    assert refusal(file) == f"{file}: not a readable zip (File is not a zip file)"


# ---------------------------------------------------------------- reading within bounds


def test_a_missing_file_cannot_be_read(tmp_path: Path) -> None:
    file = tmp_path / "gone.json"
    assert refusal(file) == f"{file}: cannot read: No such file or directory"


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    file = written(tmp_path, b"[" + b" " * 3 * 1024 * 1024 + b"]")
    size = file.stat().st_size
    with pytest.raises(ImportFileError) as raised:
        reading.read_file(file, limit=2 * 1024 * 1024)
    assert str(raised.value) == (f"{file}: {size:,} bytes is too large to import (limit 2 MB)")
    assert reading.read_file(file, limit=size) == file.read_bytes()
    assert MAX_IMPORT_BYTES == 200 * 1024 * 1024


def test_the_default_limit_is_read_when_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = written(tmp_path, W3C)
    monkeypatch.setattr(reading, "MAX_IMPORT_BYTES", file.stat().st_size - 1)
    assert "is too large to import" in refusal(file)
    monkeypatch.setattr(reading, "MAX_IMPORT_BYTES", file.stat().st_size)
    assert read_batch(file).format == "w3c"


def test_a_directory_cannot_be_read_as_an_import(tmp_path: Path) -> None:
    message = refusal(tmp_path)
    assert message.startswith(f"{tmp_path}: cannot read: ")


def test_not_utf_8_names_what_the_file_was_expected_to_be(tmp_path: Path) -> None:
    file = written(tmp_path, b'{"format": "\xff"}')
    assert refusal(file) == f"{file}: not UTF-8 text, so not an ipreader export"


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    file = written(tmp_path, b"\xef\xbb\xbf" + json.dumps(W3C).encode())
    assert read_batch(file).format == "w3c"


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    file = written(tmp_path, b'{\n  "format": ,\n}')
    assert refusal(file) == f"{file}: malformed JSON at line 2, column 13: Expecting value"


def test_a_number_with_too_many_digits_is_malformed_json(tmp_path: Path) -> None:
    file = written(tmp_path, b'{"n": ' + b"9" * 5000 + b"}")
    assert refusal(file) == f"{file}: malformed JSON: a number has too many digits"


def test_json_nested_too_deeply_is_said(tmp_path: Path) -> None:
    file = written(tmp_path, b"[" * 5_000 + b"]" * 5_000)
    assert refusal(file) == f"{file}: JSON nested too deeply"


@pytest.mark.parametrize(
    ("containers", "size", "refused"),
    [
        (10_000, 30_000, False),  # at the floor: never refused for density
        (10_001, 10_001 * 16 - 1, True),  # one over: more than one a 16 bytes
        (10_001, 10_001 * 16, False),  # exactly one a 16 bytes
    ],
)
def test_dense_json_is_refused_past_one_container_a_16_bytes_above_the_floor(
    tmp_path: Path, containers: int, size: int, refused: bool
) -> None:
    half = containers // 2
    body = b"[" + b"{}," * half + b"[]," * (containers - half - 1)
    raw = body.rstrip(b",") + b"]"
    raw = raw[:-1] + b" " * (size - len(raw)) + b"]"
    assert raw.count(b"{") + raw.count(b"[") == containers and len(raw) == size
    file = written(tmp_path, raw)
    if refused:
        assert refusal(file, "w3c") == (
            f"{file}: {containers:,} JSON objects or arrays in {size:,} bytes: far more "
            "entries than an annotation file holds (at most one per 16 bytes); nothing imported"
        )
    else:
        message = refusal(file, "w3c") if _raises(file) else ""
        assert "far more entries" not in message


def _raises(file: Path) -> bool:
    try:
        read_batch(file, "w3c")
    except ImportFileError:
        return True
    return False


def test_the_density_check_counts_brackets_even_inside_strings(tmp_path: Path) -> None:
    raw = json.dumps({"format": "ipreader.annotations", "x": "{[" * 6_000}).encode()
    with pytest.raises(ImportFileError, match="far more entries"):
        reading.parse_json(tmp_path / "f.json", raw)
