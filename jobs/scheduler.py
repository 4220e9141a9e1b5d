"""The jobs, their schedules, and APScheduler as their clock (why it is only a clock: docs/scheduling.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.outbox.delivery_errors import report_failures
from bot.outbox.sender import BATCHED_KINDS, deliver
from bot.settings import Settings
from bot.store.models import OutboxMessage, OutboxStatus
from jobs import (
    access,
    access_changes,
    activity,
    announce,
    contribution_review,
    digest,
    invitations,
    publish,
    reminders,
    renewals,
    report,
    talk_followups,
)
from jobs.runner import JobContext, JobFunction, JobResult, Planned, exclusive

log = logging.getLogger(__name__)


def run_sender(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    """Deliver what is due, after queueing one report of new permanent failures."""
    result = JobResult("sender", now)
    if dry_run:
        with ctx.db.transaction() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                    OutboxMessage.kind.not_in(BATCHED_KINDS),
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            )
            result.planned = [
                Planned(row.key, row.kind, row.channel, row.text, row.blocks, row.member_id) for row in rows
            ]
        return result
    result.enqueued = report_failures(ctx.db, now, ctx.settings.review_channel)
    result.delivery = deliver(
        ctx.db, ctx.client, now, settings=ctx.settings, pacer=ctx.pacer, on_progress=ctx.on_progress
    )
    return result


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: JobFunction
    schedule: Callable[[Settings], str]  # a cron string, or "every N seconds"

    def trigger(self, settings: Settings) -> BaseTrigger:
        expression = self.schedule(settings)
        if self.name in ("sender", "invitations", "access-changes"):
            return IntervalTrigger(seconds=settings.sender_interval_seconds, timezone=settings.zone)
        return CronTrigger.from_crontab(expression, timezone=settings.zone)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "announce",
            "post newly approved ambassadors to ANNOUNCE_CHANNEL, batched",
            announce.run,
            lambda s: s.announce_schedule,
        ),
        Job(
            "reminders",
            "DM ambassadors behind pace (once per period, not when snoozed) or long inactive (once per "
            "stretch); nobody on a pause",
            reminders.run,
            lambda s: s.reminders_schedule,
        ),
        Job(
            "renewals",
            "renewal notices before a term ends; the yearly verification the day after its last day",
            renewals.run,
            lambda s: s.renewals_schedule,
        ),
        Job(
            "digest",
            "last month's contributions in ANNOUNCE_CHANNEL (skipped when none)",
            digest.run,
            lambda s: s.digest_schedule,
        ),
        Job(
            "sender",
            "deliver queued messages; retry, and report permanent failures to REVIEW_CHANNEL",
            run_sender,
            lambda s: f"every {s.sender_interval_seconds} s",
        ),
        Job(
            "report",
            "the program report of the year so far, with its chart, in REVIEW_CHANNEL",
            report.run,
            lambda s: s.report_schedule,
        ),
        Job(
            "publish",
            "propose the public list to GITHUB_REPO as one pull request (off without GITHUB_REPO)",
            publish.run,
            lambda s: s.publish_schedule,
        ),
        Job(
            "invitations",
            "invite new ambassadors to GITHUB_ORG on GitHub, once each (off without GITHUB_ORG)",
            invitations.run,
            lambda s: f"every {s.sender_interval_seconds} s",
        ),
        Job(
            "access",
            "compare the ambassadors' Slack user group, private channel and GitHub team with the "
            "ambassadors, and fix them (off while none is set)",
            access.run,
            lambda s: s.access_schedule,
        ),
        Job(
            "access-changes",
            "make the access changes that roster changes queued, once each",
            access_changes.run,
            lambda s: f"every {s.sender_interval_seconds} s",
        ),
        Job(
            "activity",
            "between renewals: pauses ending within a week, members long inactive listed and proposed "
            "for emeritus, in a report to REVIEW_CHANNEL",
            activity.run,
            lambda s: s.activity_schedule,
        ),
        Job(
            "talk-followups",
            "the day after a talk logged ahead, DM its speaker: how did it go? (audience, recording, slides)",
            talk_followups.run,
            lambda s: s.talk_followups_schedule,
        ),
        Job(
            "contribution-review",
            "with CONTRIBUTION_REVIEW=tsc, list new contributions in REVIEW_CHANNEL for the TSC to verify "
            "(Verify / Needs info / Not counted), each once",
            contribution_review.run,
            lambda s: s.contribution_review_schedule,
        ),
    )
}


def run_job(ctx: JobContext, name: str, now: datetime, dry_run: bool = False) -> JobResult:
    """Run one job once as if the time were `now`; skipped when another worker holds its lock."""
    job = JOBS[name]
    if dry_run:
        return job.run(ctx, now, True)
    with exclusive(ctx.db, name) as acquired:
        if not acquired:
            return JobResult(name, now, skipped=True)
        return job.run(ctx, now, False)


def tick(ctx: JobContext, name: str) -> None:
    """One scheduled run; errors are logged and the next tick tries again."""
    try:
        result = run_job(ctx, name, ctx.clock())
    except Exception:
        log.exception("job %s failed; the next run will try again", name)
        return
    if result.skipped:
        log.debug(result.summary())
    elif result.planned or result.enqueued or (result.delivery and result.delivery.summary() != "0 sent"):
        log.info(result.summary())
    for note in result.notes:
        log.info("%s: %s", name, note)
    for reason in result.reasons:
        log.debug("%s: %s", name, reason)


def next_run(job: Job, settings: Settings, now: datetime) -> datetime | None:
    fire: Any = job.trigger(settings).get_next_fire_time(None, now.astimezone(settings.zone))
    return fire if isinstance(fire, datetime) else None


def build_scheduler(ctx: JobContext, *, blocking: bool = False, catch_up: bool = True) -> BaseScheduler:
    """The process's scheduler with every job; `catch_up` runs each once at start."""
    settings = ctx.settings
    options: dict[str, Any] = {
        "timezone": settings.zone,
        "jobstores": {"default": MemoryJobStore()},
        "executors": {"default": ThreadPoolExecutor(max_workers=len(JOBS))},
        "job_defaults": {"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    }
    scheduler: BaseScheduler = BlockingScheduler(**options) if blocking else BackgroundScheduler(**options)
    started = datetime.now(settings.zone)
    for job in JOBS.values():
        extra: dict[str, Any] = {"next_run_time": started} if catch_up else {}
        scheduler.add_job(
            tick,
            trigger=job.trigger(settings),
            args=[ctx, job.name],
            id=job.name,
            name=f"{job.name}: {job.description}",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
            **extra,
        )
    return scheduler
