"""A modal's submission, the one way: read and validate it, call the service, answer in the modal.

Slack shows the answer to a submission in the modal itself and waits at most 3 s for it: messages
under the fields (what was typed stays), another view in its place, or the modal closed. What may
take longer (delivering messages, redrawing Homes) comes after the answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import Ack

from bot.rules import membership as membership_rules
from bot.rules import parsing

Checked = TypeVar("Checked")
Done = TypeVar("Done")


@dataclass(frozen=True)
class FieldErrors:
    """Messages under the form's fields (block_id → text); the modal stays open with what was typed."""

    errors: dict[str, str]


@dataclass(frozen=True)
class ShowView:
    """The modal replaced by this view: why the submission cannot be done, or what became of it."""

    view: dict[str, Any]


NotDone = FieldErrors | ShowView


def submit_form(
    ack: Ack,
    validate: Callable[[], Checked | NotDone],
    act: Callable[[Checked], Done | NotDone],
    then: Callable[[Done], None] | None = None,
    done_view: Callable[[Done], dict[str, Any]] | None = None,
) -> None:
    """Validate the submission, then act on it (one service call), then answer; `then` runs after.

    `done_view` is the view the modal shows when it is done; without it the modal closes.
    """
    checked = validate()
    if isinstance(checked, FieldErrors | ShowView):
        answer(ack, checked)
        return
    done = act(checked)
    if isinstance(done, FieldErrors | ShowView):
        answer(ack, done)
        return
    if done_view is None:
        ack()
    else:
        ack(response_action="update", view=done_view(done))
    if then is not None:
        then(done)


def answer(ack: Ack, not_done: NotDone) -> None:
    if isinstance(not_done, FieldErrors):
        ack(response_action="errors", errors=not_done.errors)
    else:
        ack(response_action="update", view=not_done.view)


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What the modal carries from where it was opened (`private_metadata`); {} when nothing."""
    loaded: dict[str, Any] = json.loads(view.get("private_metadata") or "{}")
    return loaded


def decision_reason(view: dict[str, Any], missing: str, too_long: str) -> str | FieldErrors:
    """The reason typed in a decision form's `reason` field (required, and not too long)."""
    reason = (parsing.state_value(view["state"]["values"], "reason") or "").strip()
    if not reason:
        return FieldErrors({"reason": missing})
    if len(reason) > membership_rules.DECISION_REASON_MAX_LENGTH:
        return FieldErrors({"reason": too_long})
    return reason
