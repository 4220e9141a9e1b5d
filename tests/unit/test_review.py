"""The TSC's review of contributions (bot/rules/review.py) on plain values, and its texts: the review
channel's list with its buttons (within Slack's limits), the forms, the member's messages and lines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.blocks import ids
from bot.blocks import review as review_blocks
from bot.rules import review as review_rules
from bot.rules.impact import Impact
from bot.rules.membership import DecisionRefusal
from bot.rules.review import ReviewDecision, ReviewSetting, ReviewState
from bot.sandbox.block_kit import check_message, check_view
from bot.services.review import ReviewItem
from bot.settings import SettingsError, load_settings
from tests.helpers.jobs import buttons


def item(number: int = 1, state: str = ReviewState.PENDING, **changes: object) -> ReviewItem:
    values: dict[str, object] = {
        "id": number,
        "member_id": 7,
        "slack_user_id": "U0MEMBER",
        "name": "Jane <Doe>",
        "type": "talk",
        "title": f"AsyncAPI at KubeCon {number}",
        "link": f"https://example.org/talk/{number}",
        "occurred_on": date(2026, 3, 1),
        "date_precision": "day",
        "notes": "Slides attached.\nRecording soon.",
        "impact": Impact(event_name="KubeCon EU", reach=300),
        "logged_by": "U0MEMBER",
        "state": state,
        "round": 0,
        "reviewed_by": None,
        "reviewed_at": None,
        "review_note": None,
        "message_key": "contribution-review:1.0",
    }
    values.update(changes)
    return ReviewItem(**values)  # type: ignore[arg-type]


# --- the rules ----------------------------------------------------------------------------------------


def test_only_verified_or_never_reviewed_count() -> None:
    assert review_rules.counts(ReviewState.NONE) and review_rules.counts(ReviewState.VERIFIED)
    for state in (ReviewState.PENDING, ReviewState.NEEDS_INFO, ReviewState.NOT_COUNTED):
        assert not review_rules.counts(state)
    assert review_rules.is_waiting(ReviewState.PENDING) and review_rules.is_waiting(ReviewState.NEEDS_INFO)
    assert not review_rules.is_waiting(ReviewState.NOT_COUNTED)


def test_new_contributions_wait_only_with_the_review_on() -> None:
    assert review_rules.initial_state(ReviewSetting.TSC) is ReviewState.PENDING
    assert review_rules.initial_state(ReviewSetting.OFF) is ReviewState.NONE


def test_only_the_tsc_decides_never_on_their_own_nor_what_they_logged() -> None:
    assert review_rules.decision_refusal("U0TSC", True, "U0MEMBER", "U0MEMBER") is None
    assert review_rules.decision_refusal("U0OTHER", False, "U0MEMBER") is DecisionRefusal.NOT_TSC
    assert review_rules.decision_refusal("U0TSC", True, "U0TSC") is DecisionRefusal.OWN_REQUEST
    assert review_rules.decision_refusal("U0TSC", True, "U0MEMBER", "U0TSC") is DecisionRefusal.OWN_REQUEST
    assert review_rules.decision_refusal("U0TSC", True, None) is None  # imported, no Slack account


def test_exactly_one_decision_per_round() -> None:
    assert review_rules.may_decide(ReviewState.PENDING)
    for state in (ReviewState.NONE, ReviewState.VERIFIED, ReviewState.NEEDS_INFO, ReviewState.NOT_COUNTED):
        assert not review_rules.may_decide(state)
    assert review_rules.STATE_AFTER[ReviewDecision.VERIFY] is ReviewState.VERIFIED


def test_a_question_or_a_reason_is_required_and_bounded() -> None:
    assert review_rules.note_problem(ReviewDecision.VERIFY, None) is None
    assert review_rules.note_problem(ReviewDecision.NEEDS_INFO, "  ") == "missing"
    assert review_rules.note_problem(ReviewDecision.NOT_COUNTED, None) == "missing"
    assert review_rules.note_problem(ReviewDecision.NOT_COUNTED, "x" * review_rules.NOTE_MAX_LENGTH) is None
    assert (
        review_rules.note_problem(ReviewDecision.NOT_COUNTED, "x" * (review_rules.NOTE_MAX_LENGTH + 1))
        == "too_long"
    )


@pytest.mark.parametrize(
    ("state", "changed", "setting", "after"),
    [
        # Saving a contribution the TSC asked about is the answer, whatever changed, even with the review off.
        (ReviewState.NEEDS_INFO, [], ReviewSetting.TSC, ReviewState.PENDING),
        (ReviewState.NEEDS_INFO, ["notes"], ReviewSetting.OFF, ReviewState.PENDING),
        # What it is changed: before the TSC again.
        (ReviewState.VERIFIED, ["link"], ReviewSetting.TSC, ReviewState.PENDING),
        (ReviewState.NOT_COUNTED, ["type"], ReviewSetting.TSC, ReviewState.PENDING),
        (ReviewState.NONE, ["date"], ReviewSetting.TSC, ReviewState.PENDING),
        # Wording, audience, notes: the decision stands.
        (ReviewState.VERIFIED, ["title", "reach", "notes"], ReviewSetting.TSC, ReviewState.VERIFIED),
        (ReviewState.NOT_COUNTED, ["title"], ReviewSetting.TSC, ReviewState.NOT_COUNTED),
        # The review off: an edit never starts one.
        (ReviewState.VERIFIED, ["link"], ReviewSetting.OFF, ReviewState.VERIFIED),
        (ReviewState.NONE, ["link"], ReviewSetting.OFF, ReviewState.NONE),
        (ReviewState.PENDING, ["link"], ReviewSetting.TSC, ReviewState.PENDING),
    ],
)
def test_what_an_edit_does(state: str, changed: list[str], setting: str, after: ReviewState) -> None:
    assert review_rules.state_after_edit(state, changed, setting) is after


# --- the texts ----------------------------------------------------------------------------------------


def test_the_list_has_three_buttons_per_waiting_contribution_and_fits_slack() -> None:
    items = [item(number) for number in range(1, review_blocks.PER_MESSAGE + 1)]
    message = review_blocks.review_message(items)
    check_message(message)
    assert len(message["blocks"]) <= 50
    assert message["text"].startswith("Contributions to review: 20 new contributions; 20 waiting")
    first = message["blocks"][2]["text"]["text"]
    assert (
        "*Jane &lt;Doe&gt;* (<@U0MEMBER>) — Talk · <https://example.org/talk/1|AsyncAPI at KubeCon 1> · 2026-03-01"
        in first
    )
    assert "KubeCon EU" in first and ">Slides attached.\n>Recording soon." in first
    assert buttons(message["blocks"][3:4]) == {
        ids.REVIEW_VERIFY: "1",
        ids.REVIEW_NEEDS_INFO: "1",
        ids.REVIEW_NOT_COUNTED: "1",
    }


def test_a_decided_contribution_shows_who_decided_what_and_no_buttons() -> None:
    decided = item(
        state=ReviewState.NOT_COUNTED,
        reviewed_by="U0TSC",
        reviewed_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        review_note="Not about AsyncAPI.",
    )
    message = review_blocks.review_message([decided, item(2)])
    check_message(message)
    text = json.dumps(message["blocks"])
    assert "Not counted by <@U0TSC> on" in text and "Not about AsyncAPI." in text
    assert "1 waiting for a TSC member" in message["text"]
    assert buttons(message["blocks"]) == {
        ids.REVIEW_VERIFY: "2",
        ids.REVIEW_NEEDS_INFO: "2",
        ids.REVIEW_NOT_COUNTED: "2",
    }


def test_a_contribution_answered_shows_the_question_asked_before() -> None:
    again = item(round=1, review_note="Which event was it?")
    assert "_Asked before:_ Which event was it? (they answered)" in review_blocks.item_text(again)


@pytest.mark.parametrize("decision", [ReviewDecision.NEEDS_INFO, ReviewDecision.NOT_COUNTED])
def test_the_forms_ask_for_words_the_member_reads(decision: ReviewDecision) -> None:
    view = review_blocks.note_modal(
        decision, 5, json.dumps({"contribution_id": 5, "decision": str(decision)})
    )
    check_view(view, "modal")
    assert view["callback_id"] == ids.REVIEW_NOTE_MODAL
    assert view["blocks"][1]["block_id"] == "reason"
    assert "sent to the member" in view["blocks"][1]["label"]["text"]


def test_the_member_reads_the_question_with_a_button_to_answer() -> None:
    asked = item(state=ReviewState.NEEDS_INFO, reviewed_by="U0TSC")
    message = review_blocks.REVIEW_MESSAGES.question(asked, "Which event?\nAnd where?")
    check_message(message)
    assert "<@U0TSC> has a question about your Talk" in message["text"]
    assert ">Which event?\n>And where?" in message["text"]
    assert buttons(message["blocks"]) == {ids.EDIT_CONTRIBUTION: "1"}


def test_the_member_reads_the_reason_kindly_with_a_way_to_fix_it() -> None:
    refused = item(state=ReviewState.NOT_COUNTED, reviewed_by="U0TSC")
    message = review_blocks.REVIEW_MESSAGES.not_counted(refused, "Not about AsyncAPI.")
    check_message(message)
    assert message["text"].startswith("Jane &lt;Doe&gt;, thank you for logging your Talk")
    assert "does not count toward the program's requirement:\n>Not about AsyncAPI." in message["text"]
    assert buttons(message["blocks"]) == {ids.EDIT_CONTRIBUTION: "1"}


def test_each_state_as_the_member_sees_it() -> None:
    assert review_blocks.state_line(ReviewState.NONE, None) == ""
    assert "Waiting for the TSC's review" in review_blocks.state_line(ReviewState.PENDING, None)
    assert "“Which event?”" in review_blocks.state_line(ReviewState.NEEDS_INFO, "Which event?")
    assert "Not counted by the TSC: “Off topic.”" in review_blocks.state_line(
        ReviewState.NOT_COUNTED, "Off topic."
    )
    assert "Verified" in review_blocks.state_line(ReviewState.VERIFIED, None)
    assert review_blocks.waiting_text(0) == ""
    assert "1 more waiting for the TSC's review" in review_blocks.waiting_text(1)


def test_the_edit_form_shows_the_question_it_answers() -> None:
    assert review_blocks.question_block("") == []
    assert review_blocks.question_block('{"contribution_id": 3}') == []
    (block,) = review_blocks.question_block('{"contribution_id": 3, "asked": "Which event?"}')
    assert "*The TSC asked:* Which event?" in block["text"]["text"]


# --- the setting ----------------------------------------------------------------------------------------


def test_the_setting_is_off_or_tsc_and_tsc_needs_the_review_channel_to_serve() -> None:
    assert load_settings(_env_file=None).contribution_review == "off"
    with pytest.raises(SettingsError, match="CONTRIBUTION_REVIEW: must be off"):
        load_settings(_env_file=None, contribution_review="yes")
    reviewing = load_settings(
        _env_file=None, contribution_review=" TSC ", slack_bot_token="xoxb-1", slack_signing_secret="s"
    )
    assert reviewing.reviewing_contributions
    with pytest.raises(SettingsError) as caught:
        reviewing.require_slack()
    assert caught.value.problems == [
        "CONTRIBUTION_REVIEW=tsc lists new contributions for the TSC in REVIEW_CHANNEL: set REVIEW_CHANNEL "
        "too (or CONTRIBUTION_REVIEW=off)"
    ]
    load_settings(
        _env_file=None,
        contribution_review="tsc",
        review_channel="C0REVIEW",
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
    ).require_slack()


def test_a_contribution_never_under_review_says_so() -> None:
    assert review_blocks.decided_text(item(state=ReviewState.NONE)) == (
        "It is not waiting for a review: it counts as it is."
    )
