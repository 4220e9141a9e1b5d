"""Logging in seconds and what contributions reached, the way Slack does it: signed requests to the served
bot, the fake Slack Web API, and a local web site for link details (the bot's reader is given an address
check that lets loopback through, as only tests may)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks import impact as impact_blocks
from bot.store.models import AuditEvent, Contribution
from bot.web.link_details import LinkReader
from tests.conftest import MEMBER, OTHER, TSC, Bot
from tests.fakes.slack_requests import TEAM, date_value, number_value, select_value, text_value
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import dm_texts
from tests.helpers.web import Site, loopback_too
from tests.paths import DATA

MESSAGE_TS = "1773144000.000100"  # 2026-03-10 12:00 UTC


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.stop()


def reading(bot: Bot) -> Bot:
    bot.deps.link_reader = LinkReader(allow_address=loopback_too)
    return bot


def offline(bot: Bot) -> Bot:
    """Links elsewhere than the local site resolve to nothing: no test reaches the internet."""
    bot.deps.link_reader = LinkReader(resolver=lambda host, port: [])
    return bot


def shortcut(bot: Bot, clicker: str, message: dict[str, Any]) -> None:
    """The "Log as contribution" message shortcut (a `message_action`), as Slack sends it."""
    payload = {
        "type": "message_action",
        "token": "verification_token",
        "action_ts": "1773144100.123456",
        "team": TEAM,
        "user": {"id": clicker, "username": clicker.lower(), "name": clicker.lower(), "team_id": TEAM["id"]},
        "channel": {"id": "C0GENERAL", "name": "general"},
        "callback_id": ids.LOG_SHORTCUT,
        "trigger_id": bot.slack.next_id("111.555."),
        "response_url": f"{bot.fake.response_url_base}shortcuts/T111/{bot.slack.next_id('')}/xxxxx",
        "message_ts": message.get("ts", MESSAGE_TS),
        "message": {"type": "message", "ts": MESSAGE_TS, **message},
    }
    assert bot.slack.interactive(payload).status == 200


def form_action(
    bot: Bot, view: dict[str, Any], block_id: str, action: dict[str, Any], state: dict[str, Any]
) -> None:
    """An input of the log form that dispatches (the type picked, Enter in the link field)."""
    payload = {
        "type": "block_actions",
        "user": {"id": MEMBER, "username": "jane", "name": "jane", "team_id": TEAM["id"]},
        "api_app_id": "A111",
        "token": "verification_token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": bot.slack.next_id("111.666."),
        "team": TEAM,
        "view": {**view, "state": {"values": state}},
        "actions": [{"action_id": "value", "block_id": block_id, "action_ts": "1773144100.1", **action}],
    }
    assert bot.slack.interactive(payload).status == 200


def views_opened(bot: Bot, count: int = 1) -> dict[str, Any]:
    return bot.fake.wait_for_call("views.open", count)[count - 1]["view"]


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def contributions(bot: Bot) -> list[Contribution]:
    with bot.db.transaction() as session:
        rows = list(session.scalars(select(Contribution).order_by(Contribution.id)))
        session.expunge_all()
        return rows


def test_the_shortcut_fills_the_form_from_the_message_then_from_the_page(make_bot: Any, site: Site) -> None:
    bot = reading(make_bot())
    bot.clock.set("2026-03-12T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    shortcut(bot, MEMBER, {"user": MEMBER, "text": f"My talk is up! <{site.url}/talk>"})

    opened = views_opened(bot)
    fields = inputs(opened)
    assert fields["link"]["element"]["initial_value"] == f"{site.url}/talk"
    assert fields["title"]["element"]["initial_value"] == "My talk is up!"
    assert fields["date"]["element"]["initial_date"] == "2026-03-10"  # the message's day
    assert "for" not in json.loads(opened["private_metadata"])

    # After the ack: the page's title and kind, in new blocks so that Slack shows them.
    updated = bot.fake.wait_for_call("views.update")[0]
    assert updated["view_id"] == bot.fake.wait_for(lambda: next(iter(bot.fake.views)))
    fields = inputs(updated["view"])
    assert fields["title~1"]["element"]["initial_value"] == "AsyncAPI at KubeCon — día 1"
    assert fields["type~1"]["element"]["initial_option"]["value"] == "video"
    assert list(fields)[4:7] == ["language", "reach", "notes"]  # a video's fields

    stored_view = bot.fake.views[updated["view_id"]]
    answer = bot.slack.submit_view(
        stored_view,
        {
            "type~1": select_value("video"),
            "title~1": text_value("AsyncAPI at KubeCon — día 1"),
            "link": text_value(f"{site.url}/talk", "url_text_input"),
            "date": date_value("2026-03-10"),
            "language": text_value("Spanish"),
            "reach": number_value("500"),
            "notes": text_value(None),
        },
        MEMBER,
    )
    assert answer.status == 200 and answer.body in (b"", b"{}")
    (row,) = contributions(bot)
    assert (row.type, row.title, row.reach, row.language, row.logged_by) == (
        "video",
        "AsyncAPI at KubeCon — día 1",
        500,
        "Spanish",
        MEMBER,
    )
    assert site.hits == ["/talk"]


def test_the_shortcut_refuses_who_may_not_log_a_message(bot: Bot) -> None:
    offline(bot)
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    shortcut(bot, OTHER, {"user": MEMBER, "text": "<https://example.org/post>"})
    shortcut(bot, MEMBER, {"bot_id": "B0X", "text": "<https://example.org/post>"})
    shortcut(bot, OTHER, {"user": OTHER, "text": "<https://example.org/mine>"})
    told = bot.fake.wait_for(lambda: len(bot.fake.responses) >= 3 and bot.fake.responses)
    texts = [response["text"] for response in told]
    assert impact_blocks.SHORTCUT_NOT_THEIRS in texts
    assert impact_blocks.SHORTCUT_NO_AUTHOR in texts
    assert any("/ambassador apply" in text for text in texts)
    assert all(response["response_type"] == "ephemeral" for response in told)
    assert "views.open" not in bot.fake.methods()


def test_a_tsc_member_logs_a_members_message_for_them(bot: Bot) -> None:
    offline(bot)
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    shortcut(bot, TSC, {"user": MEMBER, "text": "New post: <https://dev.to/jane/eda|Event-driven APIs>"})
    opened = views_opened(bot)
    assert json.loads(opened["private_metadata"])["for"] == MEMBER
    assert inputs(opened)["title"]["element"]["initial_value"] == "Event-driven APIs"
    view = bot.fake.views[next(iter(bot.fake.views))]
    values = {
        "type": select_value("article"),
        "title": text_value("Event-driven APIs"),
        "link": text_value("https://dev.to/jane/eda", "url_text_input"),
        "date": date_value("2026-03-10"),
        "notes": text_value(None),
    }
    # Someone who is neither the author nor on the TSC cannot submit it for the author.
    forged = bot.slack.submit_view(view, values, OTHER).json
    assert forged == {"response_action": "errors", "errors": {"type": impact_blocks.SHORTCUT_NOT_THEIRS}}

    assert bot.slack.submit_view(view, values, TSC).status == 200
    (row,) = contributions(bot)
    assert (row.title, row.logged_by) == ("Event-driven APIs", TSC)
    (text,) = bot.fake.wait_for(lambda: dm_texts(bot.fake, MEMBER))
    assert f"<@{TSC}> logged your message as your article" in text
    with bot.db.transaction() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "contribution.logged"))
        assert (event.actor, event.details["logged_for"]) == (TSC, MEMBER)


def test_picking_a_type_shows_its_fields_and_entering_a_link_reads_the_page(
    make_bot: Any, site: Site
) -> None:
    bot = reading(make_bot())
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    bot.slack.command("log", MEMBER)
    view = bot.fake.views[bot.fake.wait_for(lambda: next(iter(bot.fake.views), None))]
    assert inputs(view)["link"]["dispatch_action"] is True

    picked = {"text": {"type": "plain_text", "text": "Talk"}, "value": "talk"}
    form_action(
        bot,
        view,
        "type",
        {"type": "static_select", "selected_option": picked},
        {"type": select_value("talk"), "title": text_value("My own title")},
    )
    first = bot.fake.wait_for_call("views.update")[0]["view"]
    fields = inputs(first)
    assert {
        "event_name",
        "city",
        "country",
        "online",
        "language",
        "reach",
        "recording_link",
        "slides_link",
    } <= set(fields)
    assert fields["title"]["element"]["initial_value"] == "My own title"

    # Enter in the link field: the page is read; a title the member typed stays theirs.
    view_id = next(iter(bot.fake.views))
    form_action(
        bot,
        bot.fake.views[view_id],
        "link",
        {"type": "url_text_input", "value": f"{site.url}/talk"},
        {
            "type": select_value("talk"),
            "title": text_value("My own title"),
            "link": text_value(f"{site.url}/talk", "url_text_input"),
            "event_name": text_value("KubeCon EU"),
        },
    )
    second = bot.fake.wait_for_call("views.update", 2)[1]["view"]
    fields = inputs(second)
    assert fields["title"]["element"]["initial_value"] == "My own title"
    assert fields["event_name"]["element"]["initial_value"] == "KubeCon EU"
    assert site.hits == ["/talk"]

    # A title the member emptied, and no type, are filled in from the page.
    form_action(
        bot,
        bot.fake.views[view_id],
        "link",
        {"type": "url_text_input", "value": f"{site.url}/talk"},
        {
            "type": select_value(None),
            "title": text_value(None),
            "link": text_value(f"{site.url}/talk", "url_text_input"),
        },
    )
    third = bot.fake.wait_for_call("views.update", 3)[2]["view"]
    fields = inputs(third)
    assert fields["title~1"]["element"]["initial_value"] == "AsyncAPI at KubeCon — día 1"
    assert fields["type~1"]["element"]["initial_option"]["value"] == "video"


def test_link_details_off_reads_nothing(make_bot: Any, site: Site) -> None:
    bot = reading(make_bot(link_details=False))
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    bot.slack.command("log", MEMBER)
    view = bot.fake.views[bot.fake.wait_for(lambda: next(iter(bot.fake.views), None))]
    assert "dispatch_action" not in inputs(view)["link"]
    # Even a crafted action from the link field fetches nothing.
    form_action(
        bot,
        view,
        "link",
        {"type": "url_text_input", "value": f"{site.url}/talk"},
        {"link": text_value(f"{site.url}/talk", "url_text_input")},
    )
    updated = bot.fake.wait_for_call("views.update")[0]["view"]
    assert "title~1" not in inputs(updated)
    shortcut(bot, MEMBER, {"user": MEMBER, "text": f"<{site.url}/talk>"})
    views_opened(bot, 2)
    bot.fake.wait_until_quiet()
    assert site.hits == [] and len(bot.fake.calls_to("views.update")) == 1


def test_the_day_after_a_talk_its_speaker_adds_what_it_reached(bot: Bot) -> None:
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    contribution_id = add_contribution(bot.db, member_id, date(2026, 3, 14), type_="talk", title="AsyncAPI 3")
    bot.slack.click(ids.TALK_OUTCOME_OPEN, MEMBER, value=str(contribution_id), channel_id="D0MEMBER")
    modal = bot.fake.wait_for_call("views.open")[0]["view"]
    assert modal["callback_id"] == ids.TALK_OUTCOME_MODAL
    view = bot.fake.views[next(iter(bot.fake.views))]
    bad = bot.slack.submit_view(
        view,
        {
            "reach": number_value("120"),
            "recording_link": text_value("not a link", "url_text_input"),
            "slides_link": text_value(None, "url_text_input"),
        },
        MEMBER,
    ).json
    assert bad["errors"] == {
        "recording_link": impact_blocks.IMPACT_PROBLEM_TEXT[impact_blocks.ImpactProblem.BAD_LINK]
    }
    good = bot.slack.submit_view(
        view,
        {
            "reach": number_value("120"),
            "recording_link": text_value("https://youtu.be/r", "url_text_input"),
            "slides_link": text_value("https://speakerdeck.com/jane/a3", "url_text_input"),
        },
        MEMBER,
    )
    assert good.status == 200
    (row,) = contributions(bot)
    assert (row.reach, row.recording_link, row.slides_link) == (
        120,
        "https://youtu.be/r",
        "https://speakerdeck.com/jane/a3",
    )
    assert any(
        "Saved what *AsyncAPI 3* reached" in text
        for text in bot.fake.wait_for(lambda: dm_texts(bot.fake, MEMBER))
    )
    # Someone else's talk, or a forged id: nothing opens.
    bot.slack.click(ids.TALK_OUTCOME_OPEN, OTHER, value=str(contribution_id))
    bot.slack.click(ids.TALK_OUTCOME_OPEN, MEMBER, value="not-a-number")
    bot.fake.wait_for(lambda: len(bot.fake.responses) >= 2)
    assert len(bot.fake.calls_to("views.open")) == 1


def test_status_shows_what_the_term_reached_and_the_talks_ahead(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    logged = bot.slack.command(
        "log talk https://example.org/ahead 2027-01-20 AsyncAPI 3 at DevConf", MEMBER
    ).json
    assert "Logged your upcoming talk *AsyncAPI 3 at DevConf* (2027-01-20)" in logged["text"]
    assert "0 of 4 contributions this term" in logged["text"]
    text = bot.slack.command("status", MEMBER).json["text"]
    assert "*Upcoming* (1, counted once their day has come)" in text
    assert "• Talk *AsyncAPI 3 at DevConf*, 2027-01-20" in text


def test_the_message_shortcut_sample_opens_the_log_form(bot: Bot) -> None:
    offline(bot)
    bot.fake.add_user("W111", "Jane Doe", tz="UTC")
    enrol(bot.db, "W111", date(2026, 3, 2))
    payload = (DATA / "slack" / "message_action_log_contribution.json").read_text()
    body = urlencode({"payload": payload}).encode()

    response = bot.slack.post(body, "application/x-www-form-urlencoded")

    assert response.status == 200
    opened = bot.fake.wait_for_call("views.open")[0]
    assert opened["trigger_id"] == "111.555.xxx"
    fields = inputs(opened["view"])
    assert fields["link"]["element"]["initial_value"] == "https://www.youtube.com/watch?v=abc&t=42"
    assert fields["title"]["element"]["initial_value"] == "AsyncAPI at KubeCon"
    assert fields["type"]["element"]["initial_option"]["value"] == "video"
    assert fields["date"]["element"]["initial_date"] == "2026-03-10"
