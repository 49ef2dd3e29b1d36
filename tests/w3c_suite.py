"""The W3C Web Annotation test-suite schemas, run over an exported collection.

The suite (``tests/standards/w3c-annotation-tests/``, a copy of
w3c/web-annotation-tests; see its README) has one JSON Schema (draft-04) per
assertion, each marked ``must``, ``should`` or ``may``. Schemas under
``annotations/`` describe one Annotation, ``collections/`` the
AnnotationCollection and ``collections/pages/`` an AnnotationPage.

An assertion **passes** for an export when every object it applies to (every
annotation of every page, the collection, every page) validates against its
schema. That is the strict reading: the W3C's own implementation reports
count a SHOULD as implemented when *some* submitted annotation has it.
``should_any`` gives that reading too, for information.

The ``uri`` and ``date-time`` formats are checked only when ``rfc3987`` and
``rfc3339-validator`` are installed (jsonschema skips a format it has no
checker for): ``format_checks_available()`` says whether they are.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

#: The copy of the suite kept in the repository (the shared one may be absent).
SUITE = Path(__file__).parent / "standards" / "w3c-annotation-tests"

#: The folders of the suite and what each one's schemas describe.
KINDS = {"annotations": "annotation", "collections": "collection"}


def format_checks_available() -> bool:
    """True when the packages that check ``uri`` and ``date-time`` are installed."""
    return all(importlib.util.find_spec(name) for name in ("rfc3987", "rfc3339_validator"))


@dataclass(frozen=True)
class Assertion:
    """One schema of the suite."""

    name: str
    """The file name, e.g. ``3.1-annotationIdValidated.json``."""
    level: str
    """``must``, ``should`` or ``may``."""
    applies_to: str
    """``annotation``, ``collection`` or ``page``."""
    validator: Draft4Validator


def _schemas(root: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(root.rglob("*.json")):
        yield path, json.loads(path.read_text(encoding="utf-8"))


def load_suite(root: Path = SUITE) -> list[Assertion]:
    """Load every schema of the suite into one registry; return the assertions."""
    documents = list(_schemas(root))
    # The schemas refer to one another by their bare "id" (e.g. "id.json#/definitions/...").
    registry: Registry[Any] = Registry().with_resources(
        (document["id"], Resource(contents=document, specification=DRAFT4))
        for _, document in documents
        if "id" in document
    )
    assertions = []
    for path, document in documents:
        level = document.get("assertionType")
        if level is None:
            continue  # a definitions file
        relative = path.relative_to(root).parts
        applies_to = "page" if "pages" in relative else KINDS[relative[0]]
        validator = Draft4Validator(
            document, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
        )
        assertions.append(Assertion(path.name, level, applies_to, validator))
    return assertions


@dataclass
class SuiteResult:
    """Which assertions an export passes."""

    passed: dict[str, list[str]] = field(default_factory=dict)
    """Level -> names of the assertions every object satisfied."""
    failed: dict[str, list[str]] = field(default_factory=dict)
    """Level -> names of the assertions some object failed."""
    should_any: int = 0
    """SHOULD assertions that at least one object satisfied (the W3C reports' reading)."""
    errors: dict[str, str] = field(default_factory=dict)
    """Name of a failed assertion -> the first validation error, for the failure message."""

    def count(self, level: str) -> tuple[int, int]:
        """(passed, total) for ``level``."""
        passed = len(self.passed.get(level, []))
        return passed, passed + len(self.failed.get(level, []))


def _inheriting(value: dict[str, Any], context: Any) -> dict[str, Any]:
    """``value`` with the ``@context`` it inherits from the document that embeds it.

    In JSON-LD an embedded object is read in its container's context; the suite
    checks objects standing alone, so they are given it explicitly.
    """
    return value if "@context" in value or context is None else {"@context": context, **value}


def objects_of(collection: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The collection, its embedded pages and their annotations, by kind."""
    context = collection.get("@context")
    pages = [
        _inheriting(page, context) for page in (collection.get("first"),) if isinstance(page, dict)
    ]
    annotations = [
        _inheriting(item, context)
        for page in pages
        for item in page.get("items", [])
        if isinstance(item, dict)
    ]
    return {"collection": [collection], "page": pages, "annotation": annotations}


def run_suite(collection: dict[str, Any], assertions: list[Assertion]) -> SuiteResult:
    """Check ``collection`` (an exported AnnotationCollection) against ``assertions``."""
    objects = objects_of(collection)
    result = SuiteResult()
    for assertion in assertions:
        targets = objects[assertion.applies_to]
        error = next(
            (e for target in targets for e in assertion.validator.iter_errors(target)), None
        )
        bucket = result.passed if error is None else result.failed
        bucket.setdefault(assertion.level, []).append(assertion.name)
        if error is not None:
            result.errors[assertion.name] = error.message[:300]
        if assertion.level == "should" and any(
            assertion.validator.is_valid(target) for target in targets
        ):
            result.should_any += 1
    return result
