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
from sqlalchemy import select

from bot.blocks import membership as membership_blocks
from bot.rules import membership as membership_rules
from bot.slack.deps import Deps
from bot.store.db import Database
from bot.store.models import AuditEvent
from handlers import commands, forms
from handlers.common import bind
from handlers.forms import FieldErrors, ShowView
from handlers.membership import decisions
from handlers.router import Invocation
from tests.conftest import MEMBER, TSC, Clock, make_settings
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


def rejection_form(reason: str | None, application_id: int = 7) -> dict[str, Any]:
    return {
        "callback_id": "reject_modal",
        "private_metadata": json.dumps({"application_id": application_id}),
        "state": {"values": {"reason": {"value": {"type": "plain_text_input", "value": reason}}}},
    }


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("   ", membership_blocks.REJECT_REASON_REQUIRED),
        ("x" * (membership_rules.DECISION_REASON_MAX_LENGTH + 1), membership_blocks.REJECT_REASON_TOO_LONG),
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


@pytest.mark.sqlite_only
def test_a_rejection_by_someone_not_on_the_tsc_is_refused_in_the_form_and_audited(
    deps: Deps, client: WebClient, fake_slack: FakeSlack
) -> None:
    ack = Ack()

    decisions.submit_rejection(
        ack=ack, body={"user": {"id": MEMBER}}, view=rejection_form("Not yet"), client=client, deps=deps
    )

    answer = answered(ack)
    assert answer["response_action"] == "update"
    assert membership_blocks.NOT_TSC_DECISION in json.dumps(answer["view"])
    assert fake_slack.methods() == []
    with deps.db.transaction() as session:
        refused = session.scalars(select(AuditEvent)).one()
        assert (refused.action, refused.actor) == ("application.decision_refused", MEMBER)


def test_a_submission_is_answered_before_what_follows_it() -> None:
    ack = Ack()
    followed: list[tuple[str, Any]] = []
    received = {"type": "modal", "title": {"type": "plain_text", "text": "Received"}, "blocks": []}

    forms.submit_form(
        ack,
        validate=lambda: "draft",
        act=lambda draft: f"{draft}, stored",
        done_view=lambda done: received,
        then=lambda done: followed.append((done, answered(ack))),
    )

    assert followed == [("draft, stored", {"response_action": "update", "view": received})]


@pytest.mark.parametrize(
    ("not_done", "answer"),
    [
        (
            FieldErrors({"title": "Say what it was."}),
            {"response_action": "errors", "errors": {"title": "Say what it was."}},
        ),
        (
            ShowView({"type": "modal", "blocks": []}),
            {"response_action": "update", "view": {"type": "modal", "blocks": []}},
        ),
    ],
)
def test_a_submission_not_valid_is_answered_in_the_modal_and_never_reaches_the_service(
    not_done: forms.NotDone, answer: dict[str, Any]
) -> None:
    ack = Ack()
    acted: list[Any] = []

    forms.submit_form(ack, validate=lambda: not_done, act=acted.append, then=acted.append)

    assert answered(ack) == answer
    assert acted == []
