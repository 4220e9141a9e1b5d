"""Shared by the membership tests (test_membership, test_review, test_admin)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.slack.client import web_client
from tests.conftest import Bot
from tests.fakes.slack import FakeSlack


@pytest.fixture(autouse=True)
def settle(fake_slack: FakeSlack) -> Iterator[None]:
    """Let the bot finish what it does after acknowledging (App Home refreshes) before teardown."""
    yield
    fake_slack.wait_until_quiet()


def count(bot: Bot, model: Any) -> int:
    with bot.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def dm_texts(bot: Bot, user: str) -> list[str]:
    """The texts of the bot's DMs to `user`, oldest first."""
    return [message.text for message in bot.fake.messages_in("D" + user[1:])]


def client(bot: Bot) -> Any:
    """A Web API client on the fake Slack, as the bot's own."""
    return web_client(bot.settings)
