"""`renewals`: notices before a term ends, and the verification on its last day.

Notices (`RENEWAL_NOTICE_DAYS`, default 30 and 7 days before the end), one DM each, key
`renewal:term{id}:T-{days}`: requirement met → a **Renew** button (value: the term id; the listener
is #3's); not met → how many contributions are missing. Caught up after downtime: the last notice
whose day has passed is sent (once), earlier ones are not.

Never snoozed: a snooze only pauses progress reminders.
"""

from __future__ import annotations

from datetime import datetime

from bot import blocks, program
from bot.services import jobs as due
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

NOTICE_KIND = "renewal"


def notices(ctx: JobContext, now: datetime, dry_run: bool, result: JobResult) -> None:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    with ctx.db.transaction() as session:
        planned = []
        for member in due.ambassadors_in_progress(session, today, settings.required_contributions):
            if member.renewal_requested:
                continue  # already decided to stay: nothing to remind
            days = due.renewal_notice_due(member.progress.days_left, settings.renewal_notice_days)
            if days is None:
                continue
            payload = blocks.renewal_notice_message(
                member.progress, member.term_id, program.can_renew(member.progress)
            )
            planned.append(
                Planned(
                    key=f"renewal:term{member.term_id}:T-{days}",
                    kind=NOTICE_KIND,
                    channel=member.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=member.member_id,
                )
            )
        marked = queue_planned(session, planned, now, dry_run)
    finish(result, marked, dry_run)


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("renewals", now)
    notices(ctx, now, dry_run, result)
    return result
