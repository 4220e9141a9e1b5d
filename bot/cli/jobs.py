"""`ambassador-bot jobs list | run NAME` and `ambassador-bot scheduler`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from bot.cli import preview
from bot.cli.common import CommandError, check_bot_token, open_database, warn_about_settings
from bot.cli.progress import Progress
from bot.outbox.sender import deliver
from bot.settings import Settings, SettingsError
from jobs.runner import JobContext
from jobs.scheduler import JOBS, build_scheduler, next_run, run_job

log = logging.getLogger("ambassador-bot")


def add_commands(commands: Any) -> None:
    jobs = commands.add_parser("jobs", help="list the scheduled jobs, or run one now")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="each job, its schedule and next run").set_defaults(handler=cmd_list)
    run = actions.add_parser(
        "run",
        help="run one job once (then deliver what it queued)",
        description="Run one job once, as if the time were --now: for previews, back-fills and tests.",
    )
    run.add_argument("name", choices=sorted(JOBS), metavar="NAME", help=", ".join(sorted(JOBS)))
    run.add_argument(
        "--now",
        help="the time to run as, ISO-8601 (e.g. 2027-03-01T09:00; without an offset: TIMEZONE)",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="print who would get what (each message in full, with a Block Kit Builder link); "
        "write and send nothing",
    )
    run.add_argument(
        "--yes",
        action="store_true",
        help="with --now in the future, run without asking: what the run writes is real",
    )
    run.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default), or json: each message's Block Kit payload, for tools",
    )
    run.set_defaults(handler=cmd_run)

    scheduler = commands.add_parser(
        "scheduler", help="run the scheduled jobs alone (when `serve --no-scheduler` serves Slack)"
    )
    scheduler.set_defaults(handler=cmd_scheduler)


def require_bot_token(settings: Settings) -> None:
    if not settings.slack_bot_token:
        raise SettingsError(["SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)"])
    if not settings.slack_bot_token.startswith("xoxb-"):
        raise SettingsError(["SLACK_BOT_TOKEN must be a bot token starting with xoxb-"])


def parse_now(value: str | None, settings: Settings) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not an ISO-8601 date and time, like 2027-03-01T09:00 or 2027-03-01"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=settings.zone)


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    rows = []
    for job in JOBS.values():
        upcoming = next_run(job, settings, now)
        when = upcoming.strftime("%Y-%m-%d %H:%M %Z") if upcoming else "-"
        rows.append((job.name, job.schedule(settings), when, job.description))
    widths = [max(len(row[i]) for row in [("JOB", "SCHEDULE", "NEXT RUN", ""), *rows]) for i in range(3)]
    print(f"{'JOB':<{widths[0]}}  {'SCHEDULE':<{widths[1]}}  {'NEXT RUN':<{widths[2]}}  WHAT")
    for name, schedule, when, what in rows:
        print(f"{name:<{widths[0]}}  {schedule:<{widths[1]}}  {when:<{widths[2]}}  {what}")
    print(f"(schedules are cron expressions in TIMEZONE={settings.timezone}; every job also runs at start)")
    return 0


# A --now this close to the real time is "now", not a time to come.
FUTURE_MARGIN = timedelta(minutes=5)


def confirmed_future_run(args: argparse.Namespace, now: datetime, real_now: datetime) -> bool:
    """Whether a run as if it were `now` may go ahead: true for dry runs, for times not in the future,
    and with --yes. A run in the future writes real records (terms verified, members made emeritus,
    messages sent) that the real day will not undo: on a terminal it asks first; elsewhere it needs --yes.
    """
    if args.dry_run or args.now is None or args.yes or now <= real_now + FUTURE_MARGIN:
        return True
    if not sys.stdin.isatty():
        raise CommandError(
            f"--now {args.now} is in the future, and this run writes real records as if it were then "
            f"(what it finds due is queued and sent). Preview it with --dry-run, or add --yes to run it"
        )
    sys.stderr.write(
        f"--now {args.now} is in the future: `{args.name}` will act as if it were then, and what it writes "
        "is real (terms verified, members made emeritus, messages sent). `--dry-run` shows it first.\n"
        "Run it for real? [y/N] "
    )
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    now = parse_now(args.now, settings)
    if not confirmed_future_run(args, now, datetime.now(UTC)):
        print(f"{args.name}: nothing done")
        return 1
    if not args.dry_run:
        require_bot_token(settings)
    db = open_database(settings, to_read=args.dry_run)
    try:
        ctx = JobContext.create(settings, db)
        # On a terminal, a line that says what is going on (sending is paced: long runs take minutes).
        progress = Progress.for_terminal(sys.stderr, args.name, ctx.pacer.interval)
        if progress is not None:
            progress.status("finding what is due…")
            if args.name == "sender":
                progress.start_delivery(None)
                ctx.on_progress = progress.update
        result = run_job(ctx, args.name, now, dry_run=args.dry_run)
        if result.skipped:
            if progress is not None:
                progress.clear()
            print(f"{args.name}: another worker is running it right now; nothing done")
            return 1
        if result.enqueued and args.name != "sender":
            # Deliver what this run queued; `--now` in the past still sends now, not back then.
            sent_at = max(now, datetime.now(UTC))
            if progress is not None:
                progress.start_delivery(len(result.enqueued))
            result.delivery = deliver(
                db,
                ctx.client,
                sent_at,
                result.enqueued,
                settings=settings,
                pacer=ctx.pacer,
                on_progress=progress.update if progress is not None else None,
            )
        if progress is not None:
            if result.delivery is not None and progress.total != 0:
                progress.done(result.delivery)
            else:
                progress.clear()
        found = preview.recipients(db, settings, result.planned)
        if args.format == "json":
            json.dump(preview.as_json(result, found, args.dry_run), sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
            return 0
        for line in preview.as_text(result, found, args.dry_run):
            print(line)
        if result.delivery and result.delivery.deferred:
            print("  (DMs outside the member's local daytime wait; the scheduler's sender sends them then)")
        return 0
    finally:
        db.dispose()


def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    require_bot_token(settings)
    check_bot_token(settings, going_on="running the jobs anyway")
    warn_about_settings(settings)
    db = open_database(settings)
    scheduler = build_scheduler(JobContext.create(settings, db), blocking=True)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler running (TIMEZONE=%s); Ctrl-C to stop", settings.timezone)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("scheduler stopped")
        db.dispose()
    return 0
