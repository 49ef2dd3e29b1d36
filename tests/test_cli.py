"""The command line: dispatch, exit codes, messages on stderr, outputs, and no Textual import."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import textual_modules_imported
from rich.cells import cell_len

from ipreader import __version__, cli
from ipreader.core import paths
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text("Alpha\n\n2024-02-03\n\nThe cat sat on the mat.\n")
    (root / "b.txt").write_text("Beta\n\nplain words here\n")
    (root / "bin.txt").write_bytes(b"\x00\x01 binary \x00")
    library = Library.open([root])
    info = library.documents()[0]
    text, _ = library.load(info)
    store = library.store_for(info)
    for quote, tags in (("cat", ["Pets"]), ("mat", ["pets", "floor"])):
        start = text.index(quote)
        store.save_annotation(Annotation.create(text, start, start + 3, "a.txt", tags=tags))
    store.set_document_notes("a.txt", DocumentNotes(tags=("doc",), note="n"))
    return root


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"ipreader {__version__}"
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "ipreader ./export" in out and "ipreader import FILE PATH" in out
    for command in cli.COMMANDS:
        code, out, _ = run([command, "--help"], capsys)
        assert code == 0 and f"usage: ipreader {command}" in out


def test_export_json_to_stdout_and_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["export", str(folder)], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["format"] == "ipreader.annotations"
    assert [d["path"] for d in data["documents"]] == ["a.txt"]
    target = folder.parent / "out.json"
    code, out, err = run(["export", str(folder), "-o", str(target), "--tag", "FLOOR"], capsys)
    assert code == 0 and out == ""
    written = json.loads(target.read_text(encoding="utf-8"))
    assert [a["quote"] for a in written["documents"][0]["annotations"]] == ["mat"]
    code, out, _ = run(["export", str(folder), "--format", "w3c", "--document", "b*"], capsys)
    assert code == 0 and json.loads(out)["total"] == 0
    code, out, _ = run(["export", str(folder), "--format", "markdown"], capsys)
    assert code == 0 and out.startswith("# ipreader annotations") and "> cat" in out


def test_tags_and_list(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["tags", str(folder), "--json"], capsys)
    assert code == 0
    counts = {row["tag"].casefold(): row["count"] for row in json.loads(out)}
    assert counts == {"pets": 2, "floor": 1, "doc": 1}
    code, out, _ = run(["tags", str(folder)], capsys)
    assert code == 0 and out.splitlines()[0].split()[:3] == ["Highlights", "Documents", "Tag"]
    assert [line.split() for line in out.splitlines()[2:]] == [
        ["0", "1", "doc"],
        ["1", "1", "floor"],
        ["2", "1", "Pets"],
    ]

    code, out, _ = run(["list", str(folder), "--json"], capsys)
    rows = {row["path"]: row for row in json.loads(out)}
    assert rows["a.txt"]["title"] == "Alpha" and rows["a.txt"]["date"] == "2024-02-03"
    assert rows["a.txt"]["highlights"] == 2 and rows["a.txt"]["tags"] == ["doc"]
    assert rows["bin.txt"]["error"] and rows["bin.txt"]["title"] is None
    code, out, _ = run(["list", str(folder)], capsys)
    assert code == 0
    header, *lines = out.splitlines()
    assert cells(header) == ["Document", "Title", "Date", "Highlights", "Tags"]
    assert [cells(line) for line in lines] == [
        ["a.txt", "Alpha", "2024-02-03", "2 highlights", "doc"],
        ["b.txt", "Beta", "-", "0 highlights"],
        ["bin.txt", "[unreadable: binary file]"],
    ]
    # Aligned: every cell starts in its header's column; no colour, no trailing spaces.
    for line in lines[:2]:
        for name, cell in zip(cells(header), cells(line), strict=False):
            assert line.index(cell) == header.index(name)
    assert "\x1b" not in out and all(line == line.rstrip() for line in lines)


def cells(line: str) -> list[str]:
    """The cells of a row of a plain-text table (columns are two or more spaces apart)."""
    return re.split(" {2,}", line.strip())


def test_list_counts_are_pluralised_and_sources_shown(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "c.txt").write_text("Gamma\n\nBy Jane Doe\n\nThe dog sat on the log.\n")
    library = Library.open([folder])
    info = next(i for i in library.documents() if i.relpath == "b.txt")
    text, _ = library.load(info)
    library.store_for(info).save_annotation(Annotation.create(text, 0, 4, "b.txt"))
    code, out, _ = run(["list", str(folder)], capsys)
    assert code == 0
    rows = {cells(line)[0]: cells(line) for line in out.splitlines()}
    assert rows["Document"] == ["Document", "Title", "Date", "Source", "Highlights", "Tags"]
    assert rows["b.txt"] == ["b.txt", "Beta", "-", "-", "1 highlight"]
    assert rows["c.txt"] == ["c.txt", "Gamma", "-", "Jane Doe", "0 highlights"]
    code, out, _ = run(["list", str(folder), "--json"], capsys)
    assert "source" not in json.loads(out)[0]  # the JSON rows are unchanged


def test_list_columns_are_aligned_in_terminal_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cjk"
    root.mkdir()
    (root / "a.txt").write_text("漢字の記事\n\n2022年5月6日\n\n東京は日本の首都です。\n")
    (root / "b.txt").write_text("Plain\n\n2022-05-07\n\nbody\n")
    code, out, _ = run(["list", str(root)], capsys)
    assert code == 0
    header, *rows = out.splitlines()
    # The date column starts at the same cell on every row (each ideograph is two cells).
    column = cell_len(header[: header.index("Date")])
    assert [cell_len(row[: row.index("2022-05-0")]) for row in rows] == [column, column]


def test_list_on_a_terminal_fits_its_width(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "long.txt").write_text("A rather long title " * 8 + "\n\nBody.\n")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "72")
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run(["list", str(folder)], capsys)
    assert code == 0
    plain = re.sub("\x1b\\[[0-9;]*m", "", out)
    assert plain != out  # the header is styled on a terminal
    lines = plain.splitlines()
    assert max(map(len, lines)) <= 72
    long_row = next(line for line in lines if line.startswith("long.txt"))
    assert "A rather long title A rather" in long_row and "…" in long_row


def test_import_reports(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "e.json"
    assert run(["export", str(folder), "-o", str(export)], capsys)[0] == 0
    data = json.loads(export.read_text())
    data["documents"].append({"path": "../escape.txt", "annotations": []})
    export.write_text(json.dumps(data))
    code, out, _ = run(["import", str(export), str(folder)], capsys)
    assert code == 0
    assert "added 0, updated 0, unchanged 2, rejected 1" in out
    assert "escapes the folder" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "/no/such/folder"],
        ["export", "/no/such/folder"],
        ["/no/such/folder"],
        ["export", "{folder}", "--format", "xml"],
        ["import", "{bad}", "{folder}"],
        ["import", "{folder}/missing.json", "{folder}"],
        ["export", "{folder}", "-o", "{folder}/no/such/dir/out.json"],
        ["export"],
        ["tags", "{folder}", "--bogus"],
    ],
    ids=["list", "export", "open", "format", "malformed", "missing", "unwritable", "noarg", "flag"],
)
def test_user_errors_exit_1_without_traceback(
    argv: list[str], folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    argv = [a.format(folder=folder, bad=bad) for a in argv]
    code, _, err = run(argv, capsys)
    assert code == 1
    assert "ipreader: " in err and "Traceback" not in err


def test_bad_input_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ipreader.annotations", "version": 9, "documents": []}')
    result = subprocess.run(
        [sys.executable, "-m", "ipreader", "import", str(bad), str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, paths.DATA_DIR_ENV: str(tmp_path / "data")},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("ipreader: ") and "newer ipreader" in result.stderr
    assert "Traceback" not in result.stderr


def test_dispatch_opens_paths_and_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[list[Path]] = []
    lines: list[int | None] = []

    class FakeApp:
        return_code = 0  # what a real app's run() leaves when it ends cleanly
        hung_up = None  # ... with its terminal still there

        def __init__(self, paths: list[Path], line: int | None = None) -> None:
            opened.append(list(paths))
            lines.append(line)

        def run(self) -> None:
            pass

    fake = types.ModuleType("ipreader.tui.app")
    fake.IpreaderApp = FakeApp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ipreader.tui.app", fake)
    (tmp_path / "export").mkdir()
    monkeypatch.chdir(tmp_path)
    assert run([], capsys)[0] == 0
    assert run(["./export"], capsys)[0] == 0
    assert run(["--", "export"], capsys)[0] == 0
    assert opened == [[paths.seeds_dir()], [Path("./export")], [Path("export")]]
    (tmp_path / "a.txt").write_text("one\ntwo\n", encoding="utf-8")
    assert run(["a.txt:2"], capsys)[0] == 0
    assert run(["a.txt", "--line", "3"], capsys)[0] == 0
    assert opened[-2:] == [[Path("a.txt")], [Path("a.txt")]] and lines[-2:] == [2, 3]
    code, _out, err = run(["a.txt", "--line", "0"], capsys)
    assert code == 1 and "--line" in err
    # A bare command name is the command, even when a folder has that name.
    code, _, err = run(["export"], capsys)
    assert code == 1 and "required" in err


def test_interrupt_and_notices(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_open = Library.open

    def noisy(paths_: Any, progress: Any = None) -> Library:
        library = real_open(paths_, progress)
        library.notices.add("corrupt index.json moved aside")
        return library

    monkeypatch.setattr(Library, "open", noisy)
    code, out, err = run(["list", str(folder), "--json"], capsys)
    assert code == 0 and "ipreader: corrupt index.json moved aside" in err
    json.loads(out)  # notices never pollute stdout

    def interrupted(args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_list", interrupted)
    assert run(["list", str(folder)], capsys)[0] == 130


@pytest.mark.parametrize("command", ["list", "tags", "export", "import"])
def test_read_only_commands_never_import_textual(
    command: str, folder: Path, tmp_path: Path
) -> None:
    export = tmp_path / "e.json"
    export.write_text('{"format": "ipreader.annotations", "version": 1, "documents": []}')
    argv = [command, str(export), str(folder)] if command == "import" else [command, str(folder)]
    assert textual_modules_imported(argv, tmp_path / "data") == []


# ------------------------------------------------------------------ terminal safety

#: What a terminal acts on: C0 (newline aside), DEL, C1, BiDi controls and lone surrogates.
UNSAFE = frozenset(
    [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x0A]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)]
    + [chr(c) for c in range(0xD800, 0xE000)]
)
HOSTILE_TITLE = "Evil \x1b[2J\x9b1m \u202eexe\u202c\x7f"
HOSTILE_NAME = "n\x1b]0;t\x07\u2066.txt"
HOSTILE_TAG = "\x1b[31mred"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A folder whose only article has controls in its name, title and tag."""
    root = tmp_path / "hostile"
    root.mkdir()
    (root / HOSTILE_NAME).write_text(f"{HOSTILE_TITLE}\n\nThe cat sat.\n", encoding="utf-8")
    library = Library.open([root])
    [info] = library.documents()
    library.store_for(info).set_document_notes(
        info.relpath, DocumentNotes(tags=(HOSTILE_TAG,), note="n")
    )
    return root


