"""How long the program report takes at 10,000 ambassadors and 50,000 contributions, chart included.

    .venv/bin/python bench/report.py [--database-url URL] [--ambassadors 10000] [--contributions 50000]
                                     [--repeat 3] [--chart FILE]

Fills a database (a fresh SQLite file by default; pass a scratch PostgreSQL database's URL to measure
that, its tables are filled), then builds the report of the year so far several times and prints the
SQL statements each time (the same at every size) and the seconds: the figures alone, and with the
Slack message and the chart's PNG. The first drawing also imports matplotlib; it is timed apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, event, insert

from bot.blocks import report as report_blocks
from bot.report import drawing
from bot.rules import membership as membership_rules
from bot.rules import report as report_rules
from bot.services import report as report_service
from bot.store.db import Database
from bot.store.models import Contribution, Member, Term

TODAY = date(2026, 11, 24)
# The program's types, about as often as AsyncAPI's members file has them (talks and articles first).
TYPES = ("talk", "article", "presentation", "video", "podcast", "workshop", "booth", "initiative")
WEIGHTS = (30, 25, 15, 10, 8, 6, 3, 3)
COUNTRIES = ("Spain", "India", "Brazil", "Nigeria", "Germany", "United States", "Japan", None)


def fill(db: Database, ambassadors: int, contributions: int) -> None:
    rng = random.Random(18)
    members, terms, rows = [], [], []
    for number in range(1, ambassadors + 1):
        members.append(
            {
                "id": number,
                "name": f"Ambassador {number}",
                "status": "active",
                "country": rng.choice(COUNTRIES),
                "slack_user_id": f"UAMB{number:06d}",
                "created_at": datetime.now(UTC),
                "updated_at": datetime.now(UTC),
            }
        )
        start = TODAY - timedelta(days=rng.randrange(0, 360))
        terms.append(
            {
                "member_id": number,
                "start_on": start,
                "end_on": membership_rules.first_term(start).end,
                "status": "active",
                "paused_days": 0,
                "created_at": datetime.now(UTC),
            }
        )
    for number in range(contributions):
        day = TODAY - timedelta(days=rng.randrange(0, 330))
        kind = rng.choices(TYPES, WEIGHTS)[0]
        link = f"https://example.com/{number}"
        rows.append(
            {
                "member_id": rng.randrange(1, ambassadors + 1),
                "type": kind,
                "title": f"Contribution {number}",
                "link": link,
                "link_key": link,
                "year": day.year,
                "month": membership_rules.month_label(day),
                "occurred_on": day,
                "date_precision": "day",
                "reach": rng.choice((None, rng.randrange(10, 5000))),
                "country": rng.choice(COUNTRIES),
                "online": rng.random() < 0.3,
                "source": "slack",
                "logged_at": datetime.now(UTC),
                "updated_at": datetime.now(UTC),
            }
        )
    with db.transaction() as session:
        for model, values in ((Member, members), (Term, terms), (Contribution, rows)):
            for first in range(0, len(values), 5000):
                session.execute(insert(cast(Table, model.__table__)), values[first : first + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--ambassadors", type=int, default=10_000)
    parser.add_argument("--contributions", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chart", type=Path, help="also write the chart here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(args.database_url or f"sqlite:///{scratch}/bench.db")
        db.upgrade()
        started = time.perf_counter()
        fill(db, args.ambassadors, args.contributions)
        print(
            f"filled {args.ambassadors:,} ambassadors, {args.contributions:,} contributions "
            f"in {time.perf_counter() - started:.1f} s ({db.engine.dialect.name})"
        )
        statements: list[Any] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        period = report_rules.year_so_far(TODAY)
        started = time.perf_counter()
        drawing.png(report_rules.Series("warm-up", ["2026-01"], {}, [0]))
        print(f"first drawing (imports matplotlib): {time.perf_counter() - started:.2f} s")
        figures, whole = [], []
        for _ in range(args.repeat):
            statements.clear()
            started = time.perf_counter()
            report = report_service.program_report(db, period, today=TODAY, required=4, zone=ZoneInfo("UTC"))
            figures.append(time.perf_counter() - started)
            report_blocks.report_message(report)
            picture = drawing.png(report.series)
            whole.append(time.perf_counter() - started)
        print(
            f"report of {period.label}: {report.contributions:,} contributions, "
            f"{len(report.behind_pace):,} behind pace, {len(statements)} statements"
        )
        print(
            f"seconds, median of {args.repeat}: figures {statistics.median(figures):.2f}, "
            f"with the message and the chart {statistics.median(whole):.2f}"
        )
        if args.chart:
            args.chart.write_bytes(picture)
        db.dispose()


if __name__ == "__main__":
    main()
