"""CSV cells a spreadsheet opens as text, never as a formula (OWASP's CSV injection advice)."""

from __future__ import annotations

import io

import pytest

from bot.cli.benefits import write
from bot.rules.spreadsheet import safe_cell


@pytest.mark.parametrize(
    "typed",
    ["=1+1", '=HYPERLINK("http://x")', "+34 600 000 000", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_text_that_would_start_a_formula_is_quoted(typed: str) -> None:
    assert safe_cell(typed) == "'" + typed


@pytest.mark.parametrize(
    "value", ["Jane Doe", "https://example.com/=x", "2026-03-01", "", "a=b", 0, -5, 12.5, None]
)
def test_everything_else_is_left_as_it_is(value: object) -> None:
    assert safe_cell(value) == value


def test_the_treasurers_export_quotes_them_too() -> None:
    out = io.StringIO()
    write([{"id": 7, "member": "=cmd|' /C calc'!A0", "value": -20}], "csv", out, ("id", "member", "value"))
    assert out.getvalue() == "id,member,value\n7,'=cmd|' /C calc'!A0,-20\n"