def test_human_output_shows_controls_as_placeholders(
    hostile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["list", str(hostile)], capsys)
    assert code == 0, err
    assert not set(out) & UNSAFE
    _, row = out.splitlines()
    shown = ["n␛]0;t␇\ufffd.txt", "Evil ␛[2J\ufffd1m \ufffdexe\ufffd␡", "-", "0 highlights"]
    assert cells(row) == [*shown, "␛[31mred"]
    code, out, err = run(["tags", str(hostile)], capsys)
    assert code == 0, err
    assert out.splitlines()[2].split() == ["0", "1", "␛[31mred"]


@pytest.mark.parametrize("argv", [["list", "--json"], ["tags", "--json"], ["export"]])
def test_json_output_escapes_controls_and_decodes_to_the_same_text(
    argv: list[str], hostile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([argv[0], str(hostile), *argv[1:]], capsys)
    assert code == 0, err
    assert not set(out) & UNSAFE
    data = json.loads(out)
    if argv[0] == "tags":
        assert [(row["tag"], row["count"]) for row in data] == [(HOSTILE_TAG, 1)]
        return
    [row] = data if argv[0] == "list" else data["documents"]
    assert (row["path"], row["title"], row["tags"]) == (HOSTILE_NAME, HOSTILE_TITLE, [HOSTILE_TAG])
    assert "\\u009b" in out and "\\u202e" in out and "\\u007f" in out and "\\u2066" in out


def test_a_file_name_that_is_not_utf8_is_listed_annotated_and_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "odd"
    root.mkdir()
    with open(os.fsencode(root) + b"/bad\xff.txt", "wb") as handle:
        handle.write(b"Bad name\n\nbody words\n")
    [info] = Library.open([root]).documents()
    assert info.relpath == "bad\udcff.txt"  # surrogate-escaped: cannot be encoded as UTF-8

    code, out, err = run(["list", str(root)], capsys)
    assert code == 0, err
    assert cells(out.splitlines()[1])[:2] == ["bad\ufffd.txt", "Bad name"]
    code, out, err = run(["list", str(root), "--json"], capsys)
    assert code == 0, err
    assert "bad\\udcff.txt" in out
    assert [row["path"] for row in json.loads(out)] == ["bad\udcff.txt"]  # the same name back

    # Annotating and exporting it work too (the database stores the name as a JSON escape).
    library = Library.open([root])
    text, _ = library.load(info)
    start = text.index("body")
    library.store_for(info).save_annotation(
        Annotation.create(text, start, start + 4, info.relpath, note="n")
    )
    code, out, err = run(["export", str(root)], capsys)
    assert code == 0, err
    assert not set(out) & UNSAFE
    [document] = json.loads(out)["documents"]
    assert document["path"] == "bad\udcff.txt"
    [exported] = document["annotations"]
    assert (exported["quote"], exported["note"]) == ("body", "n")
    assert Library.open([root]).collections[0].store.notices.all() == []


def test_error_messages_show_controls_as_placeholders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["list", str(tmp_path / "no\x1b[2Jsuch\u202e")], capsys)
    assert code == 1
    assert err.startswith("ipreader: ") and "no␛[2Jsuch\ufffd" in err
    assert not set(err) & UNSAFE


def test_file_colon_line_names_a_line_only_when_the_file_exists(tmp_path: Path) -> None:
    from ipreader.cli import split_line_suffix

    article = tmp_path / "a.txt"
    article.write_text("x\n", encoding="utf-8")
    assert split_line_suffix(Path(f"{article}:12")) == (article, 12)
    assert split_line_suffix(article) == (article, None)
    odd = tmp_path / "b:3"
    odd.write_text("y\n", encoding="utf-8")
    assert split_line_suffix(odd) == (odd, None)  # an existing name is never split
    assert split_line_suffix(tmp_path / "missing.txt:4") == (tmp_path / "missing.txt:4", None)
