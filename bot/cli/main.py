"""The `ambassador-bot` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from bot import __version__
from bot.cli import (
    access,
    benefits,
    contributions,
    database,
    jobs,
    manifest,
    members_file,
    publish,
    report,
    sandbox,
    serve,
    terms,
)
from bot.cli.common import EXIT_USAGE, Command, CommandError
from bot.logging_setup import configure_logging
from bot.settings import SettingsError, load_settings
from bot.store.db import DatabaseUnavailable


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ambassador-bot", description="A Slack bot that runs a community ambassador program."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Each command module adds its own parsers, each with a `handler`; the order is the help's.
    for command_module in (
        serve,
        sandbox,
        database,
        members_file,
        terms,
        manifest,
        jobs,
        benefits,
        contributions,
        report,
        publish,
        access,
    ):
        command_module.add_commands(commands)
    return parser


def installed_version() -> str:
    try:
        return version("ambassador-bot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return __version__


def chosen_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the (sub)subcommand the arguments chose, e.g. `jobs run`'s for `jobs run x --bad`."""
    while True:
        subcommands = next(
            (action for action in parser._actions if isinstance(action, argparse._SubParsersAction)), None
        )
        chosen = getattr(args, subcommands.dest, None) if subcommands else None
        if subcommands is None or chosen not in subcommands.choices:
            return parser
        parser = subcommands.choices[chosen]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse would blame the top-level command and show its usage; show the subcommand's instead.
        chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.log_format)
    handler: Command = args.handler
    try:
        return handler(settings, args)
    except SettingsError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, DatabaseUnavailable) as exc:
        print(f"ambassador-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`ambassador-bot export | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
