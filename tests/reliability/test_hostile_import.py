"""Hostile import files: traversal, wrong types, huge strings and files, duplicates, bad offsets.

Each bad entry sits in one file beside a valid entry: the bad one must be
rejected (or, for offsets, re-anchored as README documents) with a clear
message naming it, the valid one must still import, and nothing outside the
folder's ``.ipreader`` may be written (the whole ``tmp_path`` tree is
snapshotted before and after, the folder's article files included).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.errors import ImportFileError
from ipreader.core.importer import MAX_IMPORT_BYTES, import_file
from ipreader.core.store import FolderStore

from .peak_memory import run_with_peak

TEXT_A = "Alpha title\n\nThe quick brown fox jumps over the lazy dog. The fox is quick.\n"
TEXT_C = "Gamma title\n\nA nested article with a unique phrase inside.\n"
VALID_ID = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """``tmp_path/{articles, outside}``; ``articles/link.txt`` points at ``outside/x.txt``."""
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (folder / "sub" / "c.txt").write_text(TEXT_C, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("Outside\n\nThe quick brown fox, outside.\n", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "x.txt")
    (folder / "linkdir").symlink_to(outside, target_is_directory=True)
    return {"tmp": tmp_path, "folder": folder, "outside": outside}


def valid_entry(**changes: Any) -> dict[str, Any]:
    """An annotation entry of ``a.txt`` whose offsets hold the quote."""
    start = TEXT_A.index("brown fox")
    entry: dict[str, Any] = {
        "id": VALID_ID,
        "start": start,
        "end": start + len("brown fox"),
        "quote": "brown fox",
        "color": "green",
        "note": "valid",
        "tags": ["ok"],
        "created": "2024-01-01T00:00:00.000Z",
        "updated": "2024-01-01T00:00:00.000Z",
        "status": "anchored",
    }
    entry.update(changes)
    return entry


def export_file(tmp: Path, documents: list[Any]) -> Path:
    path = tmp / "import.json"
    data = {"format": "ipreader.annotations", "version": 1, "documents": documents}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run_import(
    layout: dict[str, Path], snapshot: Callable[..., Any], documents: list[Any]
) -> tuple[Any, FolderStore]:
    """Import ``documents``; assert nothing outside ``articles/.ipreader`` changed."""
    file = export_file(layout["tmp"], documents)
    skip = layout["folder"] / ".ipreader"
    before = snapshot(layout["tmp"], skip)
    report = import_file(file, layout["folder"])
    assert snapshot(layout["tmp"], skip) == before, "import wrote outside the store"
    store = FolderStore.open(layout["folder"])
    # Only real articles of the folder ever get a record.
    assert set(store.all_annotations()) <= {"a.txt", "sub/c.txt"}
    return report, store


def assert_valid_one_imported(report: Any, store: FolderStore) -> None:
    assert report.added >= 1
    [saved] = [a for a in store.annotations("a.txt") if a.id == VALID_ID]
    assert saved.quote == "brown fox" and TEXT_A[saved.start : saved.end] == "brown fox"
    assert saved.note == "valid" and saved.color == "green"


# ------------------------------------------------------------------ paths

TRAVERSAL_PATHS: list[Any] = [
    "../outside/x.txt",
    "/etc/passwd",
    "sub/../../outside/x.txt",
    "sub/../a.txt",  # stays inside but is not a canonical key: still refused as "..".
    "link.txt",  # symlink inside the folder resolving outside
    "linkdir/x.txt",  # through a directory symlink leading outside
    "C:\\Windows\\win.ini",
    "sub\\c.txt",
    "a.txt\x00.png",
    "~/.bashrc",
    ".",
    "",
    "x" * 5000,
    None,
    123,
    ["a.txt"],
]


@pytest.mark.parametrize("path", TRAVERSAL_PATHS, ids=lambda p: repr(p)[:30])
def test_paths_escaping_or_naming_no_article_are_rejected(
    path: Any, layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    secret = os.stat("/etc/passwd").st_mtime_ns
    report, store = run_import(
        layout,
        snapshot,
        [
            {"path": path, "annotations": [valid_entry(id=str(uuid.uuid4()))], "note": "evil"},
            {"path": "a.txt", "annotations": [valid_entry()]},
        ],
    )
    assert report.added == 1 and report.rejected == 1
    [message] = [m for m in report.messages if m.startswith("documents[0]")]
    assert "document skipped" in message
    assert any(
        word in message
        for word in ("escapes", "outside", "absolute", "no article", "path", "invalid")
    ), message
    assert_valid_one_imported(report, store)
    assert store.document_notes("a.txt").note == ""
    assert os.stat("/etc/passwd").st_mtime_ns == secret


# ------------------------------------------------------------------ field types

BAD_FIELDS: list[tuple[str, Any, str]] = [
    ("id", 123, "id must be a string"),
    ("id", ["x"], "id must be a string"),
    ("quote", 5, "quote must be a string"),
    ("quote", None, "quote is missing or empty"),
    ("quote", "", "quote is missing or empty"),
    ("quote", ["brown"], "quote must be a string"),
    ("prefix", 1, "prefix must be a string"),
    ("suffix", {"a": 1}, "suffix must be a string"),
    ("note", 3.5, "note must be a string"),
    ("tags", "ok", "tags must be a list of strings"),
    ("tags", [1, 2], "tags must be a list of strings"),
    ("tags", {"ok": 1}, "tags must be a list of strings"),
    ("tags", ["t"] * 500, "tags has 500 tags (limit 200)"),
    ("tags", ["t" * 5000], "tags holds a tag of 5,000 characters (limit 200)"),
    ("color", 5, "color must be a string"),
    ("color", "red", "color 'red' is not one of"),
    ("created", 5, "created must be a string"),
    ("created", "yesterday", "ISO-8601"),
    ("updated", "2024-13-45T99:00:00", "ISO-8601"),
    ("updated", ["2024"], "updated must be a string"),
    ("status", "bogus", "status 'bogus' is not a known status"),
    ("status", 1, "status must be a string"),
    ("start", "1", "start must be an integer"),
    ("start", 1.5, "start must be an integer"),
    ("start", True, "start must be an integer"),
    ("end", [3], "end must be an integer"),
    ("end", 1e400, "end must be an integer"),
]


@pytest.mark.parametrize(("field", "value", "reason"), BAD_FIELDS, ids=lambda v: repr(v)[:25])
def test_wrong_types_are_rejected_per_entry(
    field: str, value: Any, reason: str, layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    bad = valid_entry(**{"id": str(uuid.uuid4()), field: value})
    report, store = run_import(
        layout, snapshot, [{"path": "a.txt", "annotations": [bad, valid_entry()]}]
    )
    assert report.rejected == 1 and report.added == 1
    [message] = report.messages
    assert message.startswith("documents[0] (a.txt) annotation 0: ") and reason in message
    assert message.endswith("skipped")
    assert_valid_one_imported(report, store)
    assert len(store.annotations("a.txt")) == 1


@pytest.mark.parametrize(
    "document",
    [5, "a.txt", None, ["a.txt"], {"path": "a.txt", "annotations": "x"}],
    ids=repr,
)
def test_malformed_document_entries_are_rejected(
    document: Any, layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    report, store = run_import(
        layout, snapshot, [document, {"path": "a.txt", "annotations": [valid_entry()]}]
    )
    assert report.rejected == 1 and report.added == 1
    assert report.messages[0].startswith("documents[0]")
    assert_valid_one_imported(report, store)


def test_wrong_typed_document_tags_and_note_are_ignored_not_fatal(
    layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    report, store = run_import(
        layout,
        snapshot,
        [{"path": "a.txt", "tags": "oops", "note": 5, "annotations": [valid_entry()]}],
    )
    assert any("document tags/note ignored" in m for m in report.messages)
    assert_valid_one_imported(report, store)


# ------------------------------------------------------------------ huge strings and files


@pytest.mark.parametrize("field", ["note", "quote", "prefix", "suffix"])
def test_ten_megabyte_strings_are_rejected(
    field: str, layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    huge = valid_entry(id=str(uuid.uuid4()), **{field: "n" * (10 * 1024 * 1024)})
    report, store = run_import(
        layout, snapshot, [{"path": "a.txt", "annotations": [huge, valid_entry()]}]
    )
    assert report.rejected == 1
    assert f"{field} is too long (10,485,760 characters; limit 1,000,000)" in report.messages[0]
    assert_valid_one_imported(report, store)


def test_huge_document_note_is_ignored(
    layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    report, store = run_import(
        layout,
        snapshot,
        [{"path": "a.txt", "note": "n" * (10 * 1024 * 1024), "annotations": [valid_entry()]}],
    )
    assert any("note is too long" in m for m in report.messages)
    assert store.document_notes("a.txt").note == ""
    assert_valid_one_imported(report, store)


def _import_in_subprocess(file: Path, folder: Path) -> tuple[int, str, str, int]:
    code, out, err, peak = run_with_peak("import", file, folder)
    return code, out, err, peak // 1024


def test_hundred_megabyte_import_file_is_handled_with_bounded_memory(
    layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    """~100 MB of JSON (whitespace padding plus a 1.5 MB note): valid entries import.

    The importer reads up to its 200 MB limit whole, so memory grows with the
    file; the bound checked here (< 8x the file size) catches a regression to
    a quadratic or copy-happy parse. The figure is printed for the report.
    """
    file = layout["tmp"] / "big.json"
    head = json.dumps(
        {
            "format": "ipreader.annotations",
            "version": 1,
            "documents": [
                {
                    "path": "a.txt",
                    "annotations": [
                        valid_entry(),
                        valid_entry(id=str(uuid.uuid4()), note="n" * 1_500_000),
                    ],
                }
            ],
        }
    )
    padding = 100 * 1024 * 1024 - len(head)
    with file.open("wb") as out:
        # JSON allows any run of whitespace between tokens: pad after the opening brace.
        out.write(b"{" + b" " * padding + head[1:].encode())
    size = file.stat().st_size
    skip = layout["folder"] / ".ipreader"
    before = snapshot(layout["tmp"], skip)
    code, out, err, peak_kb = _import_in_subprocess(file, layout["folder"])
    file.unlink()  # 100 MB should not linger in the temp dir
    assert code == 0, err
    assert "Traceback" not in err
    assert "added 1" in out and "rejected 1" in out and "note is too long" in out
    assert snapshot(layout["tmp"], skip) == {k: v for k, v in before.items() if k != "big.json"}
    assert peak_kb * 1024 < 8 * size
    print(f"\n100 MB import: peak RSS {peak_kb / 1024:.0f} MB for a {size / 2**20:.0f} MB file")


def test_sparse_hundred_megabyte_file_is_refused_clearly(
    layout: dict[str, Path], run_cli: Callable[..., Any]
) -> None:
    """A sparse file (a JSON start, then NUL holes) is malformed JSON: refused, nothing written."""
    file = layout["tmp"] / "sparse.json"
    with file.open("wb") as out:
        out.write(b'{"format": "ipreader.annotations", "version": 1, "documents": [')
        out.truncate(100 * 1024 * 1024)
    result = run_cli("import", file, layout["folder"])
    assert result.code == 1 and result.err.startswith("ipreader: ")
    assert "malformed JSON" in result.err and "Traceback" not in result.err
    assert not (layout["folder"] / ".ipreader").exists()


def test_import_file_over_the_limit_is_refused_before_reading(
    layout: dict[str, Path], run_cli: Callable[..., Any]
) -> None:
    file = layout["tmp"] / "huge.json"
    with file.open("wb") as out:
        out.truncate(MAX_IMPORT_BYTES + 1)  # sparse: no disk used, never read
    result = run_cli("import", file, layout["folder"])
    assert result.code == 1 and "too large to import" in result.err
    assert not (layout["folder"] / ".ipreader").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 5_000 + b"]" * 5_000, "nested too deeply"),
        (b"[" * 200_000 + b"]" * 200_000, "far more entries"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"", "the file is empty"),
        (b'{"format": "other", "version": 1, "documents": []}', "not an ipreader export"),
        (b'{"format": "ipreader.annotations", "version": 99, "documents": []}', "newer"),
        (b'{"format": "ipreader.annotations", "version": "1", "documents": []}', "version"),
        (b'{"format": "ipreader.annotations", "version": 1, "documents": {}}', "must be a list"),
    ],
    ids=[
        "deep-nesting",
        "dense",
        "not-utf8",
        "empty",
        "other-format",
        "newer",
        "str-version",
        "dict",
    ],
)
def test_malformed_import_files_are_refused_whole(
    content: bytes, reason: str, layout: dict[str, Path], run_cli: Callable[..., Any]
) -> None:
    file = layout["tmp"] / "bad.json"
    file.write_bytes(content)
    with pytest.raises(ImportFileError, match=reason):
        import_file(file, layout["folder"])
    result = run_cli("import", file, layout["folder"])
    assert result.code == 1 and reason in result.err and "Traceback" not in result.err
    assert not (layout["folder"] / ".ipreader").exists()


def test_integer_with_thousands_of_digits_is_refused_clearly(
    layout: dict[str, Path], run_cli_process: Callable[..., Any]
) -> None:
    file = layout["tmp"] / "bigint.json"
    file.write_text(
        '{"format": "ipreader.annotations", "version": 1, "documents": [{"path": "a.txt", '
        '"annotations": [{"quote": "brown fox", "start": 1' + "0" * 5000 + "}]}]}",
        encoding="utf-8",
    )
    result = run_cli_process("import", file, layout["folder"])
    assert result.code == 1
    assert "Traceback" not in result.err and result.err.startswith("ipreader: ")


# ------------------------------------------------------------------ duplicates and offsets


def test_duplicate_ids_keep_the_first_and_reject_the_rest(
    layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    c_start = TEXT_C.index("unique phrase")
    in_c = {"quote": "unique phrase", "start": c_start, "end": c_start + 13}
    report, store = run_import(
        layout,
        snapshot,
        [
            {"path": "a.txt", "annotations": [valid_entry(), valid_entry(note="second")]},
            {"path": "sub/c.txt", "annotations": [{**valid_entry(), **in_c}]},
            # The same id in urn form is still the same id.
            {"path": "a.txt", "annotations": [valid_entry(id=f"urn:uuid:{VALID_ID}")]},
        ],
    )
    assert report.added == 1 and report.rejected == 3
    assert sum(f"duplicate id {VALID_ID}" in m for m in report.messages) == 3
    assert_valid_one_imported(report, store)
    assert store.annotations("sub/c.txt") == []


OFFSET_CASES: list[tuple[int | None, int | None]] = [
    (-5, 3),
    (-1, -1),
    (30, 10),  # reversed
    (10, 10),  # empty
    (10_000, 10_020),  # beyond the text
    (0, 9),  # in range but holding other text
    (None, 9),
    (5, None),
    (2**62, 2**63),
]


@pytest.mark.parametrize(("start", "end"), OFFSET_CASES, ids=str)
def test_offsets_that_do_not_hold_the_quote_are_reanchored_by_quote(
    start: int | None, end: int | None, layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    """README: offsets that do not hold the quote are re-anchored by quote, with a message."""
    moved_id = str(uuid.uuid4())
    report, store = run_import(
        layout,
        snapshot,
        [
            {
                "path": "a.txt",
                "annotations": [
                    valid_entry(id=moved_id, start=start, end=end, quote="lazy dog"),
                    valid_entry(),
                ],
            }
        ],
    )
    assert report.added == 2 and report.rejected == 0 and report.orphaned == 0
    assert any(
        "annotation 0: offsets do not hold the quote; re-anchored by quote" in m
        for m in report.messages
    )
    [moved] = [a for a in store.annotations("a.txt") if a.id == moved_id]
    assert moved.quote == "lazy dog" and TEXT_A[moved.start : moved.end] == "lazy dog"
    assert_valid_one_imported(report, store)


def test_quote_not_in_the_text_is_kept_orphaned_and_reported(
    layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    lost_id = str(uuid.uuid4())
    report, store = run_import(
        layout,
        snapshot,
        [
            {
                "path": "a.txt",
                "annotations": [
                    valid_entry(id=lost_id, start=-3, end=-9, quote="nowhere in this text"),
                    valid_entry(),
                ],
            }
        ],
    )
    assert report.orphaned == 1
    assert any("quote not found in the text; kept as orphaned" in m for m in report.messages)
    [lost] = [a for a in store.annotations("a.txt") if a.id == lost_id]
    assert lost.status == "orphaned" and lost.quote == "nowhere in this text"
    assert 0 <= lost.start <= lost.end  # never negative or reversed offsets stored
    assert_valid_one_imported(report, store)


def test_hostile_import_through_the_cli_reports_each_problem(
    layout: dict[str, Path], run_cli_process: Callable[..., Any], snapshot: Callable[..., Any]
) -> None:
    file = export_file(
        layout["tmp"],
        [
            {"path": "../outside/x.txt", "annotations": [valid_entry(id=str(uuid.uuid4()))]},
            {"path": "link.txt", "annotations": []},
            {"path": "a.txt", "annotations": [valid_entry(), valid_entry(color="\x1b[31m")]},
        ],
    )
    skip = layout["folder"] / ".ipreader"
    before = snapshot(layout["tmp"], skip)
    result = run_cli_process("import", file, layout["folder"])
    assert result.code == 0 and "Traceback" not in result.err
    assert "added 1" in result.out and "rejected 3" in result.out
    assert "escapes the folder" in result.out and "resolves outside the folder" in result.out
    assert "color '\\x1b[31m' is not one of" in result.out  # repr: the ESC is not printed raw
    assert "\x1b" not in result.out
    assert snapshot(layout["tmp"], skip) == before
