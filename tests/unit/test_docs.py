"""The README and .env.example stay true: every setting and every subcommand is documented."""

from __future__ import annotations

from pathlib import Path

from slack_bolt import App

from bot.blocks import general as general_blocks
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
