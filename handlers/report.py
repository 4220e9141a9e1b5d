"""`/ambassador report [YEAR | YEAR-Qn]`: the program report, for the TSC.

The command is acknowledged at once (Slack waits 3 seconds) with a "putting it together" line; the
figures follow privately through the command's `response_url`, and the chart is uploaded and shared
in the TSC member's DM with the bot. Anyone else is told kindly that the report is the TSC's.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.blocks import report as report_blocks
from bot.outbox import files
from bot.outbox.delivery_errors import Transient
from bot.report import drawing
from bot.rules import report as report_rules
from bot.rules.report import PeriodError
from bot.services import members
from bot.services import report as report_service
from bot.slack.deps import Deps
from handlers.common import bind
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)


def report_command(call: Invocation, *, deps: Deps) -> None:
    if not deps.is_tsc(call.user_id):
        members.record_refused(
            deps.db, call.user_id, "report.refused", now=deps.now(), command=call.args[:200]
        )
        call.reply(report_blocks.REPORT_REFUSED)
        return
    today = deps.program_today()
    try:
        period = report_rules.parse_period(call.args, today)
    except PeriodError as exc:
        call.reply(report_blocks.period_error(str(exc)))
        return
    call.reply(report_blocks.WORKING)
    settings = deps.settings
    report = report_service.program_report(
        deps.db, period, today=today, required=settings.required_contributions, zone=settings.zone
    )
    call.respond(**report_blocks.report_message(report), response_type="ephemeral", replace_original=False)
    series = report.series
    try:
        channel = str(call.client.conversations_open(users=call.user_id)["channel"]["id"])
        file_id = files.upload(
            call.client,
            report_blocks.chart_filename(period),
            drawing.png(series),
            report_blocks.chart_alt_text(series),
        )
        files.share(call.client, file_id, series.title, channel, report_blocks.chart_comment(series))
    except (SlackApiError, OSError, Transient) as exc:
        # The figures are there already; the picture only repeats them.
        log.warning("the report's chart for %s could not be posted: %s", call.user_id, exc)
        call.respond(text=report_blocks.CHART_FAILED, response_type="ephemeral", replace_original=False)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("report", bind(report_command, deps=deps))
