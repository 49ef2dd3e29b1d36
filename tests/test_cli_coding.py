"""``ipreader report`` and ``ipreader agreement``: outputs, filters, errors, and no Textual."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path

import pytest
from cli_helpers import textual_modules_imported
from coding_helpers import annotate

from ipreader import cli
from ipreader.core.csv_text import BOM


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "news").mkdir(parents=True)
    (root / "news" / "a.txt").write_text("Alpha\n\nThe cat sat on the mat.\n")
    (root / "b.txt").write_text("Beta\n\n=SUM(A1) said the cat.\n")
    annotate(
        root,
        [
            ("news/a.txt", "cat sat", ["animals/cats"], "ada"),
            ("news/a.txt", "cat sat on", ["animals"], "ben"),
            ("news/a.txt", "mat", ["things"], "ada"),
            ("b.txt", "=SUM(A1)", ["things"], "ben"),
            ("b.txt", "cat", ["animals"], "ada"),
        ],
    )
    return root


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["report", "--help"], capsys)
    assert code == 0 and "usage: ipreader report" in out and "cooccurrence" in out
    code, out, _ = run(["agreement", "--help"], capsys)
    assert code == 0 and "Cohen's kappa" in out and "Character level" in out
    code, out, _ = run(["--help"], capsys)
    assert "ipreader agreement PATH --coders A B" in out


def test_report_formats_and_filters(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["report", str(folder)], capsys)
    assert code == 0, err
    assert "animals: 3 highlights in 2 documents" in out
    assert "animals/cats: 1 highlight in 1 document" in out

    target = tmp_path / "codes.csv"
    code, out, err = run(
        ["report", str(folder), "--format", "csv", "-o", str(target), "--tag", "THINGS"], capsys
    )
    assert code == 0 and out == "" and f"written to {target}" in err
    text = target.read_bytes().decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
    assert [(r["document"], r["quote"]) for r in rows] == [
        ("b.txt", "'=SUM(A1)"),
        ("news/a.txt", "mat"),
    ]

    code, out, _ = run(
        ["report", str(folder), "--format", "json", "--creator", "ADA", "--document", "news/*"],
        capsys,
    )
    data = json.loads(out)
    assert data["filters"]["creator"] == "ADA" and data["filters"]["document"] == "news/*"
    quotes = [e["quote"] for g in data["groups"] for d in g["documents"] for e in d["entries"]]
    # ada's tags only: animals/cats and things (ben's "animals" is not in the selection).
    assert [g["label"] for g in data["groups"]] == ["animals/cats", "things"]
    assert sorted(quotes) == ["cat sat", "mat"]

    code, out, _ = run(["report", str(folder), "--since", "2999-01-01", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["groups"] == []

    code, out, _ = run(
        ["report", str(folder), "--tag", "animals", "--tag", "things", "--match", "all"], capsys
    )
    assert "animals AND things: 0 highlights carrying every tag and 0 passages" in out

    code, out, _ = run(["report", str(folder), "--kind", "matrix", "--format", "markdown"], capsys)
    assert "| news/a.txt | 2 | 1 | 1 | 3 |" in out
    code, out, _ = run(["report", str(folder), "--kind", "cooccurrence", "--format", "csv"], capsys)
    assert "animals,things,0,0,2" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--color", "mauve"], "unknown colour 'mauve'"),
        (["--since", "last week"], "not a date or time: 'last week'"),
        (["--kind", "matrix", "--match", "all"], "--match all applies to the code report"),
        (["--kind", "pie"], "argument --kind: invalid choice: 'pie'"),
    ],
)
def test_report_user_errors(
    folder: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["report", str(folder), *argv], capsys)
    assert code == 1 and out == ""
    assert f"ipreader: {message}" in err and "Traceback" not in err


def test_report_on_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["report", str(tmp_path / "nowhere")], capsys)
    assert code == 1 and err.startswith("ipreader: ")


def test_agreement(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["agreement", str(folder), "--coders", "ada", "Ben"], capsys)
    assert code == 0, err
    assert "Agreement of ada and Ben: 2 documents coded by both" in out
    code, out, _ = run(
        ["agreement", str(folder), "--coders", "ada", "ben", "--tag", "animals", "--json"], capsys
    )
    data = json.loads(out)
    [animals] = data["tags"]
    # news/a.txt: ada "cat sat" (7) inside ben's "cat sat on" (10); b.txt: ada "cat", ben none.
    assert (animals["both"], animals["first_only"], animals["second_only"]) == (7, 3, 3)
    assert [(d["path"], d["coded_by"], d["quote"]) for d in data["disagreements"]] == [
        ("b.txt", "ada", "cat"),
        ("news/a.txt", "ben", "on"),
    ]


@pytest.mark.parametrize(
    ("coders", "message"),
    [
        (["ada", "zed"], "no highlights by 'zed'; creators found: 'ada', 'ben'"),
        (["ada", " ADA "], "--coders needs two different names"),
    ],
)
def test_agreement_user_errors(
    folder: Path, coders: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["agreement", str(folder), "--coders", *coders], capsys)
    assert code == 1 and f"ipreader: {message}" in err


@pytest.mark.parametrize(
    "argv",
    [["report", "--kind", "cooccurrence"], ["agreement", "--coders", "ada", "ben", "--json"]],
)
def test_coding_commands_never_import_textual(
    folder: Path, tmp_path: Path, argv: list[str]
) -> None:
    command = [argv[0], str(folder), *argv[1:]]
    assert textual_modules_imported(command, tmp_path / "data") == []


def test_several_folders_name_each_document_with_its_root(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text("Gamma\n\nA cat again.\n")
    annotate(other, [("b.txt", "cat", ["animals"], "ada")])
    code, out, _ = run(["report", str(folder), str(other), "--format", "json"], capsys)
    assert code == 0
    animals = json.loads(out)["groups"][0]
    assert [(d["root"], d["path"]) for d in animals["documents"]] == [
        (str(folder), "b.txt"),
        (str(folder), "news/a.txt"),
        (str(other), "b.txt"),
    ]
    code, out, _ = run(["report", str(folder), str(other), "--kind", "matrix"], capsys)
    assert f"{other}/b.txt" in out and f"{folder}/b.txt" in out
    code, out, _ = run(
        ["agreement", str(folder), str(other), "--coders", "ada", "ben", "--json"], capsys
    )
    assert [d["root"] for d in json.loads(out)["documents"]] == [str(folder)] * 2


def test_the_collector_is_back_after_a_command(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert gc.isenabled()
    assert run(["report", str(folder), "--kind", "matrix"], capsys)[0] == 0
    assert gc.isenabled()
    assert run(["agreement", str(folder), "--coders", "ada", "nobody"], capsys)[0] == 1
    assert gc.isenabled()
    assert run(["list", str(folder)], capsys)[0] == 0
    assert gc.isenabled()


@pytest.mark.parametrize("command", [["report"], ["agreement", "--coders", "ada", "ben"]])
def test_highlights_with_no_text_to_code_are_said_to_be_left_out(
    folder: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """A missing and an unreadable article's highlights were left out without a word,
    while tags, list and export still counted them."""
    (folder / "news" / "a.txt").unlink()  # 3 highlights, now in a missing article
    (folder / "b.txt").write_bytes(b"\x00\x01 binary now")  # 2 highlights, unreadable
    code, _out, err = run([command[0], str(folder), *command[1:]], capsys)
    assert (
        "ipreader: left out: 3 highlights in 1 missing article and 2 highlights in 1 "
        "unreadable article (no text to place them in; `ipreader check` lists them)"
    ) in err, err
    code, _out, err = run(["report", str(folder), "--color", "blue"], capsys)
    assert code == 0 and "left out" not in err  # none of them is blue: nothing left out


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("tag", ["", "  "])
def test_an_empty_tag_filter_is_refused_not_ignored(
    folder: Path, capsys: pytest.CaptureFixture[str], command: str, tag: str
) -> None:
    """``--tag ''`` kept everything, as if no filter had been given, and exited 0."""
    code, out, err = run([command, str(folder), "--tag", tag], capsys)
    assert code == 1 and out == ""
    assert "ipreader: argument --tag: a tag cannot be empty" in err
