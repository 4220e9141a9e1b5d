"""`ambassador-bot contributions import FILE`: several contributions at once, from CSV or YAML.

This module reads the file and prints; the rules and the writing are
`bot.services.contribution_import`'s.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.cli.common import EXIT_USAGE, CommandError, open_database
from bot.services import contribution_import
from bot.services.contribution_import import ImportConflict, ImportSummary
from bot.settings import Settings

STDIN = Path("-")
EXAMPLE = (
    "member,type,title,link,date,event_name,city,country,online,language,audience,recording_link,slides_link\n"
    "janedoe,talk,AsyncAPI at KubeCon,https://example.org/talk,2026-11-20,KubeCon EU,Paris,France,no,English,"
    "300,https://youtu.be/x,https://speakerdeck.com/x"
)


def add_commands(commands: Any) -> None:
    group = commands.add_parser("contributions", help="import several contributions at once")
    actions = group.add_subparsers(dest="contributions_command", required=True, metavar="ACTION")
    importer = actions.add_parser(
        "import",
        help="add contributions from a CSV or YAML file (duplicates skipped; --dry-run to preview)",
        description=(
            "Add contributions from a CSV file (with a header) or a YAML list of mappings. Columns: "
            "member (Slack user ID, GitHub handle or full name), type, title, link, date (YYYY-MM-DD, or "
            "YYYY-MM), and optionally event_name, city, country, online (yes/no), language, audience, "
            "recording_link, slides_link. The rules are those of logging in Slack (talks and workshops "
            "may be up to twelve months ahead). A link the member already has, or that an earlier row "
            "gave, is skipped; a file with any other problem changes nothing."
        ),
        epilog=f"Example CSV:\n{EXAMPLE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importer.add_argument(
        "path", metavar="FILE", type=Path, help="a .csv or .yaml file; - reads standard input"
    )
    importer.add_argument(
        "--format",
        choices=("csv", "yaml"),
        help="the file's format (default: from its extension, else its content)",
    )
    importer.add_argument(
        "--dry-run", action="store_true", help="check the file and say what would be added; write nothing"
    )
    importer.set_defaults(handler=cmd_import)


def read_text(path: Path) -> str:
    try:
        raw = sys.stdin.buffer.read() if path == STDIN else path.read_bytes()
        return raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def file_format(path: Path, text: str, chosen: str | None) -> str:
    if chosen:
        return chosen
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return "yaml" if first.startswith(("-", "[", "#")) or (":" in first and "," not in first) else "csv"


def read_rows(path: Path, text: str, kind: str) -> tuple[list[Any], int]:
    """The file's rows, and the line number of the first one."""
    if kind == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise CommandError(f"{path}: empty, or no header line (member,type,title,link,date,...)")
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
        try:
            rows = [
                {key: value for key, value in row.items() if key is not None and value not in (None, "")}
                for row in reader
            ]
        except csv.Error as exc:
            raise CommandError(f"{path}: not CSV ({exc})") from None
        return rows, 2
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CommandError(f"{path}: not YAML ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("contributions"), list):
        data = data["contributions"]
    if not isinstance(data, list):
        raise CommandError(f"{path}: a YAML list of contributions was expected (- member: ...)")
    return [
        {str(key).strip().lower(): value for key, value in row.items()} if isinstance(row, dict) else row
        for row in data
    ], 1


def describe(path: Path, summary: ImportSummary, dry_run: bool, today: date) -> list[str]:
    rows = f"{summary.rows} row{'s' if summary.rows != 1 else ''}"
    lines = [f"{path}: {rows}"]
    verb = "would add" if dry_run or summary.problems else "added"
    count = len(summary.added)
    lines.append(
        f"  {verb} {count} contribution{'s' if count != 1 else ''}"
        + (f" for {summary.members} member{'s' if summary.members != 1 else ''}" if count else "")
    )
    for item in summary.added:
        ahead = " (upcoming)" if item.occurred_on > today else ""
        lines.append(
            f"    line {item.line}: {item.member_name} — {item.type} “{item.title}” {item.occurred_on}{ahead}"
        )
    if summary.duplicates:
        lines.append(
            f"  {len(summary.duplicates)} duplicate{'s' if len(summary.duplicates) != 1 else ''} skipped:"
        )
        for duplicate in summary.duplicates:
            where = (
                f"same link as line {duplicate.same_as_line}"
                if duplicate.same_as_line is not None
                else f"already on {duplicate.member_name}'s record"
            )
            lines.append(f"    line {duplicate.line}: {where} ({duplicate.link})")
    if summary.problems:
        lines.append(
            f"  {len(summary.problems)} problem{'s' if len(summary.problems) != 1 else ''}; nothing was imported:"
        )
        lines += [f"    line {problem.line}: {problem.text}" for problem in summary.problems]
    elif dry_run:
        lines.append("Dry run: nothing was written.")
    if count and not summary.problems and summary.review_state == "pending":
        lines.append(
            "  CONTRIBUTION_REVIEW=tsc: they count once a TSC member verified them (the review channel "
            "lists them with the next contribution-review run)."
        )
    return lines


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.path
    text = read_text(path)
    rows, first_line = read_rows(path, text, file_format(path, text, args.format))
    now = datetime.now(UTC)
    today = now.astimezone(settings.zone).date()
    db = open_database(settings)
    try:
        summary = contribution_import.import_contributions(
            db,
            rows,
            today=today,
            now=now,
            dry_run=args.dry_run,
            first_line=first_line,
            review=settings.contribution_review,
        )
    except ImportConflict:
        raise CommandError(
            f"{path}: a link in the file was logged meanwhile; nothing was imported, run it again"
        ) from None
    finally:
        db.dispose()
    for line in describe(path, summary, args.dry_run, today):
        print(line)
    return EXIT_USAGE if summary.problems else 0
