"""`ambassador-bot import` and `export`: the website's members file in and out of the registry.

This module is the edge: it reads and writes files (JSON or YAML) and prints; the file's format is
`bot.services.registry.file_format`, importing and exporting are `bot.services.registry.importing`
and `.exporting`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CommandError, open_database
from bot.github import public_files
from bot.services.registry import exporting, file_format, importing
from bot.settings import Settings
from bot.store.db import shown_url

JSON_SUFFIXES = {".json"}
YAML_SUFFIXES = {".yaml", ".yml"}


def add_commands(commands: Any) -> None:
    importer = commands.add_parser(
        "import",
        help="import the website's members file (AMBASSADORS_MEMBERS.json or .yaml)",
        description=(
            "Add the file's members to the registry (matched by GitHub handle, then Slack ID) with their "
            "contributions. New members become ambassadors from the day they joined (--term-starts, else "
            "--term-start): their current term is the yearly one that holds today, the years before are "
            "recorded as completed terms. Members already on record keep their terms (change one with "
            "`ambassador-bot terms set`). Importing the same file again changes nothing; a file with a "
            "problem changes nothing at all."
        ),
    )
    importer.add_argument(
        "path",
        metavar="PATH",
        type=Path,
        help="AMBASSADORS_MEMBERS.json or .yaml, or Emeritus.yaml (JSON or YAML, told by content); - reads stdin",
    )
    importer.add_argument(
        "--term-start",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the day new members joined, for those --term-starts does not name (default: today in TIMEZONE)",
    )
    importer.add_argument(
        "--term-starts",
        type=Path,
        metavar="FILE",
        help="each new member's own start: GitHub handle and the day they joined, as CSV lines "
        "(janedoe,2022-05-05) or a YAML mapping (janedoe: 2022-05-05)",
    )
    importer.set_defaults(handler=cmd_import)

    exporter = commands.add_parser(
        "export",
        help="write current ambassadors in the website's format (JSON on standard output by default)",
        description=(
            "Write the current ambassadors as AMBASSADORS_MEMBERS.json (or .yaml) is written, or with "
            "--emeritus the former ambassadors as Emeritus.yaml lists them."
        ),
    )
    exporter.add_argument(
        "--format",
        choices=("json", "yaml"),
        help="output format (default: from the -o file's extension, else json; yaml with --emeritus)",
    )
    exporter.add_argument("-o", "--output", type=Path, metavar="PATH", help="write to PATH instead of stdout")
    exporter.add_argument(
        "--emeritus",
        action="store_true",
        help="write the emeritus list (emeritus_ambassadors: GitHub handles)",
    )
    exporter.set_defaults(handler=cmd_export)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


# --- import -----------------------------------------------------------------------------------


STDIN = Path("-")


def read_members_file(path: Path) -> Any:
    """The file's data (`-`: standard input), JSON or YAML told by its content, not its name.

    A JSON file read as YAML would turn the website's `\\ud83c\\udde9` flag escapes into lone
    surrogates, which no database can store: JSON is read as JSON whatever the file is called.
    """
    try:
        raw = sys.stdin.buffer.read() if path == STDIN else path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return public_files.parse_text(text)
    except public_files.FileFormatError as exc:
        raise CommandError(f"{path}: {exc}") from None


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.path
    data = read_members_file(path)
    if file_format.is_emeritus_file(data):
        return import_emeritus_file(settings, path, data)
    try:
        parsed = file_format.parse_members(data)
    except file_format.MembersFileError as exc:
        raise CommandError(f"{path}: {exc}; nothing was imported") from None
    now = datetime.now(UTC)
    today = now.astimezone(settings.zone).date()
    term_start: date = args.term_start or today
    if args.term_start is not None and args.term_start > today:
        raise CommandError(
            f"--term-start {args.term_start.isoformat()} is in the future (today is {today.isoformat()} in "
            f"{settings.timezone}); a term cannot have started yet. Nothing was imported"
        )
    starts = read_term_starts(args.term_starts, today) if args.term_starts else ()
    try:
        importing.check_starts(parsed, starts, term_start, today)
    except file_format.MembersFileError as exc:
        raise CommandError(f"{args.term_starts or path}: {exc}; nothing was imported") from None
    db = open_database(settings)
    try:
        summary = importing.import_members(
            db, parsed, term_start=term_start, now=now, source=source_name(path), starts=starts, today=today
        )
    except file_format.MembersFileError as exc:
        raise CommandError(f"{path}: {exc}; nothing was imported") from None
    finally:
        db.dispose()
    for warning in summary.warnings:
        print(f"ambassador-bot: warning: {path}: {warning}", file=sys.stderr)
    print(
        f"Imported {source_name(path)}: {summary.members_added} members added, "
        f"{summary.members_updated} updated, {summary.members_unchanged} unchanged; "
        f"{summary.contributions_added} contributions added, {summary.contributions_updated} updated."
    )
    if summary.members_added:
        if starts:
            print(
                f"New members are ambassadors from the day {args.term_starts.name} gives "
                f"(from {term_start.isoformat()} when it names none)."
            )
        else:
            print(f"New members are ambassadors from {term_start.isoformat()}.")
    sys.stdout.flush()
    for line in not_applied(args, summary):
        print(f"ambassador-bot: note: {line}", file=sys.stderr)
    return 0


CHANGE_A_TERM = (
    "change a member's term with `ambassador-bot terms set GITHUB --start YYYY-MM-DD` (or "
    "`--file STARTS` for many), or `/ambassador admin term @member start YYYY-MM-DD` in Slack"
)


def not_applied(args: argparse.Namespace, summary: importing.ImportSummary) -> list[str]:
    """What the import was told but did not do (members on record keep their terms), and how instead."""
    lines = []
    known = summary.members_updated + summary.members_unchanged
    if args.term_start is not None and known:
        lines.append(
            f"--term-start {args.term_start.isoformat()} was not applied to the {known} member"
            f"{'s' if known != 1 else ''} already on record (an import keeps their terms); {CHANGE_A_TERM}"
        )
    if summary.starts_not_applied:
        count = len(summary.starts_not_applied)
        lines.append(
            f"{args.term_starts.name}: the start{'s' if count != 1 else ''} of {', '.join(summary.starts_not_applied)} "
            f"{'were' if count != 1 else 'was'} not applied (already on record; an import keeps their terms); "
            f"{CHANGE_A_TERM}"
        )
    return lines


def read_term_starts(path: Path, today: date) -> tuple[file_format.TermStart, ...]:
    """The term starts file (CSV or YAML), each start checked; one line naming the problem otherwise."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return file_format.parse_term_starts(text, today)
    except file_format.MembersFileError as exc:
        raise CommandError(f"{path}: {exc}; nothing was imported") from None


