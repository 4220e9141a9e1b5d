"""How long building an App Home takes as the program grows (load from the database + Block Kit).

    .venv/bin/python bench/home.py [--database-url URL] [--ambassadors 500] [--contributions 300]
                                   [--applications 200] [--repeat 50]

Prints, for a TSC member who is also an ambassador with `--contributions` contributions (the largest
Home there is), the SQL statements per Home and the median and 95th-percentile milliseconds. The default
database is a fresh SQLite file in a temporary directory; pass a PostgreSQL URL to measure that (its
tables are filled, so use a scratch database).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from bot.blocks import home as home_blocks
from bot.blocks import kit
from bot.rules import membership as membership_rules
from bot.services import home
from bot.store.db import Database
from bot.store.models import Application, Contribution, Member, Term

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
VIEWER = "U0VIEWER"


def fill(db: Database, ambassadors: int, contributions: int, applications: int) -> None:
    start = date(2026, 3, 2)
    with db.transaction() as session:
        viewer = Member(slack_user_id=VIEWER, name="Viewer", status="active", is_tsc_member=True)
        session.add(viewer)
        session.flush()
        session.add(Term(member_id=viewer.id, start_on=start, end_on=membership_rules.first_term(start).end))
        for number in range(contributions):
            link = f"https://example.com/viewer/{number}"
            day = start + timedelta(days=number % 260)
            session.add(
                Contribution(
                    member_id=viewer.id,
                    type="talk",
                    title=f"Talk {number}",
                    link=link,
                    link_key=link,
                    year=day.year,
                    month=membership_rules.month_label(day),
                    occurred_on=day,
                )
            )
        for number in range(ambassadors):
            member = Member(slack_user_id=f"UAMB{number:06d}", name=f"Ambassador {number}", status="active")
            session.add(member)
            session.flush()
            begun = start - timedelta(days=number % 300)
            session.add(
                Term(member_id=member.id, start_on=begun, end_on=membership_rules.first_term(begun).end)
            )
            for index in range(number % 5):
                day = begun + timedelta(days=20 * index)
                link = f"https://example.com/{number}/{index}"
                session.add(
                    Contribution(
                        member_id=member.id,
                        type="article",
                        title="An article",
                        link=link,
                        link_key=link,
                        year=day.year,
                        month=membership_rules.month_label(day),
                        occurred_on=day,
                    )
                )
        for number in range(applications):
            member = Member(slack_user_id=f"UAPP{number:06d}", name=f"Applicant {number}", status="candidate")
            session.add(member)
            session.flush()
            session.add(
                Application(
                    member_id=member.id,
                    status="pending",
                    submitted_at=NOW - timedelta(hours=number),
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--ambassadors", type=int, default=500)
    parser.add_argument("--contributions", type=int, default=300)
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        db = Database(args.database_url or f"sqlite:///{Path(scratch) / 'bench.db'}")
        db.upgrade()
        fill(db, args.ambassadors, args.contributions, args.applications)
        statements: list[Any] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        zone = ZoneInfo("Europe/Madrid")
        timings = []
        for _ in range(args.repeat):
            statements.clear()
            began = time.perf_counter()
            data = home.load_home(db, VIEWER, TODAY, NOW, 4, is_tsc=True)
            view = home_blocks.home_view(data, zone)
            timings.append((time.perf_counter() - began) * 1000)
        db.dispose()

    timings.sort()
    print(
        f"App Home for a TSC ambassador: {args.contributions} own contributions, {args.ambassadors} "
        f"ambassadors, {args.applications} pending applications ({db.engine.dialect.name})"
    )
    print(f"  SQL statements per Home: {len(statements)}")
    print(f"  blocks in the view:      {len(view['blocks'])} (Slack's limit: {kit.MAX_VIEW_BLOCKS})")
    print(f"  median:                  {statistics.median(timings):.1f} ms")
    print(f"  95th percentile:         {timings[int(len(timings) * 0.95) - 1]:.1f} ms")


if __name__ == "__main__":
    main()
