"""``ipreader tags PATH rename|move|delete|describe|color``: changes, messages, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import textual_modules_imported
from coding_helpers import annotate

from ipreader import cli
from ipreader.core.model import DocumentNotes
from ipreader.core.store import FolderStore


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text("Alpha\n\nThe cat sat on the mat.\n")
    (root / "b.txt").write_text("Beta\n\nA dog barked at the cat.\n")
    annotate(
        root,
        [
            ("a.txt", "cat sat", ["policy/patents"], "ada"),
            ("a.txt", "mat", ["policy", "things"], "ada"),
            ("b.txt", "dog", ["Animals"], "ben"),
        ],
    )
    FolderStore.open(root).set_document_notes("b.txt", DocumentNotes(("policy",), "n"))
    return root


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def tags_of(root: Path) -> dict[str, list[tuple[str, ...]]]:
    store = FolderStore.open(root)
    return {
        relpath: [a.tags for a in stored.annotations] + [stored.notes.tags]
        for relpath, stored in sorted(store.stored_documents().items())
    }


def listing(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code, out, err = run(["tags", str(root), "--json"], capsys)
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def test_list_is_a_tree_with_counts(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = listing(folder, capsys)
    shown = [(r["tag"], r["depth"], r["highlights"], r["documents"]) for r in rows]
    assert shown == [
        ("Animals", 0, 1, 1),
        ("policy", 0, 2, 2),
        ("policy/patents", 1, 1, 1),
        ("things", 0, 1, 1),
    ]
    code, out, _ = run(["tags", str(folder)], capsys)
    assert code == 0 and "    patents" in out


def test_rename_carries_children_everywhere(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["tags", str(folder), "rename", "Policy", "law"], capsys)
    assert code == 0, err
    assert out == "Renamed policy to law: 2 highlights and 1 document changed.\n"
    assert tags_of(folder) == {
        "a.txt": [("law/patents",), ("law", "things"), ()],
        "b.txt": [("Animals",), ("law",)],
    }


def test_rename_onto_an_existing_tag_merges(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["tags", str(folder), "rename", "things", "policy", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out) == {
        "operation": "rename",
        "old": "things",
        "new": "policy",
        "merged": True,
        "highlights": 1,
        "documents": 0,
    }
    assert tags_of(folder)["a.txt"][1] == ("policy",)


def test_move_under_a_parent_and_back_to_the_top(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["tags", str(folder), "move", "animals", "things"], capsys)[0] == 0
    assert tags_of(folder)["b.txt"][0] == ("things/Animals",)
    assert run(["tags", str(folder), "move", "things/animals", "/"], capsys)[0] == 0
    assert tags_of(folder)["b.txt"][0] == ("Animals",)
    code, _, err = run(["tags", str(folder), "move", "policy", "policy/patents"], capsys)
    assert code == 1 and "cannot move 'policy' under itself" in err
    before = tags_of(folder)
    # A rename under itself was taken: policy/patents became policy/patents/sub/patents.
    code, _, err = run(["tags", str(folder), "rename", "policy", "policy/patents/sub"], capsys)
    assert code == 1 and "cannot rename 'policy' under itself" in err
    assert tags_of(folder) == before


def test_delete_removes_the_tag_and_keeps_the_highlights(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["tags", str(folder), "delete", "POLICY"], capsys)
    assert code == 0, err
    assert "2 highlights and 1 document changed" in out
    assert tags_of(folder) == {
        "a.txt": [(), ("things",), ()],
        "b.txt": [("Animals",), ()],
    }


def test_describe_and_color_meanings(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["tags", str(folder), "describe", "policy", "Public policy"], capsys)
    assert code == 0 and out == "Description of policy saved.\n"
    run(["tags", str(folder), "describe", "new/code", "Not used yet", "--color", "pink"], capsys)
    code, out, _ = run(["tags", str(folder), "color", "yellow", "claim", "--json"], capsys)
    assert code == 0 and json.loads(out)["yellow"] == "claim"
    rows = {r["tag"]: r for r in listing(folder, capsys)}
    assert rows["policy"]["description"] == "Public policy"
    assert rows["new/code"]["color"] == "pink" and rows["new/code"]["highlights"] == 0
    code, out, _ = run(["tags", str(folder)], capsys)
    assert "Public policy" in out and out.endswith("Colours: yellow = claim\n")
    code, out, _ = run(["tags", str(folder), "color", "yellow", ""], capsys)
    assert code == 0 and out.startswith("yellow  -\n")
    code, out, _ = run(["tags", str(folder), "describe", "policy"], capsys)
    assert out == "Description of policy cleared.\n"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["rename", "nosuch", "x"], "has no tag 'nosuch'"),
        (["delete", "polcy"], "did you mean policy?"),
        (["rename", "policy", "a,b"], "cannot hold a comma"),
        (["rename", "policy", " / "], "cannot be empty"),
        (["rename", "policy", "policy"], "already named so"),
        (["describe", "x", "y", "--color", "red"], "invalid choice: 'red'"),
        (["color", "yellow"], "give a meaning for yellow"),
        (["color", "green", "blue"], "colour's name"),
    ],
)
def test_user_errors_exit_1_and_change_nothing(
    argv: list[str], said: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tags_of(folder)
    code, _, err = run(["tags", str(folder), *argv], capsys)
    assert code == 1 and said in err and "Traceback" not in err
    assert tags_of(folder) == before


def test_folder_first_and_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["tags", "rename", "a", "b"], capsys)
    assert code == 1 and "the folder comes first" in err
    code, _, err = run(["tags", str(tmp_path / "nope"), "delete", "a"], capsys)
    assert code == 1 and "no such file or folder" in err


def test_help_and_no_textual(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["tags", "--help"], capsys)
    assert code == 0 and "rename OLD NEW" in out and "color [COLOR [MEANING]]" in out
    argv = ["tags", str(folder), "rename", "things", "stuff"]
    assert textual_modules_imported(argv, tmp_path / "data") == []


def test_exports_carry_colour_meanings(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent.parent / "docs" / "export-schema.json").read_text())
    run(["tags", str(folder), "color", "yellow", "Claim #1"], capsys)
    code, out, err = run(["export", str(folder)], capsys)
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, schema)
    annotations = [a for d in data["documents"] for a in d["annotations"]]
    assert annotations and all(a["color"] == "yellow" for a in annotations)
    assert {a.get("meaning") for a in annotations} == {"Claim #1"}
    code, out, _ = run(["export", str(folder), "--format", "markdown"], capsys)
    assert code == 0 and "</a>Claim #1 · yellow\n" in out
    run(["tags", str(folder), "color", "yellow", ""], capsys)
    code, out, _ = run(["export", str(folder)], capsys)
    assert all("meaning" not in a for d in json.loads(out)["documents"] for a in d["annotations"])


@pytest.mark.parametrize(
    ("verb", "reads_highlights"),
    [([], True), (["rename", "things", "stuff"], True), (["describe", "policy", "d"], False)],
)
def test_a_damaged_store_file_is_named_not_passed_over(
    folder: Path, capsys: pytest.CaptureFixture[str], verb: list[str], reads_highlights: bool
) -> None:
    """A damaged annotation file (set aside) or codebook was left out without a word."""
    store = FolderStore.open(folder)
    [b_file] = [
        p for p in (store.location / "annotations").glob("*.json") if "dog" in p.read_text()
    ]
    b_file.write_text("garbage")
    (store.location / "codebook.json").write_text("garbage")
    code, _out, err = run(["tags", str(folder), *verb], capsys)
    assert code == 0, err
    assert f"{store.location / 'codebook.json'} could not be read" in err, err
    # Only what the command reads is named (describe reads the codebook alone).
    assert (f"{b_file} could not be read" in err) == reads_highlights, err
