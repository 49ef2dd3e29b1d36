"""Pins of what an import says it did (``importer/report.py``): the summary and the messages."""

from __future__ import annotations

from ipreader.core.importer import MAX_MESSAGES, ImportReport


def test_a_summary_gives_every_count_in_order() -> None:
    report = ImportReport(added=1, updated=2, unchanged=3, rejected=4)
    assert report.summary() == "added 1, updated 2, unchanged 3, rejected 4"


def test_orphans_and_conflicts_are_named_only_when_there_are_some() -> None:
    assert ImportReport().summary() == "added 0, updated 0, unchanged 0, rejected 0"
    report = ImportReport(added=5, orphaned=1, conflicts=2)
    assert report.summary() == (
        "added 5, updated 0, unchanged 0, rejected 0 (1 orphaned: quote not found); "
        "2 conflicts not applied (see below)"
    )


def test_a_rejection_counts_its_entries_and_keeps_one_message() -> None:
    report = ImportReport()
    report.reject("documents[0]: no text")
    report.reject("documents[1]: 3 highlights of a missing file", entries=3)
    assert report.rejected == 4
    assert report.messages == [
        "documents[0]: no text",
        "documents[1]: 3 highlights of a missing file",
    ]
    assert report.lines() == report.messages


def test_messages_past_the_limit_are_counted_and_said_not_kept() -> None:
    report = ImportReport()
    for number in range(MAX_MESSAGES + 1_234):
        report.note(f"message {number}")
    assert MAX_MESSAGES == 100
    assert report.messages == [f"message {n}" for n in range(MAX_MESSAGES)]
    assert report.unshown == 1_234
    assert report.lines() == [*report.messages, "... and 1,234 more messages not shown"]


def test_exactly_the_limit_of_messages_shows_them_all() -> None:
    report = ImportReport()
    for number in range(MAX_MESSAGES):
        report.reject(f"entry {number}")
    assert report.rejected == MAX_MESSAGES and report.unshown == 0
    assert len(report.lines()) == MAX_MESSAGES
    report.reject("one more")
    assert report.rejected == MAX_MESSAGES + 1
    assert report.lines()[-1] == "... and 1 more messages not shown"


def test_a_new_report_is_empty() -> None:
    report = ImportReport()
    assert (report.format, report.messages, report.notices, report.lines()) == ("", [], [], [])
