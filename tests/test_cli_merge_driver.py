"""``ipreader merge-driver``: the CLI, and a real ``git merge`` of two coders' branches."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ipreader import cli
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.sharing.conflict_log import read_conflicts
from ipreader.core.store import FolderStore

README = Path(__file__).parent.parent / "README.md"
CORPUS = Path("/work/shared/corpus/bbc/tech")
TEXT = "The quick brown fox jumps over the lazy dog. " * 4
T0 = "2025-01-01T10:00:00.000Z"


def record(note: str, revision: int = 1) -> dict[str, Any]:
    return {"note": note, "revision": revision, "updated": T0, "tags": []}


def tinydb(path: Path, tables: dict[str, Any]) -> Path:
    path.write_text(json.dumps(tables))
    return path


def run_driver(tmp_path: Path, base: str, ours: str, theirs: str, name: str) -> int:
    files = []
    for role, text in (("O", base), ("A", ours), ("B", theirs)):
        (tmp_path / role).write_text(text)
        files.append(str(tmp_path / role))
    cwd = Path.cwd()
    os.chdir(tmp_path)  # git runs the driver at the top of the work tree
    try:
        return cli.main(["merge-driver", *files, name])
    finally:
        os.chdir(cwd)


def test_driver_merges_into_ours_and_logs_the_loser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = json.dumps({"annotations": {"x": record("old")}})
    ours = json.dumps({"annotations": {"x": record("mine", 2), "m": record("m")}})
    theirs = json.dumps({"annotations": {"x": record("theirs", 3), "t": record("t")}})
    status = run_driver(tmp_path, base, ours, theirs, ".ipreader/annotations/d.json")
    assert status == 0
    merged = json.loads((tmp_path / "A").read_text())
    assert merged == {"annotations": {"x": record("theirs", 3), "m": record("m"), "t": record("t")}}
    lines = (tmp_path / "A").read_text().splitlines()
    assert [line[:4] for line in lines[1:4]] == ['"m":', '"t":', '"x":']  # a record per line
    [logged] = read_conflicts(tmp_path / ".ipreader")
    assert logged["lost"] == record("mine", 2) and logged["file"] == "annotations/d.json"
    assert "conflicts.json" in capsys.readouterr().err


def test_driver_with_no_ancestor_keeps_both_sides(tmp_path: Path) -> None:
    ours = json.dumps({"annotations": {"m": record("m")}})
    theirs = json.dumps({"annotations": {"t": record("t")}})
    assert run_driver(tmp_path, "", ours, theirs, ".ipreader/annotations/d.json") == 0
    assert set(json.loads((tmp_path / "A").read_text())["annotations"]) == {"m", "t"}
    assert read_conflicts(tmp_path / ".ipreader") == []


@pytest.mark.parametrize(
    ("ours", "theirs", "who"),
    [
        ("{not json", '{"a": {}}', "this branch's version"),
        ('{"a": {}}', "[1, 2]", "the other branch's version"),
        ('{"a": {}}', "", "the other branch's version"),
    ],
)
def test_driver_leaves_a_non_store_file_to_git(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ours: str, theirs: str, who: str
) -> None:
    status = run_driver(tmp_path, "{}", ours, theirs, ".ipreader/index.json")
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("ipreader: .ipreader/index.json: left to git as a conflict")
    assert who in err and "Traceback" not in err
    assert (tmp_path / "A").read_text() == ours  # untouched: git writes its conflict


def test_driver_keeps_our_metadata_cache(tmp_path: Path) -> None:
    cache = '{"version": 2, "entries": {}}'
    assert run_driver(tmp_path, cache, cache, '{"version": 2}', ".ipreader/cache.json") == 0
    assert (tmp_path / "A").read_text() == cache


def test_driver_knows_the_caches_by_their_owners_names() -> None:
    from ipreader.core.export.verified import VERIFIED_FILENAME
    from ipreader.core.library import CACHE_FILENAME
    from ipreader.core.sharing.layout import CACHE_FILES, METADATA_CACHE_FILE

    assert METADATA_CACHE_FILE == CACHE_FILENAME
    assert {CACHE_FILENAME, VERIFIED_FILENAME} == CACHE_FILES


def test_driver_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["merge-driver", "only-one"]) == 1
    assert "ipreader:" in capsys.readouterr().err


# ------------------------------------------------------------------ a real git merge


def readme_setup() -> tuple[list[list[str]], str]:
    """The ``git config`` commands and the ``.gitattributes`` line the README gives."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Sharing a folder through git", 1)[1].split("\n## ", 1)[0]
    configs = [
        shlex.split(line) for line in re.findall(r"^git config merge\.ipreader.*$", section, re.M)
    ]
    [attributes] = re.findall(r"^\.ipreader/\*\* merge=ipreader$", section, re.M)
    return configs, attributes


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        # The venv's bin first: the README's driver line calls plain "ipreader".
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def commit_all(repo: Path, message: str) -> None:
    assert git(repo, "add", "-A").returncode == 0
    done = git(repo, "commit", "-q", "-m", message)
    assert done.returncode == 0, done.stderr


