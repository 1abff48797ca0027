"""A ledger of what the reliability tests tried and what held, written to docs/reliability.md.

Tests call :func:`record` for every input or fault they try; when a full run of the suite passes, the
session hook in conftest.py writes the table. The numbers are the tests' own counts, never typed in.
Hypothesis runs derandomized in these tests, so the counts are the same on every run.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

LEDGER: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"


def record(area: str, fault: str, held: bool = True) -> None:
    """Count one attempt at ``fault`` against ``area``, and whether dlgraph held (no crash, nothing lost)."""
    row = LEDGER[(area, fault)]
    row[0] += 1
    row[1] += int(held)


def render() -> str:
    lines = [
        "# Reliability: what was tried and what held",
        "",
        "Written by the test suite (`tests/reliability.py`) at the end of a full passing run: every count",
        'is an input or fault a test actually tried. "Held" means dlgraph answered with its own clear',
        "error or a correct result, with no traceback and no data lost.",
        "",
        "| area | input or fault | tried | held |",
        "|---|---|---:|---:|",
    ]
    for (area, fault), (tried, held) in sorted(LEDGER.items()):
        lines.append(f"| {area} | {fault} | {tried} | {held} |")
    return "\n".join(lines) + "\n"
