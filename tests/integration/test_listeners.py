"""Listeners are plain functions: called here directly with Bolt's own `Ack`, a Web API client on the
fake Slack and the database, without the signed HTTP round trip of the e2e tests."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from slack_bolt import Ack
from slack_sdk import WebClient
from sqlalchemy import select

from bot.blocks.membership import deciding as deciding_blocks
from bot.rules import membership as membership_rules
from bot.slack.deps import Deps
from bot.store.db import Database
from bot.store.models import AuditEvent
from handlers import commands
from handlers.membership import decisions
from handlers.router import Invocation
from tests.conftest import MEMBER, TSC, Clock, make_settings
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.helpers.factories import enrol


def answered(ack: Ack) -> Any:
    """What the listener acknowledged with, as Slack would receive it."""
    assert ack.response is not None, "the listener did not acknowledge"
    return json.loads(ack.response.body) if ack.response.body else None


@pytest.fixture
def deps(db: Database, fake_slack: FakeSlack) -> Deps:
    return Deps(settings=make_settings(db.url, fake_slack.url), db=db, clock=Clock())


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.url)


def invocation(ack: Ack, client: WebClient, user_id: str, name: str, args: str = "") -> Invocation:
    body = {"user_id": user_id, "text": f"{name} {args}".strip(), "trigger_id": "111.222.valid"}
    return Invocation(
        ack, respond=None, client=client, body=body, user_id=user_id, name=name, slack_args=args
    )


def test_status_called_directly_answers_in_the_acknowledgement(
    deps: Deps, client: WebClient, fake_slack: FakeSlack
) -> None:
    enrol(deps.db, MEMBER, date(2026, 3, 2))
    ack = Ack()

    commands.show_status(invocation(ack, client, MEMBER, "status"), deps=deps)

    assert "0 of 4 contributions this term" in answered(ack)["text"]
    assert fake_slack.methods() == ["users.info"]  # the member's own "today"


def rejection_form(reason: str | None, application_id: int = 7) -> dict[str, Any]:
    return {
        "callback_id": "reject_modal",
        "private_metadata": json.dumps({"application_id": application_id}),
        "state": {"values": {"reason": {"value": {"type": "plain_text_input", "value": reason}}}},
    }


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("   ", deciding_blocks.REJECT_REASON_REQUIRED),
        ("x" * (membership_rules.DECISION_REASON_MAX_LENGTH + 1), deciding_blocks.REJECT_REASON_TOO_LONG),
    ],
)
def test_a_rejection_without_a_usable_reason_keeps_the_form_open_and_decides_nothing(
    deps: Deps, client: WebClient, fake_slack: FakeSlack, reason: str, error: str
) -> None:
    ack = Ack()

    decisions.submit_rejection(
        ack=ack, body={"user": {"id": TSC}}, view=rejection_form(reason), client=client, deps=deps
    )

    assert answered(ack) == {"response_action": "errors", "errors": {"reason": error}}
    assert fake_slack.methods() == []
    with deps.db.transaction() as session:
        assert session.scalars(select(AuditEvent)).all() == []


def test_a_rejection_by_someone_not_on_the_tsc_is_refused_in_the_form_and_audited(
    deps: Deps, client: WebClient, fake_slack: FakeSlack
) -> None:
    ack = Ack()

    decisions.submit_rejection(
        ack=ack, body={"user": {"id": MEMBER}}, view=rejection_form("Not yet"), client=client, deps=deps
    )

    answer = answered(ack)
    assert answer["response_action"] == "update"
    assert deciding_blocks.NOT_TSC_DECISION in json.dumps(answer["view"])
    assert fake_slack.methods() == []
    with deps.db.transaction() as session:
        refused = session.scalars(select(AuditEvent)).one()
        assert (refused.action, refused.actor) == ("application.decision_refused", MEMBER)
