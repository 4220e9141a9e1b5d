"""`reminders`: a DM to each ambassador behind pace, at most once per member and period.

Never in the first weeks of a term (`REMINDER_GRACE_DAYS`), never to someone on pace or done,
never while snoozed, and not in the last days of a term, when the renewal notices speak instead.
The pace is the program's rule (`bot.rules.membership.Progress.on_pace`).
"""

from __future__ import annotations

from datetime import datetime

from bot.blocks import reminders as reminders_blocks
from bot.services import jobs as due
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

KIND = "reminder"


def policy(ctx: JobContext) -> due.ReminderPolicy:
    settings = ctx.settings
    return due.ReminderPolicy(
        interval_days=settings.reminder_interval_days,
        grace_days=settings.reminder_grace_days,
        notice_days=tuple(settings.renewal_notice_days),
    )


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    rules = policy(ctx)
    result = JobResult("reminders", now)
    with ctx.db.transaction() as session:
        planned = []
        for member in due.ambassadors_in_progress(session, today, settings.required_contributions):
            if not due.reminder_due(member.progress, member.snoozed_until, now, rules):
                continue
            period = due.reminder_period(
                member.term_id, member.progress.term.start, today, rules.interval_days
            )
            payload = reminders_blocks.reminder_message(member.progress)
            planned.append(
                Planned(
                    key=f"reminder:{member.slack_user_id}:{period}",
                    kind=KIND,
                    channel=member.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=member.member_id,
                )
            )
        marked = queue_planned(session, planned, now, dry_run)
    return finish(result, marked, dry_run)
