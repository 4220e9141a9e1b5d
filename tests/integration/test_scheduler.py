"""APScheduler as the clock: its configuration, catching up at start, and one worker per tick."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.outbox.queue import enqueue
from bot.store.db import Database
from bot.store.models import OutboxStatus
from jobs import scheduler as scheduling
from jobs.runner import JobResult, exclusive
from jobs.scheduler import JOBS, build_scheduler, next_run, run_job, tick
from tests.conftest import MEMBER
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, job_context, outbox


def test_every_job_is_scheduled_with_safe_options(db: Database, fake_slack: FakeSlack) -> None:
    ctx = job_context(
        db, fake_slack, timezone="Europe/Madrid", digest_schedule="0 9 1 * *", sender_interval_seconds=15
    )
    scheduler = build_scheduler(ctx)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert (
            sorted(jobs)
            == sorted(JOBS)
            == [
                "access",
                "access-changes",
                "activity",
                "announce",
                "contribution-review",
                "digest",
                "invitations",
                "publish",
                "reminders",
                "renewals",
                "report",
                "sender",
                "talk-followups",
            ]
        )
        for job in jobs.values():
            assert (job.coalesce, job.misfire_grace_time, job.max_instances) == (True, None, 1)
            assert job.trigger.timezone == ZoneInfo("Europe/Madrid")
            # Every job runs once at start: the in-memory store does not remember missed runs.
            assert job.next_run_time <= datetime.now(UTC) + timedelta(seconds=1)
        digest = jobs["digest"].trigger
        assert isinstance(digest, CronTrigger)
        assert str(digest) == "cron[month='*', day='1', day_of_week='*', hour='9', minute='0']"
        assert isinstance(jobs["sender"].trigger, IntervalTrigger)
        assert jobs["sender"].trigger.interval == timedelta(seconds=15)
        assert isinstance(jobs["invitations"].trigger, IntervalTrigger)
        assert isinstance(jobs["access-changes"].trigger, IntervalTrigger)
        assert (
            str(jobs["access"].trigger) == "cron[month='*', day='*', day_of_week='*', hour='6', minute='30']"
        )
        assert (
            str(jobs["publish"].trigger) == "cron[month='*', day='*', day_of_week='*', hour='6', minute='0']"
        )
        assert isinstance(scheduler._jobstores["default"], MemoryJobStore)
    finally:
        scheduler.shutdown(wait=False)


def test_next_runs_follow_the_cron_strings_in_the_program_time_zone(
    db: Database, fake_slack: FakeSlack
) -> None:
    ctx = job_context(db, fake_slack, timezone="America/New_York", reminders_schedule="30 8 * * mon")
    now = at("2026-11-24T12:00:00+00:00")  # a Tuesday, 07:00 in New York

    assert next_run(JOBS["reminders"], ctx.settings, now) == datetime(
        2026, 11, 30, 8, 30, tzinfo=ZoneInfo("America/New_York")
    )
    assert next_run(JOBS["digest"], ctx.settings, now) == datetime(
        2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/New_York")
    )


def test_a_started_scheduler_catches_up_and_delivers(db: Database, fake_slack: FakeSlack) -> None:
    # A reminder queued before a restart, and an ambassador behind pace whose reminder is not queued
    # yet: both go out as soon as the scheduler starts, without waiting for the schedules. The ticks
    # take their time from the context's clock, so the test does not depend on today's date or hour.
    now = at("2026-11-24T10:00:00+00:00")
    with db.transaction() as session:
        enqueue(
            session,
            key="welcome:application:1",
            kind="welcome",
            channel=MEMBER,
            text="Welcome!",
            now=now - timedelta(minutes=1),
        )
    member = enrol(db, "U0BEHIND", date(2026, 1, 28), name="Bea Behind", github="bea")  # 300 days in
    add_contribution(db, member, date(2026, 2, 7))  # 1 of the 3 expected by now
    fake_slack.add_user("U0BEHIND", "Bea Behind", tz="UTC")
    ctx = job_context(db, fake_slack, sender_interval_seconds=1)  # 10:00 UTC: daytime for both
    ctx.clock = lambda: now
    scheduler = build_scheduler(ctx)

    scheduler.start()
    try:
        fake_slack.wait_for(lambda: len(fake_slack.messages) >= 4, timeout=15)
    finally:
        scheduler.shutdown(wait=True)

    # The program report of the year to the end of October comes too, with its chart.
    assert sorted(m.channel for m in fake_slack.messages) == ["C0REVIEW", "C0REVIEW", "D0BEHIND", "D0MEMBER"]
    assert {(row.key, row.status) for row in outbox(db)} == {
        ("welcome:application:1", OutboxStatus.SENT),
        ("reminder:U0BEHIND:2026-11", OutboxStatus.SENT),
        ("report:2026-01-01_2026-10-31", OutboxStatus.SENT),
        ("report:2026-01-01_2026-10-31-chart", OutboxStatus.SENT),
    }


def test_a_failing_tick_is_logged_and_the_scheduler_goes_on(
    db: Database, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object) -> JobResult:
        raise RuntimeError("database went away")

    monkeypatch.setitem(JOBS, "digest", scheduling.Job("digest", "test", broken, lambda s: "0 10 1 * *"))
    with caplog.at_level(logging.ERROR):
        tick(job_context(db, fake_slack), "digest")
    assert "job digest failed; the next run will try again" in caplog.text


@pytest.mark.postgres_only
def test_one_replica_does_each_tick(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    ctx = job_context(db, fake_slack)
    now = at("2026-11-24T10:00:00+00:00")
    held = threading.Event()
    release = threading.Event()

    def another_replica() -> None:
        other = Database(db.url)
        with exclusive(other, "reminders") as acquired:
            assert acquired
            held.set()
            release.wait(10)
        other.dispose()

    thread = threading.Thread(target=another_replica)
    thread.start()
    held.wait(10)
    try:
        assert run_job(ctx, "reminders", now).skipped
        assert not run_job(ctx, "digest", now).skipped  # other jobs have their own lock
    finally:
        release.set()
        thread.join()
    assert run_job(ctx, "reminders", now).enqueued == ["reminder:U0MEMBER:2026-11"]
