"""Agreement and the code report's JSON, stage by stage, against another checkout in one process.

The whole-process figures (``bench/reports.py``) carry the interpreter, the
imports, the store's read and the machine's load; this isolates the stages a
change of the writers or of the agreement's algorithm moves. On the
2,000-article x 20,000-highlight folder of ``bench/reports.py``, with the
cyclic collector off (as the CLI runs them), each stage is timed
(``time.process_time``) for ``--before``'s module and for this checkout's,
alternating, and their outputs are asserted equal:

* ``agreement()`` (the counts and the disagreements), ``agreement_text``,
  ``agreement_json`` (each line-start table dropped before, as in a fresh run);
* ``render_report(code_report, "json")``.

``--before``'s ``agreement.py`` (and ``agreement_render.py``), ``text_table.py`` and
``report_render.py``
are loaded from its tree, with its ``safe_text.escape_json_controls`` (the
rest of the core is this checkout's: the same documents go to both).

    .venv/bin/python -m bench.report_stages --before CHECKOUT [--runs 7]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from bench.reports import build_folder


def _load(name: str, path: Path) -> ModuleType:
    """Import the file at ``path`` as a module named ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _before_modules(tree: Path) -> tuple[ModuleType, ModuleType, ModuleType]:
    """``--before``'s agreement, its writers and report_render, wired to its table and escape.

    The writers are ``agreement_render.py`` where the tree has it, else
    ``agreement.py`` itself (they were one module until they were split).
    """
    core = tree / "ipreader" / "core"
    table = _load("before_text_table", core / "text_table.py")
    escape = _load("before_safe_text", core / "safe_text.py").escape_json_controls
    agreement = _load("before_agreement", core / "agreement.py")
    split = core / "agreement_render.py"
    writers = _load("before_agreement_render", split) if split.exists() else agreement
    writers.render_table = table.render_table
    writers.render_table_columns = table.render_table_columns
    writers.Column = table.Column
    writers.escape_json_controls = escape
    render = _load("before_report_render", core / "report_render.py")
    render.escape_json_controls = escape
    return agreement, writers, render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout to compare with")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    # Imported after the arguments: a --help needs none of the core.
    from ipreader.core import agreement, agreement_render, report_render
    from ipreader.core.coding import Selection, coded_documents
    from ipreader.core.library import Library
    from ipreader.core.reports import code_report

    work = Path(tempfile.mkdtemp(prefix="ipreader-bench-stages-"))
    os.environ["IPREADER_DATA_DIR"] = str(work / "data")
    os.environ["IPREADER_CACHE_DIR"] = str(work / "cache")
    try:
        folder = work / "articles"
        build_folder(folder, 2000, 20000)
        documents = coded_documents(Library.open([folder]), Selection())
        report = code_report(documents)
        old_agreement, old_writers, old_render = _before_modules(args.before.resolve())
        gc.disable()

        def fresh() -> None:
            for document in documents:
                document.__dict__.pop("_line_starts", None)

        def stages(
            agree: ModuleType, writers: ModuleType, render: ModuleType
        ) -> dict[str, Callable[[], object]]:
            made = agree.agreement(documents, "ada", "ben")
            return {
                "agreement()": lambda: agree.agreement(documents, "ada", "ben"),
                "agreement_text": lambda: (fresh(), writers.agreement_text(made))[1],
                "agreement_json": lambda: (fresh(), writers.agreement_json(made))[1],
                "code report JSON": lambda: render.render_report(
                    report, "json", render.ReportFilters()
                ),
            }

        sides = {
            "before": stages(old_agreement, old_writers, old_render),
            "after": stages(agreement, agreement_render, report_render),
        }
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for stage in sides["after"]:
                outputs = []
                for side, steps in sides.items():
                    began = time.process_time()
                    outputs.append(steps[stage]())
                    times.setdefault((stage, side), []).append(time.process_time() - began)
                if stage != "agreement()" and outputs[0] != outputs[1]:
                    raise SystemExit(f"{stage}: the outputs differ")
        print(f"CPU seconds, {args.runs} runs each, alternating; before = {args.before}\n")
        head = ("stage", "before min", "median", "after min", "median", "x")
        print("{:18} {:>10} {:>7} {:>10} {:>7} {:>5}".format(*head))
        for stage in sides["after"]:
            old, new = times[(stage, "before")], times[(stage, "after")]
            ratio = statistics.median(new) / statistics.median(old)
            print(
                f"{stage:18} {min(old):10.3f} {statistics.median(old):7.3f} "
                f"{min(new):10.3f} {statistics.median(new):7.3f} {ratio:5.2f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
