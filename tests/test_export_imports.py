"""An export imports only its own format's renderer (issue 14: ``ipreader export`` start-up).

REFI-QDA needs ``xml.etree`` and ``zipfile``, CSV the ``csv`` module: ~30 ms
of every export before they were imported on first use.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ipreader.core import export

_CHILD = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from ipreader.core.export import export_bytes\n"
    "from ipreader.core.library import Library\n"
    "data = export_bytes(Library.open([Path(sys.argv[1])]), sys.argv[2])\n"
    "heavy = ['xml.etree.ElementTree', 'zipfile', 'csv'] + [\n"
    "    'ipreader.core.export.' + m for m in ('refi_qda', 'w3c', 'csv_table', 'markdown')]\n"
    "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
)


def _imported(folder: Path, fmt: str, data_dir: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), fmt],
        capture_output=True,
        text=True,
        check=True,
        env={"IPREADER_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
    )
    found: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "one.txt").write_text("A short article.\n", encoding="utf-8")
    return root


def test_a_json_export_imports_no_other_renderer(folder: Path, tmp_path: Path) -> None:
    assert _imported(folder, "json", tmp_path / "data") == []


def test_a_csv_export_imports_csv_only(folder: Path, tmp_path: Path) -> None:
    assert _imported(folder, "csv", tmp_path / "data") == [
        "csv",
        "ipreader.core.export.csv_table",
    ]


def test_the_renderers_are_still_names_of_the_package() -> None:
    for name in ("to_csv", "to_markdown", "to_qdc", "to_qdpx", "to_w3c", "EmptyCodebookError"):
        assert name in export.__all__
        assert getattr(export, name).__name__ == name
    with pytest.raises(AttributeError, match="no_such_renderer"):
        export.no_such_renderer  # noqa: B018 - the lookup is what is tested
