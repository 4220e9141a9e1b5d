"""`report`: once a month, the program report of the year so far, with its chart, in `REVIEW_CHANNEL`.

"The year so far" runs from January 1 to the end of the month before `now` (in `TIMEZONE`): on
February 1, January; on January 1, the whole year before. The message (every figure as text) and the
chart are two outbox rows with keys naming the period (`report:2026-01-01_2026-05-31` and
`report:2026-01-01_2026-05-31-chart`), so a rerun, a catch-up or a second replica posts them once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks import report as report_blocks
from bot.outbox.queue import CHART_KIND, enqueue_chart
from bot.rules import report as report_rules
from bot.rules.report import Period, Series
from bot.services import report as report_service
from bot.services.jobs import existing_keys
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

log = logging.getLogger(__name__)

KIND = "report"


def plan_chart(
    session: Session, key: str, channel: str, series: Series, period: Period, now: datetime, dry_run: bool
) -> Planned:
    """The chart as an outbox row (kind `chart`: the sender draws and uploads it), unless queued."""
    existing = key in existing_keys(session, [key])
    comment = report_blocks.chart_comment(series)
    if not existing and not dry_run:
        enqueue_chart(
            session,
            key=key,
            channel=channel,
            comment=comment,
            series=series,
            filename=report_blocks.chart_filename(period),
            alt_text=report_blocks.chart_alt_text(series),
            now=now,
        )
    return Planned(key, CHART_KIND, channel, comment, existing=existing)


def queue_report(
    ctx: JobContext,
    period: Period,
    today: date,
    now: datetime,
    key: str,
    dry_run: bool = False,
    *,
    unless_empty: bool = False,
) -> list[Planned]:
    """The report of `period` as of `today` and its chart, queued for `REVIEW_CHANNEL` under `key`
    (and `key` with `-chart`); what is already queued under these keys is left as it is. With
    `unless_empty`, nothing when the period had neither ambassadors nor contributions."""
    settings = ctx.settings
    report = report_service.program_report(
        ctx.db, period, today=today, required=settings.required_contributions, zone=settings.zone
    )
    if unless_empty and not (report.ambassadors_in_period or report.contributions or report.ambassadors_now):
        return []
    payload = report_blocks.report_message(report)
    with ctx.db.transaction() as session:
        message = Planned(
            key=key,
            kind=KIND,
            channel=settings.review_channel,
            text=payload["text"],
            blocks=payload.get("blocks"),
        )
        marked = queue_planned(session, [message], now, dry_run)
        chart = plan_chart(
            session, f"{key}-chart", settings.review_channel, report.series, period, now, dry_run
        )
    return [*marked, chart]


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("report", now)
    if not ctx.settings.review_channel:
        result.notes.append("REVIEW_CHANNEL is not set: no program report")
        return result
    today = now.astimezone(ctx.settings.zone).date()
    period = report_rules.year_to_month_end(report_rules.month_before(today))
    planned = queue_report(ctx, period, today, now, f"report:{period.key}", dry_run, unless_empty=True)
    if not planned:
        result.notes.append(f"no ambassadors and no contributions in {period.label}: no report")
    return finish(result, planned, dry_run)
