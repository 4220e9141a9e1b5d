"""`ambassador-bot manifest`: the Slack app manifest to create the app from, before any token exists."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import CommandError
from bot.settings import Settings
from bot.slack.manifest import DEFAULT_NAME, bot_display_name, build_manifest


def add_commands(commands: Any) -> None:
    parser = commands.add_parser(
        "manifest",
        help="print the Slack app manifest (JSON) to create the app from",
        description=(
            "Print a Slack app manifest: paste it at https://api.slack.com/apps → Create New App → "
            "From a manifest. Give the public https address Slack reaches the bot at, or --socket-mode."
        ),
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", metavar="https://HOST", help="public address of `ambassador-bot serve`")
    where.add_argument(
        "--socket-mode", action="store_true", help="no public address: the bot connects out (SLACK_APP_TOKEN)"
    )
    parser.add_argument(
        "--name",
        default=DEFAULT_NAME,
        help=f"app name (default {DEFAULT_NAME!r}); the bot user's is derived from it, e.g. 'ambassador-bot'",
    )
    parser.set_defaults(handler=cmd_manifest)


def cmd_manifest(settings: Settings, args: argparse.Namespace) -> int:
    name = args.name.strip()
    if not 1 <= len(name) <= 35:
        raise CommandError("--name must be 1 to 35 characters (Slack's limit for app names)")
    try:
        bot_display_name(name)
    except ValueError as exc:
        raise CommandError(f"--name: {exc}") from None
    try:
        manifest = build_manifest(url=args.url, socket_mode=args.socket_mode, name=name)
    except ValueError as exc:
        raise CommandError(f"--url: {exc}") from None
    json.dump(manifest, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
