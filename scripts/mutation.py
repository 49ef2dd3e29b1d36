"""Mutation-test one module of ipreader against the tests that target it, with mutmut.

    .venv/bin/python scripts/mutation.py ipreader/core/storage.py        # or ipreader.core.storage
    .venv/bin/python scripts/mutation.py ipreader/core/storage.py --diffs
    .venv/bin/python scripts/mutation.py ipreader/core/search.py --tests tests/test_search.py
    .venv/bin/python scripts/mutation.py ipreader/core/storage.py --fail-under 90
    .venv/bin/python scripts/mutation.py --list

mutmut (the ``mutation`` extra: ``pip install -e '.[test,mutation]'``) reads
its settings from ``[tool.mutmut]`` in ``pyproject.toml``. This script copies
the package, the tests and what they read into ``build/mutation/<module>/``
with that table plus two keys for this run: ``only_mutate`` (the module) and
``pytest_add_cli_args_test_selection`` (its test files, from ``TARGETS`` or
``--tests``). It runs ``mutmut run`` there with the deterministic Hypothesis
profile (the same examples for every mutant, so a score does not move by
luck), then prints the score and lists the mutants no test caught.

The copy is left in place: ``cd build/mutation/<module> && mutmut show NAME``
(or ``mutmut browse``) shows a survivor. Each run starts afresh.

Score = caught / mutants, where caught = killed + timeout + segfault (a test
failed, hung or crashed) and mutants = caught + survived + no tests (no test
even runs the mutated function) + suspicious. Scores and their history:
``docs/mutation.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

#: The test files that target the anchoring package.
ANCHORING_TESTS = [
    "tests/test_anchoring.py",
    "tests/test_anchoring_bounds.py",
    "tests/test_anchoring_properties.py",
    "tests/test_anchoring_promises.py",
    "tests/test_anchoring_tiers.py",
]
#: The fast test files that target the export package (no schema validation).
EXPORT_TESTS = [
    "tests/test_export.py",
    "tests/test_export_current.py",
    "tests/test_export_text_formats.py",
]
#: The test files that target the importer package (subprocess-free).
IMPORTER_TESTS = [
    "tests/test_import.py",
    "tests/test_import_formats.py",
    "tests/test_import_locate.py",
    "tests/test_import_promises.py",
    "tests/test_import_readers.py",
    "tests/reliability/test_hostile_import.py",
    "tests/reliability/test_hostile_formats.py",
    "tests/reliability/test_import_limits.py",
]

#: Pins of the importer's reading, format detection, report and batches.
IMPORTER_PINS = [
    "tests/test_import_detect_pins.py",
    "tests/test_import_report_pins.py",
]

#: The test files that target the sharing package (merge rules, conflict log, sync copies).
#: ``test_cli_merge_driver.py`` joins them for the driver only: its git runs take 20 s
#: and run the driver in a child process, where no mutant is.
SHARING_TESTS = [
    "tests/test_sharing_duplicates_pins.py",
    "tests/test_sharing_log_pins.py",
    "tests/test_sharing_merge.py",
    "tests/test_sharing_rules_pins.py",
    "tests/test_sharing_sync.py",
    "tests/test_sharing_sync_pins.py",
]

#: The test files that target the store's read side (subprocess-free).
STORE_READ_TESTS = [
    "tests/test_store.py",
    "tests/test_store_trust.py",
    "tests/test_store_read_pass.py",
    "tests/test_store_formats_pins.py",
]
#: Each module measured so far and the test files that target it.
TARGETS: dict[str, list[str]] = {
    # Anchoring became a package: the exact search, the fuzzy search, span trimming and the
    # tiers that join them (__init__), all pinned by the same four files.
    **{
        f"ipreader/core/anchoring/{name}.py": ANCHORING_TESTS
        for name in ("__init__", "exact", "fuzzy", "spans")
    },
    # test_store.py (the store package) is left out while the store is being reshaped.
    "ipreader/core/storage.py": [
        "tests/test_storage.py",
        "tests/test_storage_promises.py",
        "tests/test_store_tinydb.py",
    ],
    # The importer became a package (one module per format): its merge rules, where an
    # import lands, and the readers of each format.
    **{
        f"ipreader/core/importer/{name}.py": IMPORTER_TESTS
        for name in ("merge", "locate", "w3c", "hypothesis", "ipreader_json")
    },
    # The importer's last modules, with the pins of what a user reads when a file is refused
    # and what an import says it did.
    **{
        f"ipreader/core/importer/{name}.py": [*IMPORTER_TESTS, *IMPORTER_PINS]
        for name in ("batch", "reading", "detect", "report", "__init__")
    },
    "ipreader/core/importer/refi_qda.py": [
        *IMPORTER_TESTS,
        *IMPORTER_PINS,
        "tests/test_import_refi_qda_pins.py",
    ],
    # The revision rule of saves and imports: its own tests and the store's trust promises.
    "ipreader/core/revisions.py": [
        "tests/test_revisions.py",
        "tests/test_revisions_pins.py",
        "tests/test_store_trust.py",
    ],
    # The store package's smaller modules, each with the fast tests that pin it (test_store.py
    # and the reliability files open whole stores: minutes per surviving mutant).
    "ipreader/core/store/lock.py": ["tests/test_store_lock_pins.py", "tests/test_store_tinydb.py"],
    "ipreader/core/store/fallback.py": [
        "tests/reliability/test_fallback_merge.py",
        "tests/reliability/test_fallback_pins.py",
    ],
    "ipreader/core/store/codebook_file.py": [
        "tests/test_codebook.py",
        "tests/test_codebook_file_pins.py",
    ],
    "ipreader/core/store/location.py": [
        "tests/test_store_location_pins.py",
        "tests/reliability/test_fallback_merge.py",
    ],
    "ipreader/core/store/recovery.py": [
        "tests/test_store_recovery_pins.py",
        "tests/reliability/test_index_rebuild.py",
    ],
    **{
        f"ipreader/core/sharing/{name}.py": SHARING_TESTS
        for name in (
            "conflict_log",
            "duplicates",
            "layout",
            "on_open",
            "rules",
            "sync_copies",
            "three_way",
        )
    },
    "ipreader/core/sharing/driver.py": [
        *SHARING_TESTS,
        "tests/test_sharing_driver_pins.py",
        "tests/test_cli_merge_driver.py",
    ],
    "ipreader/core/drift.py": ["tests/test_drift.py", "tests/test_drift_pins.py"],
    "ipreader/core/review.py": [
        "tests/test_drift.py",
        "tests/test_relink.py",
        "tests/test_review_pins.py",
    ],
    "ipreader/core/store/relinks.py": [
        "tests/test_store_relinks_pins.py",
        "tests/test_store_trust.py",
    ],
    # The one record decoder (fast path and full checks) and the store's read side.
    "ipreader/core/records.py": ["tests/test_records.py", "tests/test_records_pins.py"],
    "ipreader/core/store/formats.py": STORE_READ_TESTS,
    "ipreader/core/store/files.py": [*STORE_READ_TESTS, "tests/test_store_files_pins.py"],
    "ipreader/core/store/catalog.py": [*STORE_READ_TESTS, "tests/test_store_catalog_pins.py"],
    # The decoded read cache between processes: its own tests (stale, damaged, hostile).
    "ipreader/core/store/read_cache.py": [
        "tests/test_store_read_cache.py",
        "tests/test_store_read_cache_pins.py",
        "tests/test_store_read_cache_signature.py",
    ],
    "ipreader/core/store/read_cache_file.py": [
        "tests/test_store_read_cache.py",
        "tests/test_store_read_cache_pins.py",
    ],
    # The store's write side: what it refuses to write, the file tables, the bucket layout.
    "ipreader/core/store/write_checks.py": [
        "tests/test_save_checks.py",
        "tests/test_write_checks_pins.py",
        "tests/reliability/test_bounded_records.py",
    ],
    "ipreader/core/store/tables.py": [
        "tests/test_store_tables_pins.py",
        "tests/test_store_tinydb.py",
        "tests/test_store_files_pins.py",
    ],
    "ipreader/core/store/buckets.py": [
        "tests/test_store_buckets_pins.py",
        "tests/test_store_catalog_pins.py",
    ],
    "ipreader/core/store/merge.py": [
        "tests/test_store_merge_pins.py",
        "tests/reliability/test_fallback_merge.py",
        "tests/reliability/test_fallback_pins.py",
    ],
    # The store's front: the fast tests that open a store (not the reliability ones, which
    # kill processes and take minutes).
    "ipreader/core/store/folder_store.py": [
        *STORE_READ_TESTS,
        "tests/test_store_relinks_pins.py",
        "tests/test_save_checks.py",
        "tests/test_write_checks_pins.py",
        "tests/test_folder_store_pins.py",
        "tests/test_codebook.py",
        "tests/reliability/test_fallback_merge.py",
        "tests/reliability/test_fallback_pins.py",
    ],
    # Issue 15's other modules (relinking, reports, agreement, exporters, codebook).
    "ipreader/core/relink.py": [
        "tests/test_relink.py",
        "tests/test_relink_pins.py",
        "tests/test_review_pins.py",
    ],
    "ipreader/core/fingerprint.py": [
        "tests/test_fingerprint_pins.py",
        "tests/test_relink.py",
        "tests/test_store_trust.py",
    ],
    "ipreader/core/agreement.py": ["tests/test_agreement.py", "tests/test_agreement_pins.py"],
    "ipreader/core/agreement_render.py": [
        "tests/test_agreement.py",
        "tests/test_agreement_pins.py",
        "tests/test_agreement_json_direct.py",
    ],
    "ipreader/core/reports.py": [
        "tests/test_reports.py",
        "tests/test_reports_pins.py",
        "tests/test_report_render.py",
        "tests/test_report_render_pins.py",
    ],
    "ipreader/core/coding.py": ["tests/test_coding.py", "tests/test_coding_pins.py"],
    "ipreader/core/codebook.py": [
        "tests/test_codebook.py",
        "tests/test_codebook_state.py",
        "tests/test_codebook_file_pins.py",
        "tests/test_codebook_pins.py",
    ],
    "ipreader/core/report_render.py": [
        "tests/test_report_render.py",
        "tests/test_report_render_pins.py",
    ],
    # The exporters: the fast export tests (test_w3c_conformance.py and test_refi_qda_export.py
    # validate against the official schemas, 15 s a run: only for the modules they target).
    **{
        f"ipreader/core/export/{name}.py": [*EXPORT_TESTS, f"tests/test_export_{name}_pins.py"]
        for name in ("csv_table", "markdown", "ipreader_json", "verified")
    },
    # The structure decides which articles are read again (test_unread_articles.py).
    "ipreader/core/export/structure.py": [
        *EXPORT_TESTS,
        "tests/test_unread_articles.py",
        "tests/test_export_structure_pins.py",
    ],
    # test_w3c_conformance.py (the W3C suite's schemas, 6-15 s a run) is left out: each
    # mutant would cost it; the pins hold what ipreader writes in each item.
    "ipreader/core/export/w3c.py": [*EXPORT_TESTS, "tests/test_export_w3c_pins.py"],
    "ipreader/core/export/refi_qda.py": [
        *EXPORT_TESTS,
        "tests/test_refi_qda_export.py",
        "tests/test_export_refi_qda_pins.py",
    ],
    "ipreader/core/export/__init__.py": [
        *EXPORT_TESTS,
        "tests/test_unread_articles.py",
        "tests/test_refi_qda_export.py",
        "tests/test_export_init_pins.py",
    ],
}

#: mutmut statuses that count as caught by the tests.
CAUGHT = ("killed", "timeout", "segfault")
#: mutmut statuses of mutants no test caught (listed as survivors).
NOT_CAUGHT = ("survived", "no tests", "suspicious")


@dataclass(frozen=True)
class Score:
    """The counts of one run, from mutmut's CI/CD stats."""

    counts: dict[str, int]

    @property
    def caught(self) -> int:
        """Mutants a test killed, hung or crashed on."""
        return sum(self.counts.get(key.replace(" ", "_"), 0) for key in CAUGHT)

    @property
    def mutants(self) -> int:
        """Mutants with a verdict (caught or not)."""
        return self.caught + sum(self.counts.get(key.replace(" ", "_"), 0) for key in NOT_CAUGHT)

    @property
    def percent(self) -> float:
        """Caught over mutants, in percent (0 without mutants)."""
        return 100 * self.caught / self.mutants if self.mutants else 0.0

    @property
    def unfinished(self) -> int:
        """Mutants left without a verdict (run interrupted or skipped)."""
        return self.counts.get("skipped", 0) + self.counts.get("check_was_interrupted_by_user", 0)


