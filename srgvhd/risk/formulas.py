"""Cells a spreadsheet program would run as a formula (CSV injection) — the one table.

The cohort reader (:mod:`srgvhd.risk.cohort`) refuses such cells; the score export
(``srgvhd score``) defuses them with a leading apostrophe, as OWASP's "CSV Injection" advice
describes. Leading spaces are skipped, since spreadsheets skip them too. Standard library only.
"""

from __future__ import annotations

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_STARTS = frozenset(FORMULA_PREFIXES) | {" "}


def escape_cell(text: str) -> str:
    """``text`` with an apostrophe in front when a spreadsheet would run it as a formula."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_PREFIXES) else text


def escape_cells(cells: list[str]) -> list[str]:
    """:func:`escape_cell` on a whole column (only cells whose first character could start a
    formula are looked at twice)."""
    return [escape_cell(c) if c[:1] in _STARTS else c for c in cells]
