"""What the benchmarks share: the bot's own Bolt app, on a bench database, talking to a fake Slack."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.settings import Settings
from bot.slack.deps import Deps
from bot.store.db import Database
from handlers import create_app
from tests.fakes.slack import BOT_TOKEN
from tests.fakes.slack_requests import SIGNING_SECRET


def bot_app(db: Database, api_url: str, **settings: Any) -> App:
    """The bot as `serve` builds it, signed requests verified with the tests' secret; `settings`
    override the rest (no .env file is read)."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "database_url": db.url,
        **settings,
    }
    return create_app(Deps(settings=Settings(_env_file=None, **values), db=db))  # type: ignore[call-arg]
