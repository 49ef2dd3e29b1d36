"""The drift report of ``ipreader check``: where every highlight of a library stands now.

Each annotated document is read and reconciled (``Library.current_documents``,
as an export does), then counted by status (``core/drift.py``). Every
highlight that is not exact in its text — approximate or not found — is
listed with its original quote and the text it now covers; the documents
whose file is gone are listed with their annotations and the files that may
be them (``core/relink.py``); those whose file cannot be read (binary,
undecodable) with how many highlights they keep, unchecked; and the store
files set aside as damaged (``*.corrupt-*``), whose highlights nothing counts.
``CheckReport.exit_status`` lets a script fail on what needs a person: ``0``
when every highlight is placed (exact, moved or approximate), no article is
missing or unreadable and no store file is set aside, ``2`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipreader.core.documents import DocumentInfo
from ipreader.core.drift import MISSING, STATUS_WORDS, DriftCounts
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.relink import MissingDocument
from ipreader.core.safe_text import printable
from ipreader.core.sharing.conflict_log import CONFLICTS_FILE, read_conflicts
from ipreader.core.storage import CORRUPT_MARKER
from ipreader.core.store import StoredDocument
from ipreader.core.store.location import store_entries
from ipreader.core.wording import excerpt, plural

#: Exit status when every highlight is placed and no article is missing.
EXIT_CLEAN = 0

#: Exit status when a highlight is not found, an article is missing or unreadable, or a
#: store file was set aside as damaged.
EXIT_NEEDS_REVIEW = 2

#: Characters of a quote shown per line of the text report.
QUOTE_CHARS = 60


@dataclass(frozen=True, slots=True)
class DocumentDrift:
    """One annotated document's counts."""

    root: Path
    """Its folder."""
    relpath: str
    """Its path relative to the folder."""
    counts: DriftCounts
    """Its highlights by status."""


@dataclass(frozen=True, slots=True)
class Issue:
    """A highlight that is not exact in its text, or whose article is missing."""

    root: Path
    """The document's folder."""
    annotation: Annotation
    """The highlight (its ``quote`` is what was highlighted)."""
    status: str
    """``fuzzy``, ``orphaned`` or ``missing``."""
    current: str | None
    """The text it now covers (approximate ones), else ``None``."""


@dataclass(frozen=True, slots=True)
class UnreadableDocument:
    """An annotated document whose file is there but cannot be read now."""

    root: Path
    """Its folder."""
    relpath: str
    """Its path relative to the folder."""
    reason: str
    """Why it cannot be read (``binary file``, a decoding error, ...)."""
    highlights: int
    """How many highlights it keeps, as stored (none of them checked)."""


@dataclass
class CheckReport:
    """Everything ``check`` found."""

    documents: list[DocumentDrift] = field(default_factory=list)
    """Every annotated document, present or missing."""
    issues: list[Issue] = field(default_factory=list)
    """Approximate and not-found highlights, then those of missing articles."""
    missing: list[tuple[Path, MissingDocument]] = field(default_factory=list)
    """Missing documents with their folder."""
    unreadable: list[UnreadableDocument] = field(default_factory=list)
    """Annotated documents whose file cannot be read: their highlights stay unchecked."""
    conflicts: list[tuple[Path, Path, int]] = field(default_factory=list)
    """Per folder with a merge conflict log: its folder, the log, the versions logged
    (``sharing.conflict_log``; kept for review, so they never change the exit status)."""
    set_aside: list[Path] = field(default_factory=list)
    """Store files moved aside as damaged (now or before; ``*.corrupt-*``): the
    highlights in them are not counted above, and only a person can restore them."""

    @property
    def totals(self) -> DriftCounts:
        """The counts over every document."""
        return sum((d.counts for d in self.documents), DriftCounts())

    @property
    def exit_status(self) -> int:
        """``EXIT_NEEDS_REVIEW`` when a highlight is not found, an article missing or
        unreadable, or a store file set aside as damaged, else 0."""
        totals = self.totals
        needs_review = totals.orphaned or self.missing or self.unreadable or self.set_aside
        return EXIT_NEEDS_REVIEW if needs_review else EXIT_CLEAN


