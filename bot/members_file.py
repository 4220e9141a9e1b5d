"""`ambassador-bot import` and `export`: the website's members file in and out of the registry.

This module is the edge: it reads and writes files (JSON or YAML) and prints; the rules of importing
and exporting are in `bot.services.registry`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.cli import CommandError, open_database
from bot.services import registry
from bot.settings import Settings

JSON_SUFFIXES = {".json"}
YAML_SUFFIXES = {".yaml", ".yml"}


class IndentedDumper(yaml.SafeDumper):
    """Indents lists under their key (`key:\\n  - item`), as AsyncAPI's YAML files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def add_commands(commands: Any) -> None:
    importer = commands.add_parser(
        "import",
        help="import the website's members file (AMBASSADORS_MEMBERS.json or .yaml)",
        description=(
            "Add the file's members to the registry (matched by GitHub handle, then Slack ID) with their "
            "contributions. New members become ambassadors with a term starting --term-start. Importing "
            "the same file again changes nothing; a file with a problem changes nothing at all."
        ),
    )
    importer.add_argument("path", metavar="PATH", type=Path, help="AMBASSADORS_MEMBERS.json or .yaml")
    importer.add_argument(
        "--term-start",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="first day of new members' term (default: today in TIMEZONE)",
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


def read_members_file(path: Path) -> Any:
    """The file's data: JSON or YAML by extension (YAML, which also reads JSON, otherwise)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read it ({exc.__class__.__name__}: {exc})") from None
    if path.suffix.lower() in JSON_SUFFIXES:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CommandError(f"{path}: not valid YAML ({where}{problem})") from None


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.path
    try:
        parsed = registry.parse_members(read_members_file(path))
    except registry.MembersFileError as exc:
        raise CommandError(f"{path}: {exc}; nothing was imported") from None
    now = datetime.now(UTC)
    term_start: date = args.term_start or now.astimezone(settings.zone).date()
    db = open_database(settings)
    try:
        summary = registry.import_members(db, parsed, term_start=term_start, now=now, source=path.name)
    except registry.MembersFileError as exc:
        raise CommandError(f"{path}: {exc}; nothing was imported") from None
    finally:
        db.dispose()
    for warning in summary.warnings:
        print(f"ambassador-bot: warning: {path}: {warning}", file=sys.stderr)
    print(
        f"Imported {path.name}: {summary.members_added} members added, "
        f"{summary.members_updated} updated, {summary.members_unchanged} unchanged; "
        f"{summary.contributions_added} contributions added, {summary.contributions_updated} updated."
    )
    if summary.members_added:
        print(f"New members are ambassadors from {term_start.isoformat()}.")
    return 0


# --- export -----------------------------------------------------------------------------------


def output_format(requested: str | None, output: Path | None, emeritus: bool) -> str:
    if requested:
        return requested
    suffix = output.suffix.lower() if output else ""
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in JSON_SUFFIXES:
        return "json"
    return "yaml" if emeritus else "json"


def render(data: Any, fmt: str) -> str:
    if fmt == "json":
        # As the website's file is generated (json.dump, indent=4): non-ASCII as \\u escapes.
        return json.dumps(data, indent=4) + "\n"
    return yaml.dump(
        data, Dumper=IndentedDumper, sort_keys=False, allow_unicode=True, width=1_000_000, indent=2
    )


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
    db = open_database(settings)
    try:
        if args.emeritus:
            emeritus = registry.export_emeritus(db)
            data: Any = emeritus.as_file_data()
            count, what = len(emeritus.github_handles), "former ambassadors"
            for name in emeritus.without_github:
                print(
                    f"ambassador-bot: warning: {name} is emeritus but has no GitHub handle", file=sys.stderr
                )
        else:
            data = registry.export_members(db)
            count, what = len(data), "ambassadors"
    finally:
        db.dispose()
    text = render(data, fmt)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(args.output, text)
    except OSError as exc:
        raise CommandError(f"{args.output}: cannot write it ({exc.strerror or exc})") from None
    print(f"Wrote {count} {what} to {args.output} ({fmt}).")
    return 0
