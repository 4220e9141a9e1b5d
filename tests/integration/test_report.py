"""The program report on both databases: its figures against a small program worked out by hand, and
the same number of statements whatever the program's size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, update

from bot.rules import report as report_rules
from bot.services import report as report_service
from bot.store.db import Database
from bot.store.models import Contribution, Member, MemberStatus, Term, TermStatus
from tests.conftest import MEMBER, OTHER
from tests.helpers.factories import add_contribution, add_member, enrol

UTC_ZONE = ZoneInfo("UTC")
TODAY = date(2026, 3, 15)
Q1 = report_rules.quarter(2026, 1)


def impact(db: Database, contribution_id: int, **values: Any) -> None:
    with db.transaction() as session:
        session.execute(update(Contribution).where(Contribution.id == contribution_id).values(**values))


def term(
    db: Database, member_id: int, start: date, end: date, status: str, closed_at: datetime | None = None
) -> None:
    with db.transaction() as session:
        session.add(Term(member_id=member_id, start_on=start, end_on=end, status=status, closed_at=closed_at))


def small_program(db: Database) -> None:
    """Q1 2026, as of March 15 (4 contributions a year required):

    - Jane (Spain): a talk in France on Jan 10 (120 attendees), an article Feb 5 (300 readers), a talk
      logged ahead for Mar 20. Her term began 2025-06-01: 2 counted where 3 are expected by now.
    - Olek (no country): an online video Feb 20 (1,000 views), an article Mar 1 (no audience), and an
      article in December 2025 (outside the period).
    - Sam (no Slack): stepped down on Feb 10, his term closed that day.
    - Rita: her 2025 term completed, the next one began Jan 1 (a renewal).
    - Ray: a term that lapsed in 2024, back from Feb 1 2026 (a rejoin, not a renewal).
    """
    jane = enrol(db, MEMBER, date(2025, 6, 1), "Jane Doe", country="Spain")
    talk = add_contribution(db, jane, date(2026, 1, 10), type_="talk", title="KubeCon talk")
    impact(db, talk, reach=120, country="France", city="Paris")
    article = add_contribution(db, jane, date(2026, 2, 5), title="Events post")
    impact(db, article, reach=300)
    add_contribution(db, jane, date(2026, 3, 20), type_="talk", title="Upcoming talk")

    olek = enrol(db, OTHER, date(2026, 1, 15), "Olek Other")
    video = add_contribution(db, olek, date(2026, 2, 20), type_="video", title="Stream")
    impact(db, video, reach=1000, online=True)
    add_contribution(db, olek, date(2026, 3, 1), title="Guide")
    add_contribution(db, olek, date(2025, 12, 20), title="Before the period")

    sam = add_member(db, None, "Sam Stepped", status=MemberStatus.EMERITUS)
    with db.transaction() as session:
        session.execute(
            update(Member)
            .where(Member.id == sam)
            .values(emeritus_reason="stepped_down", status_changed_at=datetime(2026, 2, 10, 9, tzinfo=UTC))
        )
    term(db, sam, date(2025, 3, 1), date(2026, 2, 28), TermStatus.ENDED, datetime(2026, 2, 10, 9, tzinfo=UTC))

    rita = enrol(db, None, date(2026, 1, 1), "Rita Renewed")
    term(
        db,
        rita,
        date(2025, 1, 1),
        date(2025, 12, 31),
        TermStatus.COMPLETED,
        datetime(2025, 12, 1, tzinfo=UTC),
    )
    ray = enrol(db, None, date(2026, 2, 1), "Ray Rejoined")
    term(db, ray, date(2024, 1, 1), date(2024, 12, 31), TermStatus.LAPSED, datetime(2025, 1, 1, tzinfo=UTC))


def test_the_figures_of_a_small_program(db: Database) -> None:
    small_program(db)

    report = report_service.program_report(db, Q1, today=TODAY, required=4, zone=UTC_ZONE)

    assert (report.contributions, report.upcoming, report.contributors, report.audience) == (4, 1, 2, 1420)
    assert report.by_type == {"article": 2, "talk": 1, "video": 1}
    assert report.by_month == [("2026-01", 1, 120), ("2026-02", 2, 1300), ("2026-03", 1, 0)]
    assert report.by_country == {"France": 1, "Not given": 1, "Online": 1, "Spain": 1}
    assert [(row.name, row.contributions, row.audience) for row in report.top] == [
        ("Jane Doe", 2, 420),
        ("Olek Other", 2, 1000),
    ]
    assert (report.ambassadors_in_period, report.ambassadors_now) == (5, 4)
    assert [(row.name, row.counted, row.expected_by_now) for row in report.behind_pace] == [
        ("Jane Doe", 2, 3)
    ]
    assert report.renewals == 1
    assert report.emeritus == {"stepped_down": 1}
    assert report.series.counts == {"article": [0, 1, 1], "talk": [1, 0, 0], "video": [0, 1, 0]}
    assert report.series.audience == [120, 1300, 0]


def test_every_contribution_of_the_period_with_what_it_reached(db: Database) -> None:
    small_program(db)

    lines = list(report_service.contribution_lines(db, Q1, TODAY))

    assert [(line.occurred_on.isoformat(), line.member, line.type, line.counted) for line in lines] == [
        ("2026-01-10", "Jane Doe", "talk", True),
        ("2026-02-05", "Jane Doe", "article", True),
        ("2026-02-20", "Olek Other", "video", True),
        ("2026-03-01", "Olek Other", "article", True),
        ("2026-03-20", "Jane Doe", "talk", False),
    ]
    first = lines[0]
    assert (first.city, first.country, first.audience, first.member_country) == (
        "Paris",
        "France",
        120,
        "Spain",
    )
    assert lines[2].online is True and lines[2].audience == 1000


def test_an_empty_period_reads_as_zeros(db: Database) -> None:
    report = report_service.program_report(
        db, report_rules.year(2025), today=TODAY, required=4, zone=UTC_ZONE
    )

    assert (report.contributions, report.audience, report.top, report.behind_pace) == (0, 0, [], [])
    assert report.by_month[0] == ("2025-01", 0, 0) and len(report.by_month) == 12


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def grow(db: Database, ambassadors: int, per_ambassador: int) -> None:
    for number in range(ambassadors):
        member_id = enrol(
            db, None, date(2025, 1 + number % 12, 1), f"Member {number}", country=f"C{number % 7}"
        )
        for index in range(per_ambassador):
            add_contribution(db, member_id, date(2026, 1 + index % 3, 1 + number % 14), title=f"Post {index}")


def test_the_number_of_statements_does_not_grow_with_the_program(db: Database) -> None:
    """Seven statements for a handful of ambassadors and for many times more (not a timing test)."""
    small_program(db)
    with statements(db) as few:
        report_service.program_report(db, Q1, today=TODAY, required=4, zone=UTC_ZONE)
    grow(db, 40, 5)
    with statements(db) as many:
        larger = report_service.program_report(db, Q1, today=TODAY, required=4, zone=UTC_ZONE)

    assert larger.contributions == 4 + 200
    selects = [statement for statement in few if statement.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 7
    assert len(many) == len(few)