def _keep(_info: DocumentInfo, stored: StoredDocument) -> bool:
    return bool(stored.annotations)


def check_library(library: Library) -> CheckReport:
    """Read, reconcile and count every annotated document of ``library``."""
    report = CheckReport()

    def unreadable(info: DocumentInfo, stored: StoredDocument, reason: str) -> None:
        # Its highlights are kept in the store; nothing can say where they stand.
        found = UnreadableDocument(info.root, info.relpath, reason, len(stored.annotations))
        report.unreadable.append(found)

    for current in library.current_documents(_keep, unreadable):
        root = current.info.root
        report.documents.append(
            DocumentDrift(root, current.info.relpath, DriftCounts.of(current.annotations))
        )
        for annotation in current.annotations:
            if annotation.status is AnchorStatus.FUZZY:
                covered = current.text[annotation.start : annotation.end]
                report.issues.append(Issue(root, annotation, annotation.status.value, covered))
            elif annotation.status is AnchorStatus.ORPHANED:
                report.issues.append(Issue(root, annotation, annotation.status.value, None))
    for collection in library.collections:
        for missing in collection.missing:
            annotations = missing.stored.annotations
            report.missing.append((collection.root, missing))
            report.documents.append(
                DocumentDrift(
                    collection.root, missing.relpath, DriftCounts.of(annotations, missing=True)
                )
            )
            report.issues.extend(Issue(collection.root, a, MISSING, None) for a in annotations)
    for collection in library.collections:
        location = collection.store.location
        logged = read_conflicts(location)
        if logged:
            report.conflicts.append((collection.root, location / CONFLICTS_FILE, len(logged)))
        # After the pass: a file found damaged while reading it was set aside then.
        report.set_aside.extend(_set_aside_in(location))
    report.documents.sort(key=lambda d: (str(d.root), d.relpath))
    return report


def _set_aside_in(location: Path) -> list[Path]:
    """The files (or directories) the store at ``location`` moved aside as damaged."""
    # Set aside beside themselves: in the store's folders (store_entries).
    return sorted(Path(e.path) for e in store_entries(location) if CORRUPT_MARKER in e.name)


def current_counts(library: Library) -> dict[tuple[Path, str], DriftCounts]:
    """Return the counts of the annotated documents whose text changed since last anchored.

    Only those are read and reconciled; the others' stored statuses are
    current (``DriftCounts.of(stored.annotations)``). Keyed by (root, relpath).
    """

    def changed(info: DocumentInfo, stored: StoredDocument) -> bool:
        return bool(stored.annotations) and info.sha256 != stored.sha256

    return {
        (current.info.root, current.info.relpath): DriftCounts.of(current.annotations)
        for current in library.current_documents(changed)
    }


def check_data(report: CheckReport) -> dict[str, Any]:
    """Return the report as the JSON structure ``check --json`` prints."""
    return {
        "status": report.exit_status,
        "totals": report.totals.as_dict(),
        "documents": [
            {"root": str(d.root), "path": d.relpath, "counts": d.counts.as_dict()}
            for d in report.documents
        ],
        "highlights": [
            {
                "root": str(issue.root),
                "path": issue.annotation.document,
                "id": issue.annotation.id,
                "status": issue.status,
                "score": issue.annotation.score,
                "quote": issue.annotation.quote,
                "current": issue.current,
                "note": issue.annotation.note,
            }
            for issue in report.issues
        ],
        "missing": [
            {
                "root": str(root),
                "path": missing.relpath,
                "highlights": len(missing.stored.annotations),
                "tags": list(missing.stored.notes.tags),
                "note": missing.stored.notes.note,
                "suggestions": [
                    {"path": c.relpath, "score": round(c.score, 3), "by": c.by}
                    for c in missing.candidates
                ],
            }
            for root, missing in report.missing
        ],
        "unreadable": [
            {"root": str(u.root), "path": u.relpath, "reason": u.reason, "highlights": u.highlights}
            for u in report.unreadable
        ],
        "conflicts": [
            {"root": str(root), "log": str(log), "versions": count}
            for root, log, count in report.conflicts
        ],
        "set_aside": [str(path) for path in report.set_aside],
    }


