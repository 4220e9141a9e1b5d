"""The sandbox's Slack stand-in and the Slack client side, without a database or a server: Slack's
rules for triggers, response URLs, views and escaping, and the shapes of what a click sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest

from bot.sandbox import slack_workspace
from bot.sandbox.block_actions import ActionError, action_payload, find_element, state_values
from bot.sandbox.block_kit import SlackError
from bot.sandbox.clock import ClockError, SandboxClock
from bot.sandbox.slack_client import escape_command_text, sign
from bot.sandbox.slack_standin import SlackStandin
from bot.sandbox.slack_workspace import Message
from bot.slack.server import signature_matches
from tests.paths import DATA

TOKEN = "xoxb-unit"
MODAL = {
    "type": "modal",
    "callback_id": "log_contribution",
    "title": {"type": "plain_text", "text": "Log"},
    "submit": {"type": "plain_text", "text": "Log it"},
    "blocks": [
        {
            "type": "input",
            "block_id": "type",
            "label": {"type": "plain_text", "text": "Type"},
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [
                    {"text": {"type": "plain_text", "text": "Talk"}, "value": "talk"},
                    {"text": {"type": "plain_text", "text": "Article"}, "value": "article"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "link",
            "label": {"type": "plain_text", "text": "Link"},
            "element": {"type": "url_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "date",
            "label": {"type": "plain_text", "text": "Date"},
            "element": {"type": "datepicker", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "notes",
            "optional": True,
            "label": {"type": "plain_text", "text": "Notes"},
            "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
        },
    ],
}


def standin(strict: bool = True) -> SlackStandin:
    slack = SlackStandin(TOKEN, strict=strict, joined_channels={"C0GENERAL"})
    slack.base_url = "http://127.0.0.1:9/"
    slack.add_user("U0NORA", "Nora Newcomer", handle="nora")
    slack.add_user("U0TESS", "Tess Council", handle="tess")
    slack.channel_names["C0GENERAL"] = "general"
    return slack


def refused(slack: SlackStandin, method: str, **args: Any) -> str:
    with pytest.raises(SlackError) as caught:
        slack.answer(method, args, TOKEN)
    return caught.value.error


def test_a_trigger_opens_one_modal_for_its_person_within_three_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slack = standin()
    trigger = slack.issue_trigger("U0NORA")

    opened = slack.answer("views.open", {"trigger_id": trigger, "view": dict(MODAL)}, TOKEN)

    assert slack.modals["U0NORA"] == [opened["view"]["id"]]
    assert refused(slack, "views.open", trigger_id=trigger, view=dict(MODAL)) == "expired_trigger_id"
    late = slack.issue_trigger("U0NORA")
    later = slack_workspace.time.monotonic() + 3.5
    monkeypatch.setattr(slack_workspace.time, "monotonic", lambda: later)
    assert refused(slack, "views.open", trigger_id=late, view=dict(MODAL)) == "expired_trigger_id"
    assert refused(slack, "views.open", trigger_id="made.up", view=dict(MODAL)) == "invalid_trigger_id"


def test_views_update_refuses_a_stale_hash_and_a_closed_view() -> None:
    slack = standin()
    view = slack.answer(
        "views.open", {"trigger_id": slack.issue_trigger("U0NORA"), "view": dict(MODAL)}, TOKEN
    )["view"]
    updated = slack.answer(
        "views.update", {"view_id": view["id"], "hash": view["hash"], "view": dict(MODAL)}, TOKEN
    )

    assert updated["view"]["hash"] != view["hash"]
    assert (
        refused(slack, "views.update", view_id=view["id"], hash=view["hash"], view=dict(MODAL))
        == "hash_conflict"
    )
    slack.close_modal("U0NORA")
    assert refused(slack, "views.update", view_id=view["id"], view=dict(MODAL)) == "not_found"


def test_a_response_url_answers_only_its_person_and_can_replace_or_delete_the_original() -> None:
    slack = standin()
    slack.messages.append(Message("C0GENERAL", "100.000001", "Approve?", None, None))
    url = slack.issue_response_url("U0TESS", "C0GENERAL", "100.000001")
    path = url.removeprefix("http://127.0.0.1:9")

    slack.respond(
        path, {"text": "Only you see this", "response_type": "ephemeral", "replace_original": False}
    )
    slack.respond(path, {"text": "Decided", "replace_original": True})

    (ephemeral,) = slack.ephemerals
    assert (ephemeral.user, ephemeral.channel, ephemeral.text) == ("U0TESS", "C0GENERAL", "Only you see this")
    assert slack.messages[0].text == "Decided"
    slack.respond(path, {"delete_original": True})
    assert slack.messages == []
    with pytest.raises(SlackError, match="no_such_response_url"):
        slack.respond("/response/made/up", {"text": "x"})


def test_a_response_url_works_five_times() -> None:
    slack = standin()
    path = slack.issue_response_url("U0NORA", "C0GENERAL").removeprefix("http://127.0.0.1:9")
    for _ in range(5):
        slack.respond(path, {"text": "again"})

    with pytest.raises(SlackError, match="expired_url"):
        slack.respond(path, {"text": "once more"})


def test_the_bot_cannot_edit_what_a_person_wrote() -> None:
    slack = standin()
    slack.messages.append(Message("D0NORA", "200.000001", "hello bot", None, None, user="U0NORA"))

    assert (
        refused(slack, "chat.update", channel="D0NORA", ts="200.000001", text="edited")
        == "cant_update_message"
    )


def test_an_ephemeral_message_needs_the_bot_in_the_dm_until_the_person_writes_there() -> None:
    slack = standin()

    assert (
        refused(slack, "chat.postEphemeral", channel="D0NORA", user="U0NORA", text="hi")
        == "channel_not_found"
    )
    slack.open_dms.add("D0NORA")
    slack.answer("chat.postEphemeral", {"channel": "D0NORA", "user": "U0NORA", "text": "hi"}, TOKEN)
    assert [item.user for item in slack.ephemerals] == ["U0NORA"]


def test_refused_calls_are_kept_for_the_page_to_show() -> None:
    slack = standin()
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]

    answer = slack.answer_or_error(
        "chat.postMessage", {"channel": "C0GENERAL", "text": "t", "blocks": blocks}, TOKEN
    )

    assert answer["ok"] is False and answer["error"] == "invalid_blocks"
    (refusal,) = slack.refusals
    assert (refusal.method, refusal.error) == ("chat.postMessage", "invalid_blocks")
    assert "3000" in refusal.detail


def test_command_text_arrives_escaped_as_slack_sends_it() -> None:
    slack = standin()

    text = escape_command_text("nominate @nora for Tom & Jerry <3 https://x.org/?a=1&b=2 in #general", slack)

    assert text == (
        "nominate <@U0NORA|nora> for Tom &amp; Jerry &lt;3 <https://x.org/?a=1&amp;b=2> in <#C0GENERAL|general>"
    )
    assert escape_command_text("@nobody #nowhere", slack) == "@nobody #nowhere"


def test_requests_are_signed_as_slack_signs_them() -> None:
    body = b"command=%2Fambassador&text=help"

    assert signature_matches("secret", body, "1700000000", sign("secret", 1700000000, body))
    assert not signature_matches("other", body, "1700000000", sign("secret", 1700000000, body))


def test_a_click_carries_slacks_shape_for_each_element() -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {
                    "type": "button",
                    "action_id": "approve",
                    "value": "7",
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Approve"},
                }
            ],
        },
        MODAL["blocks"][0],
    ]

    _, button = find_element(blocks, "decide", "approve")
    _, select = find_element(blocks, "type", "value")

    clicked = action_payload("decide", button, None)
    assert {key: clicked[key] for key in ("type", "action_id", "block_id", "value", "style")} == {
        "type": "button",
        "action_id": "approve",
        "block_id": "decide",
        "value": "7",
        "style": "primary",
    }
    chosen = action_payload("type", select, "article")
    assert chosen["selected_option"] == {
        "text": {"type": "plain_text", "text": "Article"},
        "value": "article",
    }
    with pytest.raises(ActionError, match="not one of the options"):
        action_payload("type", select, "poem")
    with pytest.raises(ActionError, match="no longer there"):
        find_element(blocks, "decide", "reject")


def test_state_values_are_typed_per_element_and_required_inputs_must_be_filled() -> None:
    given = {"type": {"value": "talk"}, "link": {"value": "https://x.org"}, "date": {"value": "2026-03-15"}}

    values = state_values(MODAL, given, required=True)

    assert values["type"]["value"]["selected_option"]["value"] == "talk"
    assert values["link"]["value"] == {"type": "url_text_input", "value": "https://x.org"}
    assert values["date"]["value"] == {"type": "datepicker", "selected_date": "2026-03-15"}
    assert values["notes"]["value"] == {"type": "plain_text_input", "value": None}
    with pytest.raises(ActionError, match="Please fill in: Link"):
        state_values(MODAL, {**given, "link": {"value": ""}}, required=True)
    with pytest.raises(ActionError, match="YYYY-MM-DD"):
        state_values(MODAL, {**given, "date": {"value": "15/03/2026"}}, required=True)


def test_the_clock_runs_from_where_it_was_set_and_only_forward() -> None:
    start = datetime(2026, 3, 15, 10, tzinfo=UTC)
    clock = SandboxClock(start)

    assert start <= clock() < start + timedelta(seconds=5)
    clock.go_to(start + timedelta(days=240))
    assert clock() >= start + timedelta(days=240)
    with pytest.raises(ClockError, match="only goes forward"):
        clock.go_to(start)


def test_the_sandbox_ships_the_sample_data_byte_for_byte() -> None:
    shipped = resources.files("bot.sandbox").joinpath("data")
    for name in ("AMBASSADORS_MEMBERS.json", "AMBASSADORS_MEMBERS.yaml", "Emeritus.yaml"):
        assert shipped.joinpath(name).read_bytes() == (DATA / "asyncapi" / name).read_bytes(), name
