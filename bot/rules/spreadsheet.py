"""Cells of the CSV files people open in a spreadsheet (the report, the treasurer's export).

Titles, names and addresses are typed by members. A cell that begins with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) is a formula to Excel, LibreOffice and Google Sheets, which can
fetch addresses or run commands when the file is opened. As OWASP advises for CSV injection, such a
text cell gets a leading apostrophe: the spreadsheet shows the text as typed and runs nothing.
Numbers are left alone (a negative amount stays a number).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet may open it: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
