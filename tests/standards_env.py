"""Whether the standards tests may skip: ``IPREADER_REQUIRE_STANDARDS`` (set by .ci/run) says no.

The W3C suite and the REFI-QDA XSDs are copied into ``tests/standards`` (a
clone may lack ``../shared``); what they need besides (``rfc3987``,
``rfc3339-validator``, ``xmlschema``: the test extra) may be missing on a
developer's machine. There the tests skip with the reason; in CI they fail.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

#: Set by .ci/run: a missing checker, schema or shared copy fails instead of skipping.
REQUIRE_ENV = "IPREADER_REQUIRE_STANDARDS"

#: The copies kept in the repository, and the shared originals beside the checkout.
COPIES = Path(__file__).parent / "standards"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason``, or fail when ``REQUIRE_ENV`` is set."""
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason} (required: {REQUIRE_ENV} is set)")
    pytest.skip(reason)


def same_as_shared(name: str) -> None:
    """Assert ``tests/standards/NAME`` equals ``../shared/NAME`` (skip when that is absent)."""
    shared, ours = SHARED / name, COPIES / name
    if not shared.is_dir():
        unavailable(f"{shared} is absent: the copy in {ours} is used as it is")
    theirs = {p.relative_to(shared): p.read_bytes() for p in shared.rglob("*") if p.is_file()}
    mine = {p.relative_to(ours): p.read_bytes() for p in ours.rglob("*") if p.is_file()}
    assert mine == theirs
