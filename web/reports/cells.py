"""What a spreadsheet cell exported by QLVB may hold: text that never runs as a formula.

A subject, sender or opinion typed by anyone ends up in CSV and XLSX exports that officials open
in Excel or LibreOffice. Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
can be taken for a formula there (CSV/formula injection), so both exports neutralise it here.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """True for text a spreadsheet could run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> str:
    """A CSV cell: formula-like text gets a leading apostrophe, which spreadsheets show as text."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text