def annotate(repo: Path, relpath: str, start: int, end: int, note: str, creator: str) -> Annotation:
    text = (repo / relpath).read_text(encoding="utf-8")
    annotation = Annotation.create(text, start, end, relpath, note=note, creator=creator)
    FolderStore.open(repo).save_annotation(annotation)
    return annotation


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "shared"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (folder / name).write_text(f"{name}: {TEXT}", encoding="utf-8")
    assert git(folder, "init", "-q", "-b", "main").returncode == 0
    configs, attributes = readme_setup()
    assert len(configs) == 2
    for command in configs:
        assert git(folder, *command[1:]).returncode == 0
    (folder / ".gitattributes").write_text(attributes + "\n")
    (folder / ".gitignore").write_text(
        ".ipreader/lock\n.ipreader/cache.json\n.ipreader/conflicts.json\n.ipreader/merged/\n"
    )
    return folder


def test_git_merge_of_two_coders_branches_keeps_everything(repo: Path) -> None:
    shared = annotate(repo, "a.txt", 7, 12, "first", "ann")
    commit_all(repo, "articles and a first highlight")

    git(repo, "checkout", "-q", "-b", "ann")
    annotate(repo, "a.txt", 13, 18, "ann on a", "ann")  # the same article
    annotate(repo, "b.txt", 7, 12, "ann on b", "ann")  # her own article
    annotate(repo, "d.txt", 7, 12, "ann on d", "ann")  # new to both branches
    store = FolderStore.open(repo)
    store.save_annotation(shared.edited(note="first, revised by ann"))
    store.set_document_notes("a.txt", DocumentNotes(("econ",), ""))
    commit_all(repo, "ann's coding")

    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "bob")
    annotate(repo, "a.txt", 20, 25, "bob on a", "bob")
    annotate(repo, "c.txt", 7, 12, "bob on c", "bob")
    annotate(repo, "d.txt", 20, 25, "bob on d", "bob")
    FolderStore.open(repo).set_document_notes("a.txt", DocumentNotes(("tech",), ""))
    commit_all(repo, "bob's coding")

    git(repo, "checkout", "-q", "ann")
    merged = git(repo, "merge", "--no-edit", "bob")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "CONFLICT" not in merged.stdout
    assert git(repo, "status", "--porcelain", "--untracked-files=no").stdout == ""

    store = FolderStore.open(repo)
    notes = {
        r: {a.note for a in store.annotations(r)} for r in ("a.txt", "b.txt", "c.txt", "d.txt")
    }
    assert notes == {
        "a.txt": {"first, revised by ann", "ann on a", "bob on a"},
        "b.txt": {"ann on b"},
        "c.txt": {"bob on c"},
        "d.txt": {"ann on d", "bob on d"},
    }
    assert set(store.document_notes("a.txt").tags) == {"econ", "tech"}

    # The command line sees both coders' highlights.
    exported = subprocess.run(
        [sys.executable, "-m", "ipreader", "export", str(repo), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for note in ("ann on a", "bob on a", "ann on b", "bob on c", "ann on d", "bob on d"):
        assert note in exported
    listed = subprocess.run(
        [sys.executable, "-m", "ipreader", "list", str(repo), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts = {row["path"]: row["highlights"] for row in json.loads(listed)}
    assert counts == {"a.txt": 3, "b.txt": 1, "c.txt": 1, "d.txt": 2}


def test_git_merges_after_a_duplicate_was_drained_keep_the_other_coders_new_work(
    repo: Path,
) -> None:
    """Both coders registered d.txt (two ids); one merges and her ipreader drains the
    other's record (the higher id) into hers; the other coder meanwhile highlights d.txt
    again in that record; merging back loses nothing and conflicts nowhere."""
    commit_all(repo, "articles")
    for coder, start in (("ann", 7), ("bob", 20)):
        git(repo, "checkout", "-q", "main")
        git(repo, "checkout", "-q", "-b", coder)
        annotate(repo, "d.txt", start, start + 5, f"{coder} on d", coder)
        commit_all(repo, coder)

    def docid(branch: str) -> str:
        index = json.loads(git(repo, "show", f"{branch}:.ipreader/index.json").stdout)
        [key] = index["documents"]
        return str(key)

    # The coder whose record is drained is the one whose id sorts last.
    drainer, drained = sorted(("ann", "bob"), key=docid)
    git(repo, "checkout", "-q", drainer)
    assert git(repo, "merge", "--no-edit", drained).returncode == 0
    FolderStore.open(repo)  # drains the other record of d.txt into the first
    commit_all(repo, "opened the merged folder")
    git(repo, "checkout", "-q", drained)
    annotate(repo, "d.txt", 30, 35, "later", drained)  # into the record being drained
    commit_all(repo, "more")
    merged = git(repo, "merge", "--no-edit", drainer)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "CONFLICT" not in merged.stdout
    notes = {a.note for a in FolderStore.open(repo).annotations("d.txt")}
    assert notes == {"ann on d", "bob on d", "later"}


def test_git_merge_of_the_same_highlight_edited_on_both_keeps_the_loser_in_the_log(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = annotate(repo, "a.txt", 7, 12, "first", "ann")
    commit_all(repo, "first")
    git(repo, "checkout", "-q", "-b", "ann")
    FolderStore.open(repo).save_annotation(shared.edited(note="ann's").edited(note="ann's again"))
    commit_all(repo, "ann twice")
    git(repo, "checkout", "-q", "main")
    FolderStore.open(repo).save_annotation(shared.edited(note="main's"))
    commit_all(repo, "main once")
    merged = git(repo, "merge", "--no-edit", "ann")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    [kept] = FolderStore.open(repo).annotations("a.txt")
    assert kept.note == "ann's again"  # revision 3 over 2
    [logged] = read_conflicts(repo / ".ipreader")
    assert logged["lost"]["note"] == "main's" and logged["source"].startswith("git merge")
    # ipreader check lists the log (for review; nothing is lost, so the status stays 0).
    capsys.readouterr()
    assert cli.main(["check", str(repo)]) == 0
    out = capsys.readouterr().out
    assert f"{repo / '.ipreader' / 'conflicts.json'}  1 version" in out


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_driver_refuses_a_version_that_is_not_a_regular_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], special: str
) -> None:
    """A FIFO waited for a writer forever, a device was read without end."""
    if special == "fifo":
        os.mkfifo(tmp_path / "fifo")
        special = str(tmp_path / "fifo")
    for role in ("O", "A"):
        (tmp_path / role).write_text("{}")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        status = cli.main(["merge-driver", "O", "A", special, ".ipreader/index.json"])
    finally:
        os.chdir(cwd)
    assert status == 1
    err = capsys.readouterr().err
    assert "left to git as a conflict: the other branch's version cannot be read" in err
    assert "not a regular file" in err
