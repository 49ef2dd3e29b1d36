"""check, relink, list and export when articles drift: edited, renamed, moved out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from ipreader import cli
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore

FIXTURES = Path(__file__).parent / "fixtures" / "bbc"
SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "export-schema.json").read_text())
ARTICLES = sorted(FIXTURES.rglob("*.txt"))[:3]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three BBC articles, two highlights each; the first has document notes."""
    root = tmp_path / "articles"
    root.mkdir()
    for path in ARTICLES:
        shutil.copy(path, root / path.name)
    library = Library.open([root])
    for info in library.documents():
        text, _ = library.load(info)
        store = library.store_for(info)
        for offset in (300, 700):
            start = text.index(" ", offset) + 1
            store.save_annotation(Annotation.create(text, start, start + 40, info.relpath))
    first = ARTICLES[0].name
    FolderStore.open(root).set_document_notes(first, DocumentNotes(("kept",), "doc note"))
    return root


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def quotes(root: Path, relpath: str) -> list[str]:
    return [a.quote for a in FolderStore.open(root).annotations(relpath)]


def test_check_of_an_untouched_folder_exits_0(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", str(folder)], capsys)
    assert code == 0
    assert "3 annotated documents, 6 highlights: 6 exact" in out
    assert "OK: every highlight is placed." in out


def test_check_reports_drift_and_exits_2_on_a_lost_highlight(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = ARTICLES[1].name
    lost = quotes(folder, name)[0]
    text = (folder / name).read_text(encoding="utf-8")
    (folder / name).write_text("A new first line.\n" + text.replace(lost, ""), encoding="utf-8")
    code, out, _ = run(["check", str(folder)], capsys)
    assert code == 2
    assert "1 moved" in out and "1 not found" in out
    assert f"{name}  not found  “{lost[:20]}" in out
    code, out, _ = run(["check", "--json", str(folder)], capsys)
    data = json.loads(out)
    assert code == 2 and data["status"] == 2
    assert data["totals"] == {
        "anchored": 4, "moved": 1, "fuzzy": 0, "orphaned": 1, "missing": 0
    }  # fmt: skip
    (issue,) = data["highlights"]
    assert (issue["path"], issue["status"], issue["quote"]) == (name, "orphaned", lost)


def test_check_lists_missing_articles_with_suggestions(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone, copied = ARTICLES[2].name, ARTICLES[2].name
    (folder / gone).rename(folder / "copy-1.txt")
    shutil.copy(folder / "copy-1.txt", folder / "copy-2.txt")  # two candidates: not certain
    code, out, _ = run(["check", str(folder)], capsys)
    assert code == 2
    assert f"{copied}  2 highlights; maybe: copy-1.txt (same content)" in out
    assert "Needs review: 1 article missing (exit status 2)." in out
    code, out, _ = run(["check", "--json", str(folder)], capsys)
    (missing,) = json.loads(out)["missing"]
    assert missing["path"] == gone and missing["highlights"] == 2
    assert [s["path"] for s in missing["suggestions"]] == ["copy-1.txt", "copy-2.txt"]


def test_check_names_an_unreadable_article_and_its_highlights(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An annotated article made binary: its highlights are kept but cannot be checked.

    (check skipped it: "OK: every highlight is placed", exit 0, its highlights uncounted.)
    """
    name = ARTICLES[1].name
    (folder / name).write_bytes(b"no longer text\x00\x00\x01\x02" * 10)
    code, out, _ = run(["check", str(folder)], capsys)
    assert code == 2
    assert f"  {name}  2 highlights; binary file" in out
    assert "Needs review: 1 article unreadable (exit status 2)." in out
    code, out, _ = run(["check", "--json", str(folder)], capsys)
    data = json.loads(out)
    assert data["status"] == 2
    (unreadable,) = data["unreadable"]
    assert (unreadable["path"], unreadable["highlights"]) == (name, 2)
    assert len(quotes(folder, name)) == 2  # kept in the store all along


def test_check_names_a_damaged_store_file_now_and_on_every_later_check(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged annotation file is set aside: check said "OK" then, and every time after."""
    store = FolderStore.open(folder)
    name = ARTICLES[1].name
    quote = quotes(folder, name)[0]
    [damaged] = [
        p for p in (store.location / "annotations").glob("*.json") if quote in p.read_text()
    ]
    damaged.write_text("garbage")
    for _ in range(2):  # set aside by the first check; still there for the second
        code, out, _ = run(["check", str(folder)], capsys)
        assert code == 2, out
        [aside] = [p for p in damaged.parent.iterdir() if p.name.startswith(damaged.name)]
        assert f"  {aside}" in out
        assert "Needs review: 1 store file set aside as damaged (exit status 2)." in out
    code, out, _ = run(["check", "--json", str(folder)], capsys)
    assert json.loads(out)["set_aside"] == [str(aside)] and code == 2


def test_relink_gives_the_annotations_to_the_new_file(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = ARTICLES[0].name
    before = quotes(folder, gone)
    (folder / gone).rename(folder / "copy-1.txt")
    shutil.copy(folder / "copy-1.txt", folder / "copy-2.txt")
    monkeypatch.chdir(folder.parent)  # NEW given from here, OLD relative to the folder
    code, _, err = run(["relink", str(folder), gone, "articles/copy-2.txt"], capsys)
    assert code == 0, err
    assert f"relinked {gone} to copy-2.txt" in err
    assert quotes(folder, "copy-2.txt") == before
    assert FolderStore.open(folder).document_notes("copy-2.txt").note == "doc note"
    code, _, _ = run(["check", str(folder)], capsys)
    assert code == 0


def test_relink_refuses_what_is_not_missing(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["relink", str(folder), ARTICLES[0].name, ARTICLES[1].name], capsys)
    assert code == 1 and "is not a missing article" in err
    (folder / ARTICLES[0].name).unlink()
    code, _, err = run(["relink", str(folder), ARTICLES[0].name, ARTICLES[1].name], capsys)
    assert code == 1 and "already has its own annotations" in err
    assert quotes(folder, ARTICLES[1].name)  # untouched


def test_list_counts_highlights_not_exact_and_shows_missing_articles(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = ARTICLES[1].name
    text = (folder / edited).read_text(encoding="utf-8")
    (folder / edited).write_text("Inserted. " + text, encoding="utf-8")
    (folder / ARTICLES[2].name).unlink()
    code, out, _ = run(["list", "--json", str(folder)], capsys)
    rows = {row["path"]: row for row in json.loads(out)}
    assert code == 0
    assert rows[edited]["not_exact"] == 2 and rows[edited]["statuses"]["moved"] == 2
    assert rows[ARTICLES[0].name]["not_exact"] == 0
    missing = rows[ARTICLES[2].name]
    assert missing["missing"] is True and missing["highlights"] == 2
    assert missing["statuses"]["missing"] == 2
    code, out, _ = run(["list", str(folder)], capsys)
    assert "2 highlights (2 not exact)" in out
    row = next(line for line in out.splitlines() if line.startswith(ARTICLES[2].name))
    assert "[missing: moved or deleted]" in row and row.endswith("2 highlights kept")


def test_export_includes_a_missing_articles_annotations(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = ARTICLES[0].name
    before = quotes(folder, gone)
    (folder / gone).unlink()
    code, out, _ = run(["export", str(folder)], capsys)
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    entry = next(d for d in data["documents"] if d["path"] == gone)
    assert entry["missing"] is True and entry["note"] == "doc note"
    assert [a["quote"] for a in entry["annotations"]] == before
    assert {a["status"] for a in entry["annotations"]} == {"missing"}
    _, out, _ = run(["export", "--format", "markdown", str(folder)], capsys)
    assert "Highlight · yellow · missing" in out
