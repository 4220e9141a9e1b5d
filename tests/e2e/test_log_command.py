"""`/ambassador log`, `status`, `list` and `help` through the real endpoint, signed as Slack signs them."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from bot.blocks import contributions as contributions_blocks
from bot.store.models import AuditEvent, Contribution
from tests.conftest import MEMBER, OTHER, Bot
from tests.fakes.slack_requests import date_value, number_value, select_value, text_value
from tests.helpers.factories import add_contribution, enrol


def contributions_count(bot: Bot) -> int:
    with bot.db.transaction() as session:
        return session.scalar(select(func.count(Contribution.id))) or 0


def test_inline_log_records_and_confirms_progress(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))

    response = bot.slack.command("log talk https://youtu.be/abc 2026-11-20 AsyncAPI at KubeCon", MEMBER)

    assert response.status == 200
    reply = response.json
    assert reply["text"].startswith(":tada: Logged your talk *AsyncAPI at KubeCon* (2026-11-20).")
    assert "1 of 4 contributions this term · term ends 2027-03-01 (97 days left)" in reply["text"]
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    with bot.db.transaction() as session:
        stored = session.scalars(select(Contribution)).one()
        assert (stored.type, stored.title, stored.link) == (
            "talk",
            "AsyncAPI at KubeCon",
            "https://youtu.be/abc",
        )
        assert (stored.year, stored.month, stored.occurred_on) == (2026, "November", date(2026, 11, 20))
        assert stored.logged_by == MEMBER
        audit = session.scalars(select(AuditEvent)).one()
        assert (audit.actor, audit.action) == (MEMBER, "contribution.logged")
        assert audit.at == datetime(2026, 11, 24, 10, tzinfo=UTC)  # the bot's clock, not the wall clock


def test_inline_log_date_defaults_to_the_members_local_today(bot: Bot) -> None:
    # 23:30 UTC on the 24th is already the 25th in Madrid (the member's Slack time zone).
    bot.clock.set("2026-11-24T23:30:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))

    response = bot.slack.command("log blog https://example.com/post My post", MEMBER)

    assert "(2026-11-25)" in response.json["text"]
    bot.slack.command("status", MEMBER)
    # Looked up once, then cached: users.info is rate limited.
    assert [call["user"] for call in bot.fake.calls_to("users.info")] == [MEMBER]


def test_refusals_say_what_to_fix_and_store_nothing(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    add_contribution(bot.db, 1, date(2026, 5, 1), link="https://example.com/taken")
    cases = {
        "log dance https://x.org/a 2026-11-01 Title": "Unknown contribution type",
        "log talk ftp://x.org/a 2026-11-01 Title": "must be a full web address",
        "log article https://x.org/a 2026-12-01 Title": "in the future",
        "log talk https://x.org/a 2028-01-01 Title": "more than twelve months ahead",
        "log talk https://example.com/taken/ 2026-11-01 Again": "already logged",
        f"log talk https://x.org/a 2026-11-01 {'x' * 201}": "too long",
        "log talk https://x.org/a": "type, link and title are all needed",
    }
    for text, expected in cases.items():
        reply = bot.slack.command(text, MEMBER).json["text"]
        assert expected in reply, (text, reply)
        assert "Usage: `/ambassador log TYPE LINK [YYYY-MM-DD] TITLE`" in reply
    assert contributions_count(bot) == 1


def test_a_contribution_before_the_term_is_kept_but_does_not_count(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))

    reply = bot.slack.command("log article https://example.com/old 2025-06-01 Old article", MEMBER).json[
        "text"
    ]

    assert "does not count toward this term" in reply
    assert "0 of 4 contributions this term" in reply
    assert contributions_count(bot) == 1


def test_non_ambassadors_are_told_how_to_apply(bot: Bot) -> None:
    for text in ("log talk https://x.org/a 2026-03-01 Title", "status"):
        reply = bot.slack.command(text, OTHER).json["text"]
        assert "not a current ambassador" in reply
        assert "/ambassador apply" in reply
    assert contributions_count(bot) == 0


def test_log_alone_opens_the_modal_and_submission_records(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))

    response = bot.slack.command("log", MEMBER, trigger_id="111.222.valid", channel_id="C0GENERAL")

    assert response.status == 200
    opened = bot.fake.wait_for_call("views.open")[0]
    assert opened["trigger_id"] == "111.222.valid"
    view = bot.fake.views[next(iter(bot.fake.views))]
    date_block = next(b for b in view["blocks"] if b["block_id"] == "date")
    assert date_block["element"]["initial_date"] == "2026-11-24"

    bad = bot.slack.submit_view(
        view,
        {
            "type": select_value("talk"),
            "title": text_value("  "),
            "link": text_value("javascript:alert(1)", "url_text_input"),
            "date": date_value("2028-12-31"),
            "reach": number_value(None),
            "notes": text_value(None),
        },
        MEMBER,
    )
    assert bad.json["response_action"] == "errors"
    assert set(bad.json["errors"]) == {"title", "link", "date"}
    assert contributions_count(bot) == 0

    good = bot.slack.submit_view(
        view,
        {
            "type": select_value("talk"),
            "title": text_value("Intro to AsyncAPI (KubeCon)"),
            "link": text_value("https://example.com/talk", "url_text_input"),
            "date": date_value("2026-05-14"),
            "reach": number_value("300"),
            "notes": text_value("Room was full"),
        },
        MEMBER,
    )
    assert good.status == 200 and not good.body
    ephemeral = bot.fake.wait_for_call("chat.postEphemeral")[0]
    assert ephemeral["channel"] == "C0GENERAL" and ephemeral["user"] == MEMBER
    assert "1 of 4 contributions this term" in ephemeral["text"]
    with bot.db.transaction() as session:
        stored = session.scalars(select(Contribution)).one()
        assert (stored.reach, stored.notes) == (300, "Room was full")


def test_the_log_form_opens_before_slack_is_asked_for_the_time_zone(bot: Bot) -> None:
    # 23:30 UTC on the 24th (the program's TIMEZONE) is already the 25th in Madrid, the member's zone.
    bot.clock.set("2026-11-24T23:30:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))

    assert bot.slack.command("log", MEMBER, trigger_id="111.222.valid").status == 200

    updated = bot.fake.wait_for_call("views.update")[0]
    # The trigger is spent first; users.info only follows, and the date is then corrected.
    assert [m for m in bot.fake.methods() if m != "auth.test"] == ["views.open", "users.info", "views.update"]
    opened = bot.fake.calls_to("views.open")[0]["view"]
    assert initial_date(json.loads(opened) if isinstance(opened, str) else opened) == "2026-11-24"
    view = json.loads(updated["view"]) if isinstance(updated["view"], str) else updated["view"]
    assert initial_date(view) == "2026-11-25"

    # Now the zone is known: the form opens on the member's date, with no other call.
    bot.fake.reset()
    bot.slack.command("log", MEMBER, trigger_id="111.222.again")
    second = bot.fake.wait_for_call("views.open")[0]["view"]
    assert initial_date(json.loads(second) if isinstance(second, str) else second) == "2026-11-25"
    bot.fake.wait_until_quiet()
    assert [m for m in bot.fake.methods() if m != "auth.test"] == ["views.open"]


def initial_date(view: dict[str, Any]) -> str:
    return str(next(b for b in view["blocks"] if b["block_id"] == "date")["element"]["initial_date"])


def test_a_non_ambassador_submitting_the_log_form_gets_a_whole_sentence(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    view = {**contributions_blocks.log_modal(date(2026, 11, 24)), "id": "V0LOG"}

    response = bot.slack.submit_view(
        view,
        {
            "type": select_value("talk"),
            "title": text_value("A talk"),
            "link": text_value("https://example.com/talk", "url_text_input"),
            "date": date_value("2026-11-20"),
            "reach": number_value(None),
            "notes": text_value(None),
        },
        OTHER,
    )

    assert response.json["response_action"] == "errors"
    error = response.json["errors"]["type"]
    assert error == contributions_blocks.NOT_AN_AMBASSADOR_FIELD_ERROR
    assert error.endswith(".") and "/ambassador apply" in error
    assert contributions_count(bot) == 0


def test_status_shows_term_pace_and_days_left(bot: Bot) -> None:
    bot.clock.set("2026-09-01T10:00:00")
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    add_contribution(bot.db, member_id, date(2026, 4, 1))

    reply = bot.slack.command("progress", MEMBER).json["text"]

    assert "2026-03-02 → 2027-03-01" in reply
    assert "1 of 4 contributions this term" in reply
    assert "181 days left" in reply
    assert "Behind pace: 2 expected by now, 3 to go" in reply


def test_list_shows_current_ambassadors_with_counts(bot: Bot) -> None:
    bot.clock.set("2026-09-01T10:00:00")
    jane = enrol(bot.db, MEMBER, date(2026, 3, 2), title="DevRel", company="Acme")
    enrol(bot.db, OTHER, date(2026, 1, 10), name="Olek Other")
    add_contribution(bot.db, jane, date(2026, 4, 1))
    add_contribution(bot.db, jane, date(2025, 4, 1))  # before her term

    reply = bot.slack.command("list", OTHER).json["text"]

    assert "*Current ambassadors* (2)" in reply
    assert "*Jane Doe* (<@U0MEMBER>) — DevRel, Acme · 1/4 this term" in reply
    assert "*Olek Other* (<@U0OTHER>) · 0/4 this term" in reply


def test_help_and_unknown_subcommands(bot: Bot) -> None:
    assert "`/ambassador log`" in bot.slack.command("", MEMBER).json["text"]
    reply = bot.slack.command("dance", MEMBER).json["text"]
    assert reply.startswith("I don't know the subcommand `dance`.")
    assert "`/ambassador status`" in reply


def test_forged_and_stale_requests_are_refused(bot: Bot) -> None:
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    body = b"command=%2Fambassador&text=log+talk+https%3A%2F%2Fx.org+Title&user_id=U0MEMBER"
    forged = bot.slack.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    stale = bot.slack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 301)
    assert (forged.status, stale.status) == (401, 401)
    assert contributions_count(bot) == 0
    assert bot.fake.methods() == []


def test_a_slack_error_in_a_handler_apologises_and_the_bot_keeps_serving(bot: Bot) -> None:
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    bot.fake.fail("views.open", error="internal_error")

    assert bot.slack.command("log", MEMBER).status == 200

    apology = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert "Sorry, something went wrong" in apology["text"]
    assert apology["response_type"] == "ephemeral"
    assert bot.slack.command("help", MEMBER).status == 200


def test_healthz(bot: Bot) -> None:
    response = bot.slack.get("/healthz")
    assert (response.status, json.loads(response.body)) == (200, {"status": "ok", "database": "ok"})
