"""`ambassador-bot terms set`: when members joined, after the import (one member, or a starts file)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.blocks.term_starts import start_result
from bot.cli.common import CommandError, open_database
from bot.cli.members_file import iso_date, read_term_starts
from bot.services.membership import term_starts
from bot.settings import Settings


def add_commands(commands: Any) -> None:
    terms = commands.add_parser("terms", help="members' terms: set the day they joined")
    actions = terms.add_subparsers(dest="terms_command", required=True, metavar="ACTION")
    setter = actions.add_parser(
        "set",
        help="set the day a member joined (their current term becomes the yearly one from it)",
        description=(
            "Give a current ambassador the day they joined: their current term becomes the yearly one "
            "from it that holds today, and the years before are recorded as completed terms (audited, "
            "their standing computed again). Terms the bot recorded itself (a renewal) are never "
            "rewritten. With --file, every start in the file, all or nothing."
        ),
    )
    setter.add_argument("github", nargs="?", metavar="GITHUB", help="the member's GitHub handle")
    setter.add_argument("--start", type=iso_date, metavar="YYYY-MM-DD", help="the day they joined")
    setter.add_argument(
        "--file",
        type=Path,
        metavar="STARTS",
        help="many at once: CSV lines `github,YYYY-MM-DD` or a YAML mapping `github: YYYY-MM-DD`",
    )
    setter.set_defaults(handler=cmd_set)


def cmd_set(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    today = now.astimezone(settings.zone).date()
    if args.file is not None:
        if args.github or args.start:
            raise CommandError("give either GITHUB --start YYYY-MM-DD, or --file STARTS")
        starts = [(start.github, start.start) for start in read_term_starts(args.file, today)]
    elif args.github and args.start:
        starts = [(args.github.removeprefix("@"), args.start)]
    else:
        raise CommandError("give GITHUB --start YYYY-MM-DD (one member), or --file STARTS (many)")
    db = open_database(settings)
    try:
        results = term_starts.set_starts(
            db, starts, today=today, now=now, actor="cli", required=settings.required_contributions
        )
    except term_starts.UnknownMembers as unknown:
        raise CommandError(
            f"no member on record has the GitHub handle {', '.join(unknown.handles)}; nothing changed "
            "(import the members file first, or check the spelling)"
        ) from None
    finally:
        db.dispose()
    for result in results:
        print(start_result(result, result.github or "?"))
    refused = term_starts.refusals(results)
    if refused:
        raise CommandError(
            f"{len(refused)} of {len(results)} start{'s' if len(results) != 1 else ''} could not be set, "
            "so none was (all or nothing); fix them and run it again"
        )
    changed = sum(1 for result in results if result.changed)
    print(f"{changed} term{'s' if changed != 1 else ''} changed, {len(results) - changed} already so.")
    return 0
