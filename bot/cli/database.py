"""`ambassador-bot db upgrade | repair-escapes`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from bot.cli.common import connect_database, open_database
from bot.services.repair import repair_escapes
from bot.settings import Settings


def add_commands(commands: Any) -> None:
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply database migrations").set_defaults(handler=cmd_db_upgrade)
    repair = db_commands.add_parser(
        "repair-escapes",
        help="restore contributions stored with Slack's escaping (&amp;, <url|label>) as typed",
        description="Lists what would change (a dry run) unless --apply is given; every change is audited.",
    )
    repair.add_argument("--apply", action="store_true", help="write the repairs (default: only list them)")
    repair.set_defaults(handler=cmd_db_repair_escapes)


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    db, applied = connect_database(settings)
    db.dispose()
    print(f"database migrated to revision {applied[-1]}" if applied else "database is up to date")
    return 0


def cmd_db_repair_escapes(settings: Settings, args: argparse.Namespace) -> int:
    db = open_database(settings, to_read=not args.apply)
    try:
        repairs = repair_escapes(db, datetime.now(UTC), apply=args.apply)
    finally:
        db.dispose()
    for repair in repairs:
        note = f"  (left as it is: {repair.skipped})" if repair.skipped else ""
        print(
            f"contribution {repair.contribution_id} {repair.field}: {repair.before!r} -> {repair.after!r}{note}"
        )
    fixed = sum(1 for repair in repairs if not repair.skipped)
    if args.apply:
        print(f"repaired {fixed} field(s); each contribution changed has an audit row")
    else:
        print(f"{fixed} field(s) to repair (dry run: nothing written; add --apply to repair them)")
    return 0
