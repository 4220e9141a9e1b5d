"""The program report's periods and its figures on plain data (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rules import report as rules
from bot.rules.report import DayCount, PeriodError

TODAY = date(2026, 8, 14)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("", date(2026, 1, 1), TODAY, "2026 so far"),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        ("2024q2", date(2024, 4, 1), date(2024, 6, 30), "2024-Q2"),
        (" 2026-q4 ", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
    ],
)
def test_periods_named_in_slack(text: str, start: date, end: date, label: str) -> None:
    period = rules.parse_period(text, TODAY)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-Q5", "is not a quarter"),
        ("last year", "is not a period: write a year (`2026`) or a quarter (`2026-Q1`)"),
        ("1999", "outside the years a report covers"),
        ("2031", "outside the years a report covers"),
    ],
)
def test_periods_that_do_not_read_say_what_to_write(text: str, says: str) -> None:
    with pytest.raises(PeriodError, match=says.replace("(", r"\(").replace(")", r"\)")):
        rules.parse_period(text, TODAY)


def test_from_and_to() -> None:
    assert rules.between("2026-02-01", "2026-04-30", TODAY).label == "2026-02-01 to 2026-04-30"
    assert rules.between("2026-02-01", None, TODAY).end == TODAY
    with pytest.raises(PeriodError, match="--from 2026-05-01 comes after --to 2026-04-30"):
        rules.between("2026-05-01", "2026-04-30", TODAY)
    with pytest.raises(PeriodError, match="--to needs --from too"):
        rules.between(None, "2026-04-30", TODAY)
    with pytest.raises(PeriodError, match="is not a date: write it as YYYY-MM-DD"):
        rules.between("01/02/2026", None, TODAY)


def test_the_monthly_post_covers_the_year_to_the_end_of_last_month() -> None:
    assert rules.month_before(date(2026, 1, 1)) == date(2025, 12, 1)
    december = rules.year_to_month_end(rules.month_before(date(2026, 1, 1)))
    assert (december.start, december.end, december.key) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        "2025-01-01_2025-12-31",
    )
    assert rules.year_to_month_end(date(2026, 1, 1)).label == "2026, Jan"
    assert rules.year_to_month_end(date(2026, 2, 1)).end == date(2026, 2, 28)


def test_a_period_across_years_lists_each_month() -> None:
    period = rules.between("2025-11-15", "2026-02-03", TODAY)
    assert period.months() == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_the_series_keeps_the_most_frequent_types_and_gathers_the_rest() -> None:
    rows = [
        DayCount(date(2026, 1, 5), kind, count, audience)
        for kind, count, audience in [
            ("talk", 5, 100),
            ("article", 4, 10),
            ("video", 3, 0),
            ("podcast", 2, 7),
        ]
    ] + [DayCount(date(2026, 2, 1), "meetup", 1, 0), DayCount(date(2026, 2, 2), "talk", 1, 50)]

    series = rules.series("Q1", rules.quarter(2026, 1), rows, kinds=3)

    assert series.months == ["2026-01", "2026-02", "2026-03"]
    assert series.counts == {"talk": [5, 1, 0], "article": [4, 0, 0], "other": [5, 1, 0]}
    assert series.audience == [117, 50, 0]
    assert series.totals() == [14, 2, 0]
    assert rules.Series.from_json(series.to_json()) == series
    assert series.as_text().splitlines()[0] == "Jan 2026: 14 contributions, audience 117"
