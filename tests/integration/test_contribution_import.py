"""Several contributions at once, on SQLite and PostgreSQL: the rules of logging, duplicates by normalized
link, all or nothing, and a dry run that writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from bot.services.contribution_import import import_contributions
from bot.store.db import Database
from bot.store.models import AuditEvent, Contribution
from tests.conftest import MEMBER, OTHER
from tests.helpers.factories import add_contribution, enrol

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def rows() -> list[dict[str, Any]]:
    return [
        {
            "member": "janedoe",
            "type": "talk",
            "title": "AsyncAPI at KubeCon",
            "link": "https://example.org/talk",
            "date": "2026-11-20",
            "event_name": "KubeCon EU",
            "city": "Paris",
            "country": "France",
            "online": "no",
            "language": "English",
            "audience": "1,200",
            "recording_link": "https://youtu.be/k",
            "slides_link": "https://speakerdeck.com/jane/k",
        },
        {
            "member": MEMBER,
            "type": "Blog post",
            "title": "EDA",
            "link": "https://dev.to/jane/eda",
            "date": "2026-10",
        },
        {
            "member": "Olek Other",
            "type": "workshop",
            "title": "Next year",
            "link": "https://x.org/w",
            "date": "2027-06-01",
            "online": "yes",
        },
        # The same link as the first row (host case and a trailing slash aside): skipped.
        {
            "member": "JaneDoe",
            "type": "talk",
            "title": "Again",
            "link": "https://EXAMPLE.org/talk/",
            "date": "2026-11-20",
        },
        # Already on Jane's record: skipped.
        {
            "member": "janedoe",
            "type": "article",
            "title": "Old",
            "link": "https://example.com/taken",
            "date": "2026-05-01",
        },
    ]


def count(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count(Contribution.id))) or 0


def setup(db: Database) -> None:
    jane = enrol(db, MEMBER, date(2026, 3, 2), github="janedoe")
    enrol(db, OTHER, date(2026, 3, 2), name="Olek Other", github="olek")
    add_contribution(db, jane, date(2026, 5, 1), link="https://example.com/taken")


def test_a_dry_run_says_what_would_happen_and_writes_nothing(db: Database) -> None:
    setup(db)
    summary = import_contributions(db, rows(), today=TODAY, now=NOW, dry_run=True)
    assert [item.line for item in summary.added] == [2, 3, 4]
    assert [(item.line, item.same_as_line) for item in summary.duplicates] == [(5, 2), (6, None)]
    assert summary.problems == [] and not summary.written
    assert count(db) == 1


def test_the_new_rows_are_added_with_their_impact_and_audited(db: Database) -> None:
    setup(db)
    summary = import_contributions(db, rows(), today=TODAY, now=NOW)
    assert summary.written and summary.members == 2
    with db.transaction() as session:
        added = {
            row.title: row
            for row in session.scalars(select(Contribution).where(Contribution.source == "import"))
        }
        audits = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "contribution.imported")
        )
        talk, post, workshop = added["AsyncAPI at KubeCon"], added["EDA"], added["Next year"]
        assert (talk.reach, talk.event_name, talk.city, talk.online, talk.slides_link) == (
            1200,
            "KubeCon EU",
            "Paris",
            False,
            "https://speakerdeck.com/jane/k",
        )
        assert (post.type, post.occurred_on, post.date_precision, post.month) == (
            "article",
            date(2026, 10, 1),
            "month",
            "October",
        )
        assert (workshop.online, workshop.occurred_on) == (True, date(2027, 6, 1))  # upcoming, allowed
        assert audits == 3
    # Importing the same file again adds nothing: every row is now a duplicate.
    again = import_contributions(db, rows(), today=TODAY, now=NOW)
    assert again.added == [] and len(again.duplicates) == 5 and not again.written
    assert count(db) == 4


def test_a_file_with_a_problem_adds_nothing_and_names_each_line(db: Database) -> None:
    setup(db)
    bad = [
        *rows()[:2],
        {"member": "nobody", "type": "talk", "title": "T", "link": "https://x.org/1", "date": "2026-11-01"},
        {"member": "janedoe", "type": "dance", "title": "T", "link": "ftp://x.org/2", "date": "2026-11-01"},
        {
            "member": "janedoe",
            "type": "article",
            "title": "T",
            "link": "https://x.org/3",
            "date": "2026-12-01",
        },
        {"member": "janedoe", "type": "talk", "title": "T", "link": "https://x.org/4", "date": "2028-01-01"},
        {"member": "janedoe", "type": "talk", "title": "T", "link": "https://x.org/5", "date": "soon"},
        {
            "member": "janedoe",
            "type": "talk",
            "title": "T",
            "link": "https://x.org/6",
            "date": "2026-11-01",
            "audience": "lots",
        },
        {
            "member": "janedoe",
            "type": "talk",
            "title": "",
            "link": "https://x.org/7",
            "date": "2026-11-01",
            "color": "red",
        },
        {
            "member": "janedoe",
            "type": "talk",
            "title": "T",
            "link": "https://x.org/8",
            "date": "2026-11-01",
            "slides_link": "slides",
        },
        "not a row",
    ]
    summary = import_contributions(db, bad, today=TODAY, now=NOW)
    assert not summary.written and count(db) == 1
    by_line: dict[int, str] = {}
    for problem in summary.problems:
        by_line[problem.line] = (
            by_line[problem.line] + "; " if problem.line in by_line else ""
        ) + problem.text
    assert by_line[4] == "no member 'nobody' (give a Slack user ID, GitHub handle or name)"
    assert (
        "unknown type" in by_line[5] and "the link must be a full http:// or https:// address" in by_line[5]
    )
    assert "in the future" in by_line[6]
    assert "more than twelve months ahead" in by_line[7]
    assert "is not YYYY-MM-DD or YYYY-MM" in by_line[8]
    assert "audience 'lots' is not a whole number" in by_line[9]
    assert by_line[11] == "slides_link: bad link"
    assert by_line[12] == "not a row of named columns"
    assert by_line[10] == "title is missing; unknown column(s): color"


def test_a_name_two_members_share_is_not_guessed(db: Database) -> None:
    enrol(db, MEMBER, date(2026, 3, 2), name="Alex Kim", github="alexk")
    enrol(db, OTHER, date(2026, 3, 2), name="Alex Kim", github="alexkim")
    summary = import_contributions(
        db,
        [
            {
                "member": "alex kim",
                "type": "talk",
                "title": "T",
                "link": "https://x.org/1",
                "date": "2026-11-01",
            }
        ],
        today=TODAY,
        now=NOW,
    )
    assert [problem.text for problem in summary.problems] == [
        "'alex kim' names several members; give a GitHub handle"
    ]