def module_path(name: str) -> str:
    """``ipreader.core.storage`` or ``ipreader/core/storage.py`` -> the latter, checked."""
    path = name if name.endswith(".py") else name.replace(".", "/") + ".py"
    if not (REPO / path).is_file():
        raise SystemExit(f"mutation: no module {path} in {REPO}")
    return path


def mutmut_exe() -> str:
    """The ``mutmut`` script of the running interpreter's environment."""
    exe = Path(sys.executable).parent / "mutmut"
    if not exe.exists():
        raise SystemExit("mutation: mutmut is not installed; pip install -e '.[test,mutation]'")
    return str(exe)


def run_config(
    module: str, tests: list[str], timeout_multiplier: float | None = None
) -> tuple[dict[str, Any], str]:
    """The ``[tool.mutmut]`` table for one run, and ``pyproject.toml`` rewritten to hold it."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    table = dict(tomllib.loads(text)["tool"]["mutmut"])
    table["only_mutate"] = [module]
    table["pytest_add_cli_args_test_selection"] = tests
    if timeout_multiplier is not None:
        table["timeout_multiplier"] = timeout_multiplier
    # JSON scalars and lists of strings are valid TOML values.
    body = "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())
    lines = text.splitlines(keepends=True)
    start = lines.index("[tool.mutmut]\n")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    rewritten = "".join([*lines[: start + 1], body, "\n", *lines[end:]])
    assert tomllib.loads(rewritten)["tool"]["mutmut"] == table
    return table, rewritten


def prepare(
    work: Path, module: str, tests: list[str], timeout_multiplier: float | None = None
) -> None:
    """A fresh copy of what mutmut needs in ``work``, configured for ``module`` and ``tests``."""
    table, pyproject = run_config(module, tests, timeout_multiplier)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    copied = [*table.get("source_paths", []), *table.get("also_copy", []), "tests"]
    ignore = shutil.ignore_patterns("__pycache__", ".ipreader", "*.pyc")
    for name in copied:
        if (REPO / name).is_file():  # e.g. README.md, whose instructions a test runs
            shutil.copy2(REPO / name, work / name)
        else:
            shutil.copytree(REPO / name, work / name, ignore=ignore)


def mutmut(work: Path, *args: str, capture: bool = False) -> str:
    """Run ``mutmut ARGS`` in ``work`` (deterministic Hypothesis); return its output if captured."""
    env = {**os.environ, "HYPOTHESIS_PROFILE": "deterministic"}
    done = subprocess.run(
        [mutmut_exe(), *args],
        cwd=work,
        env=env,
        check=False,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    if done.returncode:
        # mutmut has printed why (e.g. the selected tests fail without any mutant).
        raise SystemExit(f"mutation: `mutmut {' '.join(args)}` exited with {done.returncode}")
    return done.stdout or ""


def survivors(work: Path) -> list[tuple[str, str]]:
    """(mutant name, status) of every mutant the tests did not catch."""
    found = []
    for line in mutmut(work, "results", capture=True).splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name and status in NOT_CAUGHT:
            found.append((name, status))
    # In source order of the mutations: ..._mutmut_2 before ..._mutmut_10.
    return sorted(found, key=lambda item: mutant_order(item[0]))


def mutant_order(name: str) -> tuple[str, int]:
    """Sort key of a mutant name (``<function>__mutmut_<n>``): the function, then ``n``."""
    function, _, number = name.rpartition("__mutmut_")
    return function, int(number) if number.isdigit() else 0


def main() -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("module", nargs="?", help="ipreader/core/storage.py or its dotted name")
    parser.add_argument("--tests", nargs="+", help="test files (default: TARGETS[module])")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--diffs", action="store_true", help="print each survivor's diff")
    parser.add_argument(
        "--timeout-multiplier",
        type=float,
        metavar="N",
        help="a mutant times out past 2 x N x (its tests' usual CPU time + 1 s) (mutmut: 15)",
    )
    parser.add_argument("--list", action="store_true", help="list the known modules and tests")
    parser.add_argument(
        "--fail-under", type=float, metavar="PCT", help="exit 1 if the score is below PCT"
    )
    args = parser.parse_args()
    if args.list or not args.module:
        for known, files in TARGETS.items():
            print(f"{known}: {' '.join(files)}")
        return 0
    module = module_path(args.module)
    tests = args.tests or TARGETS.get(module)
    if not tests:
        raise SystemExit(f"mutation: no tests known for {module}; give them with --tests")
    work = REPO / "build" / "mutation" / module.removesuffix(".py").replace("/", ".")
    started = time.perf_counter()
    prepare(work, module, tests, args.timeout_multiplier)
    mutmut(work, "run", "--max-children", str(args.max_children))
    mutmut(work, "export-cicd-stats", capture=True)
    counts = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text())
    score = Score(counts)
    left = survivors(work)
    minutes = (time.perf_counter() - started) / 60
    print(f"\n{module} against {' '.join(tests)}")
    print(
        f"score {score.percent:.1f}%: {score.caught} of {score.mutants} mutants caught "
        f"({counts.get('killed', 0)} killed, {counts.get('timeout', 0)} timeout, "
        f"{counts.get('segfault', 0)} segfault); {counts.get('survived', 0)} survived, "
        f"{counts.get('no_tests', 0)} no tests, {counts.get('suspicious', 0)} suspicious; "
        f"{minutes:.1f} min"
    )
    if score.unfinished:
        print(f"warning: {score.unfinished} mutants have no verdict (interrupted or skipped)")
    for name, status in left:
        print(f"  {status}: {name}")
        if args.diffs:
            print(mutmut(work, "show", name, capture=True))
    if left and not args.diffs:
        print(f"show one: (cd {work} && {mutmut_exe()} show NAME), or rerun with --diffs")
    if args.fail_under is not None and score.percent < args.fail_under:
        print(f"score {score.percent:.1f}% is under {args.fail_under:g}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
