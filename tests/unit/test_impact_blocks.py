"""The impact texts and forms on their own, checked with the fake Slack's validator (what Slack accepts)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from bot.blocks import announcements as announcements_blocks
from bot.blocks import contributions as contributions_blocks
from bot.blocks import home as home_blocks
from bot.blocks import ids
from bot.blocks import impact as impact_blocks
from bot.blocks import renewals as renewals_blocks
from bot.blocks.contributions import LogForm
from bot.rules import membership as membership_rules
from bot.rules.impact import Impact, ImpactFigures, ImpactProblem
from bot.services import home
from bot.services.contributions import OwnContribution
from bot.services.impact import Followup, OwnTalk, TermImpact, UpcomingItem
from bot.services.jobs import DigestItem
from bot.slack.manifest import build_manifest
from handlers.contributions import form_from_view
from tests.fakes.slack import check_message, check_view

TALK = Impact(
    event_name="KubeCon EU",
    city="Paris",
    country="France",
    language="English",
    reach=300,
    recording_link="https://youtu.be/x",
    slides_link="https://speakerdeck.com/x",
)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def test_the_manifest_adds_the_message_shortcut() -> None:
    (shortcut,) = build_manifest(socket_mode=True)["features"]["shortcuts"]
    assert shortcut == {
        "name": "Log as contribution",
        "type": "message",
        "callback_id": ids.LOG_SHORTCUT,
        "description": "Log the link in this message as an ambassador contribution",
    }
    assert "commands" in build_manifest(socket_mode=True)["oauth_config"]["scopes"]["bot"]


def test_the_log_form_asks_only_what_fits_the_type() -> None:
    today = date(2026, 11, 24)
    blank = contributions_blocks.log_modal(today)
    check_view(blank, "modal")
    assert list(inputs(blank)) == ["type", "title", "link", "date", "notes"]
    assert inputs(blank)["type"]["dispatch_action"] is True
    assert inputs(blank)["type"]["hint"]["text"] == impact_blocks.PICK_A_TYPE_HINT

    talk = contributions_blocks.log_modal(today, form=LogForm(today, type="talk", impact=TALK))
    check_view(talk, "modal")
    fields = inputs(talk)
    assert list(fields) == [
        "type",
        "title",
        "link",
        "date",
        "event_name",
        "city",
        "country",
        "online",
        "language",
        "reach",
        "recording_link",
        "slides_link",
        "notes",
    ]
    assert fields["reach"]["label"]["text"] == "Audience (attendees)"
    assert fields["reach"]["element"]["initial_value"] == "300"
    assert fields["event_name"]["element"]["initial_value"] == "KubeCon EU"
    assert "initial_options" not in fields["online"]["element"]
    assert "twelve months ahead" in fields["date"]["hint"]["text"]

    article = contributions_blocks.log_modal(today, form=LogForm(today, type="article"))
    check_view(article, "modal")
    assert list(inputs(article)) == ["type", "title", "link", "date", "language", "reach", "notes"]
    assert inputs(article)["reach"]["label"]["text"] == "Audience (readers)"
    assert "hint" not in inputs(article)["date"]


def test_link_details_make_the_link_field_answer_enter_and_refilled_fields_get_new_block_ids() -> None:
    today = date(2026, 11, 24)
    view = contributions_blocks.log_modal(
        today,
        form=LogForm(
            today,
            type="video",
            title="From the page",
            link="https://youtu.be/x",
            versions={"title": 2, "type": 1},
        ),
        link_details=True,
    )
    check_view(view, "modal")
    fields = inputs(view)
    assert {"title~2", "type~1", "link"} <= set(fields)
    assert fields["link"]["dispatch_action"] is True
    assert fields["link"]["element"]["dispatch_action_config"] == {"trigger_actions_on": ["on_enter_pressed"]}
    assert fields["title~2"]["element"]["initial_value"] == "From the page"
    off = contributions_blocks.log_modal(today)
    assert "dispatch_action" not in inputs(off)["link"]


def test_impact_reads_as_one_line_and_a_term_in_figures() -> None:
    line = impact_blocks.impact_line("talk", TALK)
    assert line == (
        "KubeCon EU · Paris, France · English · 300 attendees · <https://youtu.be/x|recording> · "
        "<https://speakerdeck.com/x|slides>"
    )
    assert impact_blocks.impact_line("video", Impact(reach=12000)) == "12,000 views"
    assert impact_blocks.impact_line("talk", Impact(event_name="<!here> & co")) == "&lt;!here&gt; &amp; co"
    assert impact_blocks.impact_line("article", Impact()) == ""
    figures = ImpactFigures(
        audience=1250, with_audience=3, events=2, countries=("Peru", "Spain"), online=1, recordings=2
    )
    assert (
        impact_blocks.figures_text(figures)
        == "Audience 1,250 (from 3) · 2 events · Peru, Spain · 1 online · 2 recorded"
    )
    assert impact_blocks.figures_text(ImpactFigures()) == ""
    upcoming = [UpcomingItem(7, "talk", "AsyncAPI 3", date(2027, 1, 20), "DevConf")]
    text = impact_blocks.status_lines(figures, upcoming)
    assert "*Reach this term:* Audience 1,250" in text
    assert "• Talk *AsyncAPI 3* at DevConf, 2027-01-20" in text
    assert impact_blocks.impact_problem_text("event_name", ImpactProblem.TOO_LONG) == (
        "This is too long (at most 200 characters)."
    )


def test_status_shows_the_terms_reach_and_upcoming_talks() -> None:
    current = membership_rules.Progress(
        membership_rules.Term(date(2026, 3, 2), date(2027, 3, 1)), date(2026, 11, 24), 2, 4
    )
    reach = home_blocks_term_impact()
    payload = contributions_blocks.status_message("Jane", current, False, reach)
    check_message(payload)
    assert "Reach this term" in payload["text"] and "Upcoming" in payload["text"]
    assert "Reach" not in contributions_blocks.status_message("Jane", current, False)["text"]


def home_blocks_term_impact() -> TermImpact:
    return TermImpact(
        ImpactFigures(audience=300, with_audience=1, events=1, countries=("France",)),
        [UpcomingItem(7, "talk", "AsyncAPI 3", date(2027, 1, 20), None)],
    )


def test_a_contribution_on_the_home_shows_what_it_reached_and_whether_it_is_upcoming() -> None:
    item = home.ContributionItem(
        3, "talk", "AsyncAPI 3", "https://x.org/t", date(2027, 1, 20), "day", False, TALK, upcoming=True
    )
    blocks = home_blocks.contribution_row(item)
    text = blocks[0]["text"]["text"]
    assert text.startswith(":calendar: Upcoming *Talk*")
    assert "(counts once its day has come)" in text
    assert "\nKubeCon EU · Paris, France" in text


def test_the_followup_dm_and_its_form() -> None:
    payload = impact_blocks.followup_message(
        Followup(9, 1, "U0MEMBER", "talk", "AsyncAPI at KubeCon", date(2026, 12, 5), "KubeCon")
    )
    check_message(payload)
    assert "How did your talk *AsyncAPI at KubeCon* at KubeCon on 2026-12-05 go?" in payload["text"]
    button = payload["blocks"][1]["elements"][0]
    assert (button["action_id"], button["value"]) == (ids.TALK_OUTCOME_OPEN, "9")
    modal = impact_blocks.outcome_modal(
        OwnTalk(9, "talk", "AsyncAPI at KubeCon", date(2026, 12, 5), Impact(reach=40))
    )
    check_view(modal, "modal")
    assert json.loads(modal["private_metadata"]) == {"contribution_id": 9}
    assert [block.get("block_id") for block in modal["blocks"][1:]] == [
        "reach",
        "recording_link",
        "slides_link",
    ]
    assert modal["blocks"][1]["element"]["initial_value"] == "40"


def test_the_digest_says_what_the_month_reached() -> None:
    items = [
        DigestItem("Jane", "U0MEMBER", "talk", "Talk A", "https://x.org/a", date(2026, 10, 3), TALK),
        DigestItem(
            "Jane",
            "U0MEMBER",
            "talk",
            "Talk B",
            "https://x.org/b",
            date(2027, 2, 1),
            Impact(event_name="DevConf"),
        ),
        DigestItem("Olek", None, "article", "Post", "https://x.org/p", date(2026, 10, 9)),
    ]
    payload = announcements_blocks.digest_message(date(2026, 10, 1), items)
    check_message(payload)
    text = json.dumps(payload["blocks"], ensure_ascii=False)
    assert "reaching about 300 people" in text
    assert "KubeCon EU · Paris, France · English · 300 attendees" in text
    assert "(coming up on 2027-02-01) · DevConf" in text


def test_the_verification_report_shows_what_each_term_reached() -> None:
    class Item:
        term_id = 42
        name = "Jane"
        slack_user_id = "U0MEMBER"
        outcome = membership_rules.Verification.RENEWED
        next_term = None
        progress = membership_rules.Progress(
            membership_rules.Term(date(2025, 3, 2), date(2026, 3, 1)), date(2026, 3, 2), 5, 4
        )

    reached = {42: ImpactFigures(audience=900, with_audience=2, events=2, countries=("Spain",))}
    payload = renewals_blocks.verification_report_message(
        date(2026, 3, 2), [Item()], [], [], lambda item: date(2026, 3, 31), reached=reached
    )
    check_message(payload)
    assert "— 5/4 · Audience 900 (from 2) · 2 events · Spain" in json.dumps(
        payload["blocks"], ensure_ascii=False
    )
    plain = renewals_blocks.verification_report_message(
        date(2026, 3, 2), [Item()], [], [], lambda item: date(2026, 3, 31)
    )
    assert "Audience" not in json.dumps(plain["blocks"], ensure_ascii=False)


def test_the_redrawn_form_keeps_what_the_state_leaves_out() -> None:
    item = OwnContribution(5, "talk", "Old talk", "https://x.org/t", date(2024, 3, 1), 40, None, TALK)
    view = contributions_blocks.edit_contribution_modal(item)
    # Slack's state may hold only the fields the member touched: the rest is as the view was drawn.
    view["state"] = {"values": {"title": {"value": {"type": "plain_text_input", "value": "New title"}}}}
    form = form_from_view(view, date(2026, 11, 24))
    assert (form.occurred_on, form.type, form.title, form.link) == (
        date(2024, 3, 1),
        "talk",
        "New title",
        "https://x.org/t",
    )
    assert form.impact == replace(TALK, reach=40)
    # A field the member emptied stays empty.
    view["state"]["values"]["event_name"] = {"value": {"type": "plain_text_input", "value": None}}
    assert form_from_view(view, date(2026, 11, 24)).impact.event_name is None
