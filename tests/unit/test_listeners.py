"""The listeners' plumbing alone: how they get `deps` past Bolt, and the one way a modal's submission goes
(answered with Bolt's own `Ack`, no HTTP, no database)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import Ack
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk import WebClient

from bot.slack.deps import Deps
from handlers import forms
from handlers.common import bind
from handlers.forms import FieldErrors, ShowView


def answered(ack: Ack) -> Any:
    """What the listener acknowledged with, as Slack would receive it."""
    assert ack.response is not None, "the listener did not acknowledge"
    return json.loads(ack.response.body) if ack.response.body else None


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