def source_name(path: Path) -> str:
    return "standard input" if path == STDIN else path.name


def import_emeritus_file(settings: Settings, path: Path, data: Any) -> int:
    try:
        handles = file_format.parse_emeritus(data)
    except file_format.MembersFileError as exc:
        raise CommandError(f"{path}: {exc}; nothing was imported") from None
    db = open_database(settings)
    try:
        summary = importing.import_emeritus(db, handles, now=datetime.now(UTC), source=source_name(path))
    finally:
        db.dispose()
    print(
        f"Imported {source_name(path)}: {summary.added} former ambassadors added as emeritus, "
        f"{summary.known} already known (their status is kept)."
    )
    return 0


# --- export -----------------------------------------------------------------------------------


def output_format(requested: str | None, output: Path | None, emeritus: bool) -> str:
    if requested:
        return requested
    if output is None:
        return "yaml" if emeritus else "json"
    suffix = output.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in JSON_SUFFIXES:
        return "json"
    raise CommandError(
        f"{output}: the format follows the extension, and {suffix or 'no extension'} is neither "
        ".json nor .yaml/.yml; name the file so, or pass --format json|yaml"
    )


def render(data: Any, fmt: str, emeritus: bool = False) -> str:
    """The file as the community writes it (one place for that style: `bot.github.public_files`):
    exporting what was imported from AMBASSADORS_MEMBERS.yaml or the website's JSON gives it back
    byte for byte."""
    if fmt == "json":
        return public_files.render(data, public_files.MEMBERS_JSON_STYLE)
    style = public_files.EMERITUS_YAML_STYLE if emeritus else public_files.MEMBERS_YAML_STYLE
    return public_files.render(data, style)


def write_atomically(path: Path, text: str) -> None:
    """Readers (a website build, a second export) never see a half-written file."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    fmt = output_format(args.format, args.output, args.emeritus)
    db = open_database(settings, to_read=True)
    try:
        if args.emeritus:
            emeritus = exporting.export_emeritus(db)
            data: Any = emeritus.as_file_data()
            count, what = len(emeritus.github_handles), "former ambassadors"
            for name in emeritus.without_github:
                print(
                    f"ambassador-bot: warning: {name} is emeritus but has no GitHub handle", file=sys.stderr
                )
        else:
            data = exporting.export_members(db)
            count, what = len(data), "ambassadors"
    finally:
        db.dispose()
    text = render(data, fmt, emeritus=args.emeritus)
    source = shown_url(settings.database_url)
    if count == 0:
        # An empty list is a real answer, but usually a sign of the wrong database (or none imported yet).
        print(
            f"ambassador-bot: note: the database {source} has no {what} yet "
            "(`ambassador-bot import FILE` brings the members file in)",
            file=sys.stderr,
        )
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(args.output, text)
    except OSError as exc:
        raise CommandError(f"{args.output}: cannot write it ({exc.strerror or exc})") from None
    print(f"Wrote {count} {what} from {source} to {args.output} ({fmt}).")
    return 0
