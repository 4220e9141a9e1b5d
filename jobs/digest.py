"""`digest`: once a month, last month's contributions (who, what, link) in `ANNOUNCE_CHANNEL`, and
after them the chart of the year so far (contributions per month by type, audience per month).

"Last month" is the calendar month before `now` in `TIMEZONE`; a contribution belongs to the month
it was logged in (see `bot.services.jobs.contributions_logged_between`). No contributions, no post.
The chart places contributions in the month they happened, as the program report does.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from bot.blocks import announcements as announcements_blocks
from bot.rules import report as report_rules
from bot.services import jobs as due
from bot.services import report as report_service
from jobs import report as report_job
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

log = logging.getLogger(__name__)

KIND = "digest"


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    settings = ctx.settings
    zone = settings.zone
    result = JobResult("digest", now)
    this_month = now.astimezone(zone).date().replace(day=1)
    month = previous_month(this_month)
    label = f"{month.year:04d}-{month.month:02d}"
    if not settings.announce_channel:
        result.notes.append("ANNOUNCE_CHANNEL is not set: no digest")
        log.warning("digest %s skipped: ANNOUNCE_CHANNEL is not set", label)
        return result
    start = datetime.combine(month, time(), zone)
    end = datetime.combine(this_month, time(), zone)
    with ctx.db.transaction() as session:
        items = due.contributions_logged_between(session, start, end)
        if not items:
            result.notes.append(f"no contributions logged in {label}: no digest")
            return result
        payload = announcements_blocks.digest_message(month, items)
        planned = [
            Planned(
                key=f"digest:{label}",
                kind=KIND,
                channel=settings.announce_channel,
                text=payload["text"],
                blocks=payload.get("blocks"),
            )
        ]
        marked = queue_planned(session, planned, now, dry_run)
        period = report_rules.year_to_month_end(month)
        today = now.astimezone(zone).date()
        series = report_service.monthly_series(session, period, today, f"Contributions in {period.label}")
        chart = report_job.plan_chart(
            session, f"digest-chart:{label}", settings.announce_channel, series, period, now, dry_run
        )
    return finish(result, [*marked, chart], dry_run)
