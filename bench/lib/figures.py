"""A measured figure and the Markdown tables figures and scaling rows are printed in."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured figure, printed as a row of the results table."""

    name: str
    """What was measured."""
    measured: float
    """The median (seconds unless ``unit`` says otherwise)."""
    unit: str = "s"
    """``s``, ``ms``, ``MB`` or ``x`` (a ratio)."""
    target: float | None = None
    """The target (same unit; the figure must be <= target), or None."""
    baseline: float | None = None
    """The baseline's median, measured in the same run (same unit)."""
    baseline_name: str = ""
    """What the baseline is."""
    runs: int = 1
    """How many runs the median is over."""
    note: str = ""
    """Anything needed to read the figure (spread, conditions)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Raw values, for the JSON dump."""

    @property
    def met(self) -> bool | None:
        """True/False against the target; None without a target."""
        return None if self.target is None else self.measured <= self.target

    def row(self) -> str:
        """A Markdown table row: what | target | measured | baseline | ratio | runs | met."""
        target = "—" if self.target is None else f"<= {fmt(self.target, self.unit)}"
        base = "—" if self.baseline is None else f"{fmt(self.baseline, self.unit)}"
        if self.baseline_name and self.baseline is not None:
            base += f" ({self.baseline_name})"
        ratio = "—"
        if self.baseline and self.unit != "x":
            ratio = f"{self.measured / self.baseline:.2f}x"
        met = {None: "—", True: "met", False: "**MISSED**"}[self.met]
        note = f" {self.note}" if self.note else ""
        return (
            f"| {self.name} | {target} | {fmt(self.measured, self.unit)}{note} | {base} "
            f"| {ratio} | {self.runs} | {met} |"
        )


TABLE_HEADER = (
    "| What | Target | Measured (median) | Baseline (same run) | Ratio | Runs | Status |\n"
    "|---|---|---|---|---|---|---|"
)


def fmt(value: float, unit: str) -> str:
    """Format ``value`` in ``unit`` with a sensible precision."""
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:g} {unit}"


def print_table(title: str, figures: Sequence[Figure]) -> None:
    """Print ``figures`` as a Markdown table under ``title``."""
    print(f"\n### {title}\n")
    print(TABLE_HEADER)
    for figure in figures:
        print(figure.row())
    sys.stdout.flush()


def print_figures(title: str, figures: Sequence[Figure], quick: bool, quick_note: str) -> None:
    """Print ``figures``; with ``quick`` drop their targets (set for the full sizes) first.

    The quick title reads ``title (quick_note, no targets)``.
    """
    if quick:
        for figure in figures:
            figure.target = None
        title += f" ({quick_note}, no targets)"
    print_table(title, figures)


def print_scaling(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a scaling table (first column = size of the work)."""
    print(f"\n#### Scaling: {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    sys.stdout.flush()
