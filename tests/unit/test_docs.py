"""The README and .env.example stay true: every setting and every subcommand is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

from slack_bolt import App

from bot.blocks import general as general_blocks
from bot.cli.main import build_parser
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.store.db import Database
from handlers import register_all
from tests.conftest import make_settings
from tests.paths import ROOT

README = (ROOT / "README.md").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()


def test_every_setting_is_in_the_readme_and_env_example() -> None:
    for name in Settings.model_fields:
        variable = name.upper()
        assert f"`{variable}`" in README, f"{variable} is missing from README.md's configuration table"
        assert f"\n{variable}=" in ENV_EXAMPLE, f"{variable} is missing from .env.example"


def test_every_subcommand_is_documented(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/docs.db")
    settings = make_settings(db.url, "http://127.0.0.1:9/api/")
    app = App(signing_secret="x", token="xoxb-x", token_verification_enabled=False)
    router = register_all(app, Deps(settings=settings, db=db))
    help_text = general_blocks.help_message(4)["text"]
    aliases = {
        "-h",
        "--help",
        "?",
        "add",
        "record",
        "ambassadors",
        "join",
        "mute",
        "stepdown",
        "contributions",
        "progress",
        "perks",
    }
    for name in set(router.handlers) - aliases:
        assert f"`/ambassador {name}" in README, f"/ambassador {name} is missing from README.md"
        assert f"`/ambassador {name}" in help_text, f"/ambassador {name} is missing from /ambassador help"
    db.dispose()


def test_every_readme_example_with_now_is_a_dry_run() -> None:
    examples = [line for line in README.splitlines() if "ambassador-bot jobs run" in line and "--now" in line]
    assert examples
    for line in examples:
        assert "--dry-run" in line, f"a README example runs a job with --now for real: {line.strip()}"


def test_every_command_line_command_is_in_the_readme() -> None:
    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    for name, subparser in commands.choices.items():
        actions = [a for a in subparser._actions if isinstance(a, argparse._SubParsersAction)]
        names = [f"{name} {action}" for sub in actions for action in sub.choices] or [name]
        for command in names:
            assert f"ambassador-bot {command}" in README, (
                f"`ambassador-bot {command}` is missing from README.md"
            )
