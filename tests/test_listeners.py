"""Listeners are plain functions: called here directly, with Bolt's own `Ack` and a Web API client on the
fake Slack, without the HTTP round trip the other tests make."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from slack_bolt import Ack
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.store.db import Database
from handlers import commands
from handlers.common import bind
from handlers.router import Invocation
from tests.conftest import MEMBER, Clock, make_settings
from tests.factories import enrol
from tests.fake_slack import BOT_TOKEN, FakeSlack


def answered(ack: Ack) -> Any:
    """What the listener acknowledged with, as Slack would receive it."""
    assert ack.response is not None, "the listener did not acknowledge"
    return json.loads(ack.response.body) if ack.response.body else None


def invocation(ack: Ack, client: WebClient, user_id: str, name: str, args: str = "") -> Invocation:
    body = {"user_id": user_id, "text": f"{name} {args}".strip(), "trigger_id": "111.222.valid"}
    return Invocation(
        ack, respond=None, client=client, body=body, user_id=user_id, name=name, slack_args=args
    )


@pytest.fixture
def deps(db: Database, fake_slack: FakeSlack) -> Deps:
    return Deps(settings=make_settings(db.url, fake_slack.url), db=db, clock=Clock())


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.url)


def test_bolt_fills_in_only_its_own_arguments_of_a_bound_listener() -> None:
    def listener(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
        """A listener."""

    bound = bind(listener, deps=object())

    assert get_arg_names_of_callable(bound) == ["ack", "body", "client"]
    assert bound.__name__ == "listener"


def test_a_listener_taking_deps_where_bolt_would_fill_it_in_is_refused_when_attached() -> None:
    def listener(ack: Ack, deps: Deps) -> None:
        """A listener Bolt would call with deps=None."""

    with pytest.raises(TypeError, match="'deps' as a keyword-only parameter"):
        bind(listener, deps=object())


@pytest.mark.sqlite_only
def test_status_called_directly_answers_in_the_acknowledgement(
    deps: Deps, client: WebClient, fake_slack: FakeSlack
) -> None:
    enrol(deps.db, MEMBER, date(2026, 3, 2))
    ack = Ack()

    commands.show_status(invocation(ack, client, MEMBER, "status"), deps=deps)

    assert "0 of 4 contributions this term" in answered(ack)["text"]
    assert fake_slack.methods() == ["users.info"]  # the member's own "today"
