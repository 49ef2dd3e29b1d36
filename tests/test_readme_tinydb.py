"""Stock TinyDB reads what the store wrote: the README's lines, run exactly as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = "The quick brown fox jumps over the lazy dog. " * 4


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


def readme_tinydb_lines() -> str:
    """The Python block of README's "Where data is stored" section."""
    section = README.read_text().split("## Where data is stored", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return code


def test_the_readme_lines_query_a_store_with_stock_tinydb(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT)
    (root / "b.txt").write_text(TEXT)
    store = FolderStore.open(root)
    tagged = Annotation.create(TEXT, 4, 9, "a.txt", tags=["policy", "x"], note="caf\u00e9")
    other = Annotation.create(TEXT, 10, 15, "a.txt", tags=["other"])
    elsewhere = Annotation.create(TEXT, 16, 19, "b.txt", tags=["policy"])
    # b.txt holds enough highlights to be split into bucket files: read those too.
    many = [Annotation.create(TEXT, n % 30, n % 30 + 5, "b.txt", tags=["many"]) for n in range(300)]
    store.save_annotations([tagged, other, elsewhere, *many])
    assert list((store.location / "annotations").glob("*/*-of-*.json"))
    before = {p: p.read_bytes() for p in store.location.rglob("*.json")}
    done = subprocess.run(
        # -I: the checkout is not on sys.path; the lines run on the installed stock TinyDB.
        [sys.executable, "-I", "-c", readme_tinydb_lines()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert tagged.id in done.stdout and elsewhere.id in done.stdout
    assert other.id not in done.stdout and "café" in done.stdout
    assert many[0].id not in done.stdout
    assert {p: p.read_bytes() for p in store.location.rglob("*.json")} == before
