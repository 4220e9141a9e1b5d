"""The scheduled jobs at scale: the statements a run takes do not grow with the program.

Counted at small sizes (a few, then several times as many ambassadors of each kind); the figures at
10,000 ambassadors and 50,000 contributions come from `bench/jobs_scale.py`, never from a timed test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import delete

from bot.rules import membership as membership_rules
from bot.store.db import Database
from bot.store.models import OutboxMessage
from jobs import digest, reminders, renewals
from jobs.runner import JobContext, JobResult
from tests.e2e.test_home import statements_during
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, job_context

NOW = at("2027-03-02T10:00:00+00:00")
TODAY = NOW.date()
SERIAL = itertools.count()
JOBS: dict[str, Callable[[JobContext, object, bool], JobResult]] = {
    "reminders": reminders.run,  # type: ignore[dict-item]
    "renewals": renewals.run,  # type: ignore[dict-item]
    "digest": digest.run,  # type: ignore[dict-item]
}


def starting_so_it_ends_on(end: date) -> date:
    start = end - timedelta(days=366)
    while membership_rules.first_term(start).end < end:
        start += timedelta(days=1)
    return start


def add_ambassadors(db: Database, each: int) -> None:
    """`each` ambassadors of every kind a job speaks to."""
    for _ in range(each):
        number = next(SERIAL)
        # Behind pace, past the grace weeks: a reminder.
        enrol(db, f"UBEHIND{number:04d}", TODAY - timedelta(days=200), f"Behind {number}")
        # Requirement met, the term ends in 20 days: a renewal notice (and last month's digest).
        met = enrol(db, f"UNOTICE{number:04d}", starting_so_it_ends_on(TODAY + timedelta(days=20)))
        for month in (5, 8, 11):
            add_contribution(db, met, date(2026, month, 2))
        add_contribution(db, met, date(2027, 2, 10), title="Last month")
        # Met, ended three days ago, no renewal asked: verified, may still renew (nothing written).
        grace = enrol(db, f"UGRACE{number:04d}", starting_so_it_ends_on(TODAY - timedelta(days=3)))
        for month in (4, 6, 8, 10):
            add_contribution(db, grace, date(2026, month, 2))
        # Ended three days ago with 3 counted and a 4th waiting for the TSC's review: the verification
        # waits (nothing written, nothing said).
        waits = enrol(db, f"UWAITS{number:04d}", starting_so_it_ends_on(TODAY - timedelta(days=3)))
        for month in (4, 6, 8):
            add_contribution(db, waits, date(2026, month, 2))
        add_contribution(db, waits, date(2026, 10, 2), review_state="pending")


def statements_of_each_job(ctx: JobContext) -> dict[str, tuple[int, int, int]]:
    """Per job: statements of a first run, of a second run (all queued already), and messages queued."""
    with ctx.db.transaction() as session:
        session.execute(delete(OutboxMessage))
    figures = {}
    for name, run in JOBS.items():
        results: list[JobResult] = []
        first = statements_during(ctx.db, lambda run=run, into=results: into.append(run(ctx, NOW, False)))
        again = statements_during(ctx.db, lambda run=run, into=results: into.append(run(ctx, NOW, False)))
        assert results[1].enqueued == []
        figures[name] = (len(first), len(again), len(results[0].enqueued))
    return figures


def test_the_jobs_take_as_many_statements_for_many_ambassadors_as_for_a_few(
    db: Database, fake_slack: FakeSlack
) -> None:
    ctx = job_context(db, fake_slack)
    add_ambassadors(db, 2)
    few = statements_of_each_job(ctx)
    add_ambassadors(db, 6)
    many = statements_of_each_job(ctx)

    # Four times the messages (reminders: the pace reminders, with the inactivity notice inside for
    # those behind, and alone for those whose last contribution was long ago; renewals: the notices, a
    # DM to each member who may still renew and one report, nothing for a term waiting for the TSC's
    # review; the digest is one post however long the month was, and its chart)...
    assert {name: figures[2] for name, figures in few.items()} == {"reminders": 6, "renewals": 5, "digest": 2}
    # (The inactivity notices of the first few were taken: once per stretch, even with the outbox emptied.)
    assert {name: figures[2] for name, figures in many.items()} == {
        "reminders": 20,
        "renewals": 17,
        "digest": 2,
    }
    # ...in the same statements: reading what is due, what is queued already, and one insert.
    assert {name: figures[:2] for name, figures in many.items()} == {
        name: figures[:2] for name, figures in few.items()
    }
    # reminders: who is paused, every ambassador's stretch of inactivity and the steps taken, who is
    # due, which reminders this period has had, who has no Slack account, which keys exist, one insert,
    # the steps taken now, and one update replacing reminders still waiting (none on a rerun);
    # renewals: that for the verification and for the notices, the report's check and what the
    # verified terms reached, and the benefits step (approved requests waiting to be fulfilled,
    # shipping details due for erasure); digest: last month's contributions, the key, the insert,
    # then the chart's figures (contributions by day and type), its key, its insert.
    assert {name: figures[:2] for name, figures in many.items()} == {
        "reminders": (10, 6),
        "renewals": (10, 7),
        "digest": (6, 4),
    }