def check_text(report: CheckReport) -> str:
    """Return the report as text for a terminal (user text made printable)."""
    totals = report.totals
    documents = plural(len(report.documents), "annotated document")
    summary = totals.describe() or "all exact"
    lines = [f"{documents}, {plural(sum(totals.as_dict().values()), 'highlight')}: "]
    lines[0] += f"{totals.anchored:,} exact" + (f", {summary}" if totals.not_exact else "")
    issues = [issue for issue in report.issues if issue.status != MISSING]
    if issues:
        lines += ["", "Highlights not exact in their text:"]
        for issue in issues:
            lines.append(_issue_line(issue))
    if report.missing:
        lines += ["", "Missing articles (moved or deleted; their annotations are kept):"]
        for _root, missing in report.missing:
            lines.append(_missing_line(missing))
        lines.append("Relink one with: ipreader relink FOLDER OLD NEW")
    if report.unreadable:
        lines += ["", "Articles that cannot be read (their highlights are kept, unchecked):"]
        for unread in report.unreadable:
            kept = plural(unread.highlights, "highlight")
            lines.append(f"  {unread.relpath}  {kept}; {unread.reason}")
    if report.conflicts:
        lines += ["", "Versions a merge did not keep (git or a sync tool), kept for review:"]
        for _root, log, count in report.conflicts:
            lines.append(f"  {log}  {plural(count, 'version')}")
    if report.set_aside:
        lines += [
            "",
            "Store files set aside as damaged (nothing deleted; the highlights in them are "
            "not counted above):",
        ]
        lines += [f"  {path}" for path in report.set_aside]
    lines += ["", _verdict(report)]
    return "\n".join(printable(line) for line in lines) + "\n"


def _issue_line(issue: Issue) -> str:
    annotation = issue.annotation
    word = STATUS_WORDS[issue.status]
    if annotation.score is not None:
        word += f" ({annotation.score:.0f})"
    line = f"  {annotation.document}  {word}  “{excerpt(annotation.quote, QUOTE_CHARS)}”"
    if issue.current is not None:
        line += f" → now “{excerpt(issue.current, QUOTE_CHARS)}”"
    return line


def _missing_line(missing: MissingDocument) -> str:
    line = f"  {missing.relpath}  {plural(len(missing.stored.annotations), 'highlight')}"
    if missing.stored.notes.tags or missing.stored.notes.note:
        line += ", document tags/note"
    if missing.candidates:
        shown = ", ".join(
            f"{c.relpath} ({'same content' if c.by == 'content' else f'{c.score:.0%} same text'})"
            for c in missing.candidates
        )
        line += f"; maybe: {shown}"
    return line


def _verdict(report: CheckReport) -> str:
    if report.exit_status == EXIT_CLEAN:
        return "OK: every highlight is placed."
    totals = report.totals
    problems = []
    if totals.orphaned:
        problems.append(f"{plural(totals.orphaned, 'highlight')} not found")
    if report.missing:
        problems.append(f"{plural(len(report.missing), 'article')} missing")
    if report.unreadable:
        problems.append(f"{plural(len(report.unreadable), 'article')} unreadable")
    if report.set_aside:
        problems.append(f"{plural(len(report.set_aside), 'store file')} set aside as damaged")
    return f"Needs review: {', '.join(problems)} (exit status {EXIT_NEEDS_REVIEW})."
