"""The scheduled jobs, the App Home and `/ambassador list` for a large program.

    .venv/bin/python bench/jobs_scale.py [--ambassadors 10000] [--contributions 50000]
                                         [--database-url URL]

Fills a fresh database with `--ambassadors` active ambassadors (terms started on every day of the
last year, so some are behind pace, some due a renewal notice, some due their verification) and
`--contributions` contributions (a tenth of them logged in Slack last month, for the digest), then
runs each job once as the scheduler would (`reminders`, `renewals`, `digest`, writing their outbox
rows) and once more (everything already queued), printing the SQL statements and the seconds of each
run. Then the App Home of a TSC member who is an ambassador, and the `list` answer, at that size:
statements, milliseconds, blocks and characters, checked against Slack's limits by the fake Slack's
own validators. The default database is a fresh SQLite file; pass a scratch PostgreSQL URL to
measure that (its tables are filled, so use an empty database).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert

from bot.blocks import contributions as contributions_blocks
from bot.blocks import home as home_blocks
from bot.blocks import kit
from bot.rules import membership as membership_rules
from bot.services import home, members
from bot.settings import Settings
from bot.store.db import Database
from bot.store.models import Contribution, Member, Term
from jobs import digest, reminders, renewals
from jobs.runner import JobContext
from tests.fakes.slack import BOT_TOKEN, check_message, check_view

NOW = datetime(2027, 3, 2, 10, tzinfo=UTC)
TODAY = NOW.date()
VIEWER = "U0VIEWER"
TYPES = ("talk", "article", "video", "workshop", "podcast")
T = TypeVar("T")


def fill(db: Database, ambassadors: int, contributions: int) -> None:
    """Bulk inserts (a few statements per thousand rows), so filling takes seconds, not minutes."""
    with db.transaction() as session:
        member_ids = list(
            session.scalars(
                insert(Member).returning(Member.id, sort_by_parameter_order=True),
                [
                    {
                        "slack_user_id": VIEWER if number == 0 else f"U{number:08d}",
                        "name": f"Ambassador {number}",
                        "title": "Developer Advocate",
                        "company": f"Company {number % 300}",
                        "status": "active",
                        "is_tsc_member": number == 0,
                    }
                    for number in range(ambassadors)
                ],
            )
        )
        starts = {}
        term_rows = []
        for number, member_id in enumerate(member_ids):
            # Terms that started on each of the last 366 days (a few ended yesterday or the day before).
            start = TODAY - timedelta(days=1 + number % 366)
            starts[member_id] = start
            term_rows.append(
                {"member_id": member_id, "start_on": start, "end_on": membership_rules.first_term(start).end}
            )
        session.execute(insert(Term), term_rows)
        last_month = datetime(2027, 2, 1, 12, tzinfo=UTC)
        rows = []
        # Half the ambassadors have all the contributions, the other half none (behind pace).
        active_half = member_ids[: max(1, len(member_ids) // 2)]
        for number in range(contributions):
            member_id = active_half[number % len(active_half)]
            start = starts[member_id]
            day = start + timedelta(days=(number // len(active_half)) * 30)
            day = min(day, TODAY - timedelta(days=1))
            link = f"https://example.com/{member_id}/{number}"
            from_slack = number % 10 == 0
            rows.append(
                {
                    "member_id": member_id,
                    "type": TYPES[number % len(TYPES)],
                    "title": f"Contribution {number}",
                    "link": link,
                    "link_key": link,
                    "year": day.year,
                    "month": membership_rules.month_label(day),
                    "occurred_on": day,
                    "source": "slack" if from_slack else "import",
                    "logged_at": last_month + timedelta(minutes=number % 20000) if from_slack else None,
                }
            )
        for start_at in range(0, len(rows), 10_000):
            session.execute(insert(Contribution), rows[start_at : start_at + 10_000])


class Statements:
    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.count += 1

    @contextmanager
    def measuring(self) -> Iterator[dict[str, float]]:
        figures: dict[str, float] = {}
        self.count = 0
        began = time.perf_counter()
        yield figures
        figures["seconds"] = time.perf_counter() - began
        figures["statements"] = self.count


def measured(statements: Statements, work: Callable[[], T]) -> tuple[T, dict[str, float]]:
    with statements.measuring() as figures:
        result = work()
    return result, figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ambassadors", type=int, default=10_000)
    parser.add_argument("--contributions", type=int, default=50_000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if args.ambassadors < 1 or args.contributions < 0:
        parser.error("--ambassadors >= 1, --contributions >= 0")

    with tempfile.TemporaryDirectory() as scratch:
        db = Database(args.database_url or f"sqlite:///{scratch}/bench.db")
        db.upgrade()
        began = time.perf_counter()
        fill(db, args.ambassadors, args.contributions)
        print(
            f"{db.engine.dialect.name}: {args.ambassadors} ambassadors, {args.contributions} contributions "
            f"(filled in {time.perf_counter() - began:.1f} s); now {NOW.isoformat()}"
        )
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            slack_bot_token=BOT_TOKEN,
            database_url=db.url,
            review_channel="C0REVIEW",
            announce_channel="C0ANNOUNCE",
        )
        ctx = JobContext.create(settings, db)
        statements = Statements(db)
        print(f"{'job':<10} {'run':<7} {'statements':>10} {'seconds':>8} {'due':>6} {'queued':>7}")
        for name, job in (("reminders", reminders.run), ("renewals", renewals.run), ("digest", digest.run)):
            for run in ("first", "again"):
                result, figures = measured(statements, lambda job=job: job(ctx, NOW, False))  # type: ignore[misc]
                print(
                    f"{name:<10} {run:<7} {figures['statements']:>10.0f} {figures['seconds']:>8.2f} "
                    f"{len(result.planned):>6} {len(result.enqueued):>7}"
                )

        zone = ZoneInfo("Europe/Madrid")
        data, load = measured(
            statements,
            lambda: home.load_home(db, VIEWER, TODAY, NOW, settings.required_contributions, is_tsc=True),
        )
        view, build = measured(statements, lambda: home_blocks.home_view(data, zone))
        check_view(view, "home")
        print(
            f"App Home (TSC ambassador): {load['statements']:.0f} statements, load "
            f"{load['seconds'] * 1000:.0f} ms + build {build['seconds'] * 1000:.0f} ms; "
            f"{len(view['blocks'])} blocks (limit {kit.MAX_VIEW_BLOCKS}); accepted by the validator"
        )
        rows, listing = measured(statements, lambda: members.list_ambassadors(db, TODAY))
        reply, render = measured(
            statements,
            lambda: contributions_blocks.ambassador_list_message(rows, settings.required_contributions),
        )
        check_message(reply)
        print(
            f"/ambassador list: {listing['statements']:.0f} statement, query "
            f"{listing['seconds'] * 1000:.0f} ms + build {render['seconds'] * 1000:.0f} ms; "
            f"{len(reply['blocks'])} blocks (limit {kit.MAX_MESSAGE_BLOCKS}), "
            f"fallback text {len(reply['text'])} characters (limit 40000); accepted by the validator"
        )
        db.dispose()


if __name__ == "__main__":
    main()
