"""Subcommands of `ambassador-bot` beyond serving and migrating; each feature adds its own."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """`commands` is the parser's subparsers object; each feature adds parsers with a `handler`."""
    from bot import benefits_cli, members_file
    from bot.slack import manifest
    from jobs import cli as jobs_cli
    from jobs import publish

    members_file.add_commands(commands)
    manifest.add_commands(commands)
    jobs_cli.add_commands(commands)
    benefits_cli.add_commands(commands)
    publish.add_commands(commands)
