"""`ambassador-bot publish [--dry-run]`: propose the public list to GITHUB_REPO now."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from bot.cli.common import CommandError, open_database
from bot.github.client import GitHubError
from bot.services import publishing
from bot.settings import Settings
from bot.slack.client import jobs_client
from jobs.publish import publish_now
from jobs.runner import exclusive


def add_commands(commands: Any) -> None:
    command = commands.add_parser(
        "publish",
        help="propose the public list (members and emeritus files) to GITHUB_REPO as one pull request",
        description=(
            "Read the members and emeritus files from GITHUB_REPO, merge the program's list into them in "
            "their own format, and open or update the bot's pull request when anything differs."
        ),
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="print the unified diff and the pull request's text; write nothing",
    )
    command.set_defaults(handler=cmd_publish)


def cmd_publish(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.publishing:
        raise CommandError("publishing is off: set GITHUB_REPO (owner/name) and GITHUB_TOKEN; see README")
    settings.require_github()
    db = open_database(settings, to_read=args.dry_run)
    slack = jobs_client(settings) if settings.slack_bot_token else None
    now = datetime.now(UTC)
    try:
        if args.dry_run:
            result = publish_now(settings, db, slack, now, True, "cli")
        else:
            with exclusive(db, "publish") as acquired:
                if not acquired:
                    print("publish: another worker is publishing right now; nothing done")
                    return 1
                result = publish_now(settings, db, slack, now, False, "cli")
    except (GitHubError, publishing.PublishError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.dispose()
    if args.dry_run and result.plan is not None and result.plan.files:
        sys.stdout.write(result.plan.diff())
        print()
        print(f"Pull request: {result.plan.title}")
        print()
        print(result.plan.body)
        print()
    print(result.summary())
    for note in result.notes:
        print(f"  {note}")
    return 0
