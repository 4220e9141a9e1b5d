"""`ambassador-bot report`: the program report of a period, as Markdown, CSV, JSON or a PNG chart,
or posted (with its chart) in `REVIEW_CHANNEL`.

The figures are `bot.services.report`'s; the files `bot.report.formats`' and `bot.report.drawing`'s.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CommandError, open_database
from bot.cli.jobs import require_bot_token
from bot.outbox.sender import deliver
from bot.report import drawing, formats
from bot.rules import report as report_rules
from bot.rules.report import Period, PeriodError
from bot.services import report as report_service
from bot.settings import Settings
from jobs import report as report_job
from jobs.runner import JobContext

FORMATS = ("md", "csv", "json", "png")


def add_commands(commands: Any) -> None:
    command = commands.add_parser(
        "report",
        help="the program report of a period (Markdown, CSV, JSON or a PNG chart), or post it",
        description=(
            "The program report: ambassadors, contributions by type, month and country, total audience, "
            "top contributors, who is behind pace, renewals and moves to emeritus. Without a period, "
            "the year so far. CSV lists every contribution of the period with what it reached."
        ),
        epilog="Examples:\n  ambassador-bot report --period 2026-Q3\n  ambassador-bot report --from 2026-01-01 "
        "--to 2026-06-30 --format csv -o h1.csv\n  ambassador-bot report --period 2026 --format png -o 2026.png",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--period", metavar="PERIOD", help="a year (2026) or a quarter (2026-Q3)")
    command.add_argument("--from", dest="start", metavar="DATE", help="the first day (YYYY-MM-DD)")
    command.add_argument("--to", dest="end", metavar="DATE", help="the last day (default: today)")
    command.add_argument("--format", choices=FORMATS, default="md", help="md (default), csv, json, png")
    command.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (png needs it)")
    command.add_argument("--as-of", metavar="DATE", help="count as of this day (default: today in TIMEZONE)")
    command.add_argument(
        "--post", action="store_true", help="post the report and its chart in REVIEW_CHANNEL (once a day)"
    )
    command.set_defaults(handler=cmd_report)


def chosen_period(args: argparse.Namespace, today: date) -> Period:
    if args.period and (args.start or args.end):
        raise CommandError("give either --period or --from/--to, not both")
    try:
        if args.start or args.end:
            return report_rules.between(args.start, args.end, today)
        return report_rules.parse_period(args.period or "", today)
    except PeriodError as exc:
        raise CommandError(str(exc)) from None


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        today = (
            report_rules.parse_date(args.as_of, "--as-of")
            if args.as_of
            else now.astimezone(settings.zone).date()
        )
    except PeriodError as exc:
        raise CommandError(str(exc)) from None
    period = chosen_period(args, today)
    if args.format == "png" and args.output is None:
        raise CommandError("--format png writes a picture: name the file with -o FILE")
    if args.post:
        return post(settings, period, today, now)
    db = open_database(settings, to_read=True)
    try:
        if args.format == "csv":
            write_text(args.output, formats.csv_rows(report_service.contribution_lines(db, period, today)))
            return 0
        report = report_service.program_report(
            db, period, today=today, required=settings.required_contributions, zone=settings.zone
        )
    finally:
        db.dispose()
    if args.format == "png":
        args.output.write_bytes(drawing.png(report.series))
        print(f"wrote {args.output} ({period.label})")
    elif args.format == "json":
        write_text(args.output, [json.dumps(formats.as_json(report), indent=2, ensure_ascii=False) + "\n"])
    else:
        write_text(args.output, [formats.as_markdown(report)])
    return 0


def write_text(path: Path | None, chunks: Any) -> None:
    if path is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)


def post(settings: Settings, period: Period, today: date, now: datetime) -> int:
    if not settings.review_channel:
        raise CommandError("--post needs REVIEW_CHANNEL (the channel ID the TSC reads)")
    require_bot_token(settings)
    db = open_database(settings)
    try:
        ctx = JobContext.create(settings, db)
        # One post a day per period: running it twice the same day does nothing more.
        planned = report_job.queue_report(ctx, period, today, now, f"report:{period.key}:{today.isoformat()}")
        keys = [item.key for item in planned if not item.existing]
        report = deliver(db, ctx.client, now, keys, settings=settings, pacer=ctx.pacer)
    finally:
        db.dispose()
    if not keys:
        print(f"the report of {period.label} as of {today} was already posted today")
    else:
        print(f"report of {period.label}: {report.summary()}")
    return 0
