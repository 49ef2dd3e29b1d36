"""The built wheel, installed non-editable into a fresh venv, works from outside the checkout.

It must carry the seeds and stylesheets, run ``ipreader --version``, and list
or export the bundled seeds without writing anything inside the installed
package. Runs in CI (about 15 s: a wheel build and a venv without downloads).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Snapshot every file below ``folder`` (size, mtime) to prove nothing was written."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel and install it into a fresh venv; return the venv's bin directory."""
    work = tmp_path_factory.mktemp("packaging")
    wheels = work / "wheels"
    # Build with the installed hatchling (a test extra) so no download is needed; without
    # it, fall back to pip's isolated build environment.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    subprocess.run(
        [
            sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation,
            "--quiet", "-w", str(wheels), str(REPO),
        ],
        check=True,
        cwd=work,
    )  # fmt: skip
    (wheel,) = wheels.glob("ipreader-*.whl")
    target = work / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    bin_dir = target / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies come from the test interpreter's site-packages, appended after the
    # venv's own, so the installed wheel (not the editable checkout) is what gets imported.
    Path(site, "_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
            "--no-index", "--quiet", str(wheel),
        ],
        check=True,
        cwd=work,
    )  # fmt: skip
    return bin_dir


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["IPREADER_DATA_DIR"] = str(cwd / "data")
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]], capture_output=True, text=True, cwd=cwd, env=env
    )


@pytest.mark.slow
def test_installed_wheel(installed: Path, tmp_path: Path) -> None:
    probe = _run(
        installed,
        "python",
        "-c",
        "import ipreader; from ipreader.core import paths\n"
        "print(ipreader.__file__); print(paths.seeds_dir()); print(paths.styles_dir())",
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    package_file, seeds_line, styles_line = probe.stdout.splitlines()
    package = Path(package_file).parent
    seeds, styles = Path(seeds_line), Path(styles_line)
    venv_root = installed.parent
    assert venv_root in package.parents, "imported the checkout, not the installed wheel"
    assert seeds.parent == package and styles.parent == package
    assert sorted(p.name for p in seeds.glob("*.txt")) == sorted(
        p.name for p in (REPO / "seeds").glob("*.txt")
    )
    assert len(list(seeds.glob("*.txt"))) == 3
    assert list(styles.glob("*.tcss")), "no stylesheets shipped"

    version = _run(installed, "ipreader", "--version", cwd=tmp_path)
    assert version.returncode == 0 and re.fullmatch(r"ipreader \d+\.\d+\.\d+\S*\n", version.stdout)

    before = _tree(package)
    listing = _run(installed, "ipreader", "list", str(seeds), "--json", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert len(json.loads(listing.stdout)) == 3
    exported = _run(installed, "ipreader", "export", str(seeds), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert _tree(package) == before, "ipreader wrote inside the installed package"
    assert not (seeds / ".ipreader").exists()


def test_readme_quick_start_matches_ci() -> None:
    """The README's quick start is two commands; CI runs the second one's install and tests."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    assert commands[0].endswith(".venv/bin/ipreader")
    install, tests = commands[1].split(" && ")[1:]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    # CI uses its own fresh venv: compare with its path spelled like the README's.
    ci = re.sub(r'"?\$venv/bin/(\w+)"?', r".venv/bin/\1", ci)
    assert install in ci and tests in ci, (install, tests)
    assert os.access(REPO / ".ci" / "run", os.X_OK)
    subprocess.run(["bash", "-n", str(REPO / ".ci" / "run")], check=True)
