"""`ambassador-bot publish [--dry-run]`: propose the public list to GITHUB_REPO now."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CommandError, open_database
from bot.github.client import GitHubError
from bot.services import publishing
from bot.settings import Settings
from bot.slack.client import jobs_client
from jobs.publish import config, publish_now
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
    command.add_argument(
        "--from",
        dest="local",
        type=Path,
        metavar="DIR",
        help="with --dry-run: read the members and emeritus files (GITHUB_MEMBERS_PATH, "
        "GITHUB_EMERITUS_PATH) from DIR, e.g. a clone of GITHUB_REPO, instead of GitHub; no token needed",
    )
    command.set_defaults(handler=cmd_publish)


def read_copy(directory: Path, path: str, setting: str) -> str:
    """A file of the local copy; one line when it is not there or cannot be read."""
    file = directory / path
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(
            f"{file}: no such file ({setting}={path}); point --from at a copy of the repository"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{file}: cannot read it ({exc})") from None


def cmd_preview_from(settings: Settings, directory: Path) -> int:
    """`publish --dry-run --from DIR`: the pull request against local copies, no network at all."""
    if not directory.is_dir():
        raise CommandError(f"--from {directory}: not a directory")
    members = read_copy(directory, settings.github_members_path, "GITHUB_MEMBERS_PATH")
    emeritus = (
        read_copy(directory, settings.github_emeritus_path, "GITHUB_EMERITUS_PATH")
        if settings.github_emeritus_path
        else None
    )
    db = open_database(settings, to_read=True)
    try:
        result = publishing.preview(db, config(settings), members, emeritus, str(directory))
    except publishing.PublishError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.dispose()
    show(result, dry_run=True)
    return 0


def show(result: publishing.PublishResult, dry_run: bool) -> None:
    if dry_run and result.plan is not None and result.plan.files:
        sys.stdout.write(result.plan.diff())
        print()
        print(f"Pull request: {result.plan.title}")
        print()
        print(result.plan.body)
        print()
    print(result.summary())
    for note in result.notes:
        print(f"  {note}")


def cmd_publish(settings: Settings, args: argparse.Namespace) -> int:
    if args.local is not None:
        if not args.dry_run:
            raise CommandError("--from previews against local copies only: add --dry-run")
        return cmd_preview_from(settings, args.local)
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
    show(result, args.dry_run)
    return 0
