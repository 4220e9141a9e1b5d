"""`ambassador-bot access [--dry-run]`: compare the ambassadors' places with the ambassadors now."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from bot.cli.common import CommandError, open_database
from bot.cli.jobs import require_bot_token
from bot.outbox.sender import deliver
from bot.rules.access import Place
from bot.settings import Settings
from jobs import access as access_job
from jobs.access_changes import targets
from jobs.runner import JobContext, exclusive

DRY_RUN_NOTE = "(dry run: nothing changed)"


def add_commands(commands: Any) -> None:
    command = commands.add_parser(
        "access",
        help="compare the ambassadors' Slack user group, private channel and GitHub team with the "
        "ambassadors, and fix them",
        description=(
            "Read who is in SLACK_AMBASSADORS_GROUP, SLACK_AMBASSADORS_CHANNEL and GITHUB_TEAM, compare it "
            "with the current ambassadors, and add or remove people to match (what the daily `access` "
            "job does). Every change is told to REVIEW_CHANNEL."
        ),
    )
    command.add_argument(
        "--dry-run", action="store_true", help="show who would be added, removed or kept; change nothing"
    )
    command.set_defaults(handler=cmd_access)


def cmd_access(settings: Settings, args: argparse.Namespace) -> int:
    places = targets(settings)
    if not places:
        raise CommandError(
            "access is off: set SLACK_AMBASSADORS_GROUP, SLACK_AMBASSADORS_CHANNEL or GITHUB_TEAM "
            "(README, 'Access that follows the roster')"
        )
    if any(target.place is not Place.GITHUB_TEAM for target in places):
        require_bot_token(settings)
    now = datetime.now(UTC)
    db = open_database(settings, to_read=args.dry_run)
    try:
        ctx = JobContext.create(settings, db)
        if args.dry_run:
            result = access_job.run(ctx, now, True)
        else:
            with exclusive(db, "access") as acquired:
                if not acquired:
                    print("access: another worker is running it right now; nothing done")
                    return 1
                result = access_job.run(ctx, now, False)
            if result.enqueued:
                # The review channel hears of each change now rather than at the sender's next run.
                deliver(db, ctx.client, now, result.enqueued, settings=settings, pacer=ctx.pacer)
    finally:
        db.dispose()
    if args.dry_run:
        print(f"access {DRY_RUN_NOTE}")
    for note in result.notes:
        print(note)
    return 0
