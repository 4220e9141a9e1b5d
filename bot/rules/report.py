"""The program report's periods and its figures on plain data.

A period is a span of whole days, both ends included: a year (`2026`), a quarter (`2026-Q3`), or any
two dates (`--from 2026-02-01 --to 2026-04-30`). Without one, the report covers the year so far.
Contributions are placed in the month they happened (`occurred_on`), not the month they were logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# Years a report may name: the program's whole life, and no typo ten centuries away.
FIRST_YEAR = 2000
YEARS_AHEAD = 1
YEAR = re.compile(r"^(\d{4})$")
QUARTER = re.compile(r"^(\d{4})-?[qQ]([0-9])$")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The chart stacks at most this many types; the rest are drawn together as "other".
CHART_TYPES = 5
OTHER = "other"


class PeriodError(ValueError):
    """A period the reader cannot use; the message says what to type instead."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    label: str  # "2026", "2026-Q3", "2026-02-01 to 2026-04-30"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches, in order."""
        months = []
        month = self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = next_month(month)
        return months

    @property
    def key(self) -> str:
        """The period in a form fit for outbox keys and file names (no spaces)."""
        return self.label if " " not in self.label else f"{self.start}_{self.end}"


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_before(today: date) -> date:
    """The first day of the calendar month before `today`'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 31), f"{number}")


def quarter(number: int, which: int) -> Period:
    first = date(number, 3 * which - 2, 1)
    last = next_month(date(number, 3 * which, 1)) - timedelta(days=1)
    return Period(first, last, f"{number}-Q{which}")


def year_so_far(today: date) -> Period:
    """The default: from January 1 to today."""
    return Period(date(today.year, 1, 1), today, f"{today.year} so far")


def year_to_month_end(month: date) -> Period:
    """From January 1 of `month`'s year to the end of `month` (what the monthly post covers)."""
    end = next_month(month) - timedelta(days=1)
    label = f"{month.year}, {MONTH_NAMES[0]} to {MONTH_NAMES[month.month - 1]}"
    return Period(
        date(month.year, 1, 1), end, label if month.month > 1 else f"{month.year}, {MONTH_NAMES[0]}"
    )


def _check_year(number: int, today: date) -> int:
    if not FIRST_YEAR <= number <= today.year + YEARS_AHEAD:
        raise PeriodError(f"{number} is outside the years a report covers ({FIRST_YEAR} to {today.year})")
    return number


def parse_period(text: str, today: date) -> Period:
    """`2026`, `2026-Q3` (or `2026Q3`, `2026-q3`), or empty for the year so far."""
    given = text.strip()
    if not given:
        return year_so_far(today)
    if match := YEAR.match(given):
        return year(_check_year(int(match.group(1)), today))
    if match := QUARTER.match(given):
        which = int(match.group(2))
        if not 1 <= which <= 4:
            raise PeriodError(f"`{given}` is not a quarter: write Q1 to Q4, e.g. `{match.group(1)}-Q{1}`")
        return quarter(_check_year(int(match.group(1)), today), which)
    raise PeriodError(
        f"`{given[:40]}` is not a period: write a year (`{today.year}`) or a quarter (`{today.year}-Q1`)"
    )


def parse_date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{name} `{text.strip()[:40]}` is not a date: write it as YYYY-MM-DD") from None


def between(start_text: str | None, end_text: str | None, today: date) -> Period:
    """`--from` and `--to`: `--to` alone is not enough; `--from` alone runs to today."""
    if not start_text:
        raise PeriodError("--to needs --from too (or name a year or quarter with --period)")
    start = parse_date(start_text, "--from")
    end = parse_date(end_text, "--to") if end_text else today
    if end < start:
        raise PeriodError(f"--from {start} comes after --to {end}")
    _check_year(start.year, today)
    _check_year(end.year, today)
    return Period(start, end, f"{start} to {end}")


# --- the figures on plain data ---------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    """What the report's one grouping query returns: contributions of one type on one day."""

    day: date
    type: str
    count: int
    audience: int


@dataclass(frozen=True)
class Series:
    """Contributions per month by type, and their audience per month: the chart's data, as plain
    JSON-able values (an outbox row keeps it, so a retried upload draws the same picture)."""

    title: str
    months: list[str]  # "2026-01"
    counts: dict[str, list[int]] = field(default_factory=dict)  # type → a count per month
    audience: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "months": self.months, "counts": self.counts, "audience": self.audience}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Series:
        return cls(
            str(data["title"]),
            [str(month) for month in data["months"]],
            {str(kind): [int(n) for n in values] for kind, values in dict(data["counts"]).items()},
            [int(n) for n in data["audience"]],
        )

    def totals(self) -> list[int]:
        return [sum(values[index] for values in self.counts.values()) for index in range(len(self.months))]

    def as_text(self) -> str:
        """The chart's data in words, one month a line (for the message beside the picture)."""
        lines = []
        for month, total, audience in zip(self.months, self.totals(), self.audience, strict=True):
            lines.append(
                f"{month_label(month)}: {total} contribution{'s' * (total != 1)}, audience {audience:,}"
            )
        return "\n".join(lines)


def month_label(month: str) -> str:
    """ "2026-03" → "Mar 2026"."""
    year_text, month_text = month.split("-")
    return f"{MONTH_NAMES[int(month_text) - 1]} {year_text}"


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def by_type(rows: Iterable[DayCount]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.type] = totals.get(row.type, 0) + row.count
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def series(title: str, period: Period, rows: Iterable[DayCount], kinds: int = CHART_TYPES) -> Series:
    """The per-month figures of `period`: the `kinds` most frequent types, the others as "other"."""
    rows = list(rows)
    months = [month_key(month) for month in period.months()]
    index = {month: position for position, month in enumerate(months)}
    ranked = list(by_type(rows))
    shown = ranked if len(ranked) <= kinds else ranked[: kinds - 1]
    counts = {kind: [0] * len(months) for kind in shown}
    if len(shown) < len(ranked):  # the rest joins "other" (with the type of that name, if shown)
        counts.setdefault(OTHER, [0] * len(months))
    audience = [0] * len(months)
    for row in rows:
        position = index.get(month_key(row.day))
        if position is None:
            continue
        counts[row.type if row.type in shown else OTHER][position] += row.count
        audience[position] += row.audience
    return Series(title, months, counts, audience)
