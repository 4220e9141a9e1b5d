"""`ambassador-bot benefits export | purge-addresses`: the treasurer's list, and erasing addresses now."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.blocks.benefits.admin import erased_summary
from bot.cli.common import CommandError, open_database
from bot.cli.members_file import iso_date
from bot.rules.spreadsheet import safe_cell
from bot.services.benefits.export import EXPORT_FIELDS, export_requests
from bot.services.benefits.shipping import erase_shipping_details
from bot.settings import Settings


def add_commands(commands: Any) -> None:
    benefits = commands.add_parser(
        "benefits", help="benefit requests: the treasurer's export, erasing addresses"
    )
    actions = benefits.add_subparsers(dest="benefits_command", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="every benefit request with member, benefit, value, status and dates (CSV or JSON)",
        description=(
            "For the treasurer: every benefit request made between --from and --to (both included, dates "
            "in TIMEZONE), oldest first. Shipping details and notes are never exported."
        ),
    )
    export.add_argument("--from", dest="since", type=iso_date, metavar="YYYY-MM-DD", help="first day")
    export.add_argument("--to", dest="until", type=iso_date, metavar="YYYY-MM-DD", help="last day")
    export.add_argument(
        "--format",
        choices=FORMATS,
        help="csv or json (default: from the -o file's extension, else csv)",
    )
    export.add_argument("-o", "--output", type=Path, metavar="PATH", help="write to PATH instead of stdout")
    export.set_defaults(handler=cmd_export)

    purge = actions.add_parser(
        "purge-addresses",
        help="erase now the shipping details of every request that is no longer open (audited)",
        description=(
            "Shipping details are erased 90 days after fulfilment by the renewals job; this erases those of "
            "every fulfilled, declined or cancelled request at once. Requests still waiting for a decision "
            "or for fulfilment keep theirs."
        ),
    )
    purge.add_argument("--now", help="the time to record, ISO-8601 (default: now)")
    purge.set_defaults(handler=cmd_purge)


FORMATS = ("csv", "json")


def export_format(requested: str | None, output: Path | None) -> str:
    """The format asked for, or the one the file's name says; a name that says another is refused."""
    if output is None:
        return requested or "csv"
    suffix = output.suffix.lower().removeprefix(".")
    if requested and suffix in FORMATS and suffix != requested:
        raise CommandError(f"{output} is named .{suffix}, but --format {requested} was asked for; pick one")
    if requested:
        return requested
    if suffix in FORMATS:
        return suffix
    raise CommandError(
        f"{output}: the format follows the extension, and {'.' + suffix if suffix else 'no extension'} is "
        "neither .csv nor .json; name the file so, or pass --format csv|json"
    )


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--from {args.since} is after --to {args.until}")
    fmt = export_format(args.format, args.output)
    db = open_database(settings, to_read=True)
    try:
        rows = export_requests(db, settings.benefits_currency, args.since, args.until, settings.zone)
    finally:
        db.dispose()
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            write(rows, fmt, out, EXPORT_FIELDS)
        print(f"Wrote {len(rows)} benefit request(s) to {args.output} ({fmt}).", file=sys.stderr)
    else:
        write(rows, fmt, sys.stdout, EXPORT_FIELDS)
    return 0


def write(rows: list[dict[str, Any]], fmt: str, out: TextIO, fields: tuple[str, ...]) -> None:
    if fmt == "json":
        json.dump(rows, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    if args.now:
        try:
            parsed = datetime.fromisoformat(args.now)
        except ValueError:
            raise CommandError(f"--now {args.now!r} is not an ISO-8601 date and time") from None
        now = parsed if parsed.tzinfo else parsed.replace(tzinfo=settings.zone)
    db = open_database(settings)
    try:
        erased = erase_shipping_details(db, now=now, actor="cli", everything_closed=True)
    finally:
        db.dispose()
    print(erased_summary(len(erased)))
    return 0
