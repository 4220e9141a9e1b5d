"""Applying, nominating and renewing through the real endpoint, signed as Slack signs them, with the fake
Slack Web API checking the form, the review post, the receipts and the DMs."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.outbox.sender import deliver
from bot.services.membership import applications
from bot.store.models import (
    Application,
    AuditEvent,
    Contribution,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    Term,
)
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.fakes.slack_requests import text_value
from tests.helpers.factories import add_contribution, add_member, enrol
from tests.helpers.membership import client, count, dm_texts, settle  # noqa: F401 (fixture)

CONTRIBUTIONS = "\n".join(
    [
        "talk https://youtu.be/abc 2026-02 AsyncAPI at KubeCon",
        "blog https://example.com/post 2025-11 Why event-driven APIs need a spec",
        "- workshop https://example.com/ws 2025-09-14 Hands-on AsyncAPI",
        "",
        "podcast https://example.com/pod 2025-06 Talking AsyncAPI",
    ]
)


def form_values(**overrides: str | None) -> dict[str, dict[str, Any]]:
    values: dict[str, str | None] = {
        "name": "Jane Doe",
        "title": "Developer Advocate",
        "company": "Acme",
        "country": "🇪🇸",
        "bio": "Jane writes and speaks about event-driven APIs.",
        "github": "janedoe",
        "twitter": "@janedoe",
        "linkedin": None,
        "img": None,
        "contributions": CONTRIBUTIONS,
        "motivation": "To help people discover AsyncAPI.",
        **overrides,
    }
    return {name: text_value(value) for name, value in values.items()}


def open_form(bot: Bot, user: str = MEMBER, count: int = 1) -> dict[str, Any]:
    """`/ambassador apply`: the placeholder opens at once, the form (or a status) replaces it."""
    assert bot.slack.command("apply", user).status == 200
    update = bot.fake.wait_for_call("views.update", count)[count - 1]
    return dict(bot.fake.views[update["view_id"]])


def submit(bot: Bot, view: dict[str, Any], user: str = MEMBER, **overrides: str | None) -> Any:
    return bot.slack.submit_view(view, form_values(**overrides), user)


def test_apply_opens_the_form_at_once_then_fills_it(bot: Bot) -> None:
    view = open_form(bot)

    opened = bot.fake.calls_to("views.open")[0]
    assert opened["view"]["callback_id"] == ids.APPLY_MODAL
    assert "One moment" in json.dumps(opened["view"])
    # The placeholder goes first: the trigger expires 3 s after the command.
    assert bot.fake.methods().index("views.open") < bot.fake.methods().index("views.update")
    block_ids = [block.get("block_id") for block in view["blocks"] if block["type"] == "input"]
    assert block_ids == [
        "name",
        "title",
        "company",
        "country",
        "bio",
        "github",
        "twitter",
        "linkedin",
        "img",
        "contributions",
        "motivation",
    ]
    assert "slack" not in json.dumps(block_ids)
    assert view["submit"]["text"] == "Send to the TSC"


def test_the_form_is_prefilled_from_a_known_record(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    member_id = add_member(
        bot.db,
        MEMBER,
        "Jane Imported",
        status=MemberStatus.EMERITUS,
        github="janedoe",
        title="Engineer",
        bio="From the public file.",
    )
    add_contribution(
        bot.db, member_id, date(2025, 10, 1), type_="talk", title="Old talk", link="https://x.org/t"
    )
    add_contribution(bot.db, member_id, date(2024, 1, 1), title="Too old", link="https://x.org/old")

    view = open_form(bot)

    initial = {
        block["block_id"]: block["element"].get("initial_value")
        for block in view["blocks"]
        if block["type"] == "input"
    }
    assert initial["name"] == "Jane Imported"
    assert initial["github"] == "janedoe"
    assert initial["bio"] == "From the public file."
    assert initial["contributions"] == "talk https://x.org/t 2025-10-01 Old talk"


def test_a_valid_application_is_stored_posted_for_review_and_acknowledged(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    view = open_form(bot)

    response = submit(bot, view)

    assert response.status == 200 and not response.body  # the form closes
    receipt = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]  # sent after the review post
    assert "Your application to the ambassador program is in. The TSC has been notified" in receipt
    review = bot.fake.messages_in(REVIEW_CHANNEL)[0]
    assert review.text.startswith("Ambassador application from Jane Doe: meets the requirement")
    body = json.dumps(review.blocks)
    assert "Developer Advocate at Acme" in body and "<@U0MEMBER>" in body
    assert "<https://youtu.be/abc|AsyncAPI at KubeCon> (2026-02)" in body
    assert "Meets the requirement" in body and "4 contributions in the last 12 months (4 required)" in body
    buttons = next(block for block in review.blocks if block["type"] == "actions")["elements"]
    with bot.db.transaction() as session:
        application = session.scalars(select(Application)).one()
        assert application.status == "pending"
        assert (application.review_channel, application.review_ts) == (REVIEW_CHANNEL, review.ts)
        assert application.motivation == "To help people discover AsyncAPI."
        member = session.get(Member, application.member_id)
        assert member is not None
        # Who applied comes from the request, not from the form.
        assert (member.slack_user_id, member.name, member.status) == (MEMBER, "Jane Doe", "candidate")
        assert (member.github, member.twitter, member.linkedin) == ("janedoe", "janedoe", None)
        assert member.img == "https://github.com/janedoe.png"
        stored = session.scalars(select(Contribution).order_by(Contribution.occurred_on)).all()
        assert [(c.type, c.source, c.month, c.date_precision) for c in stored] == [
            ("podcast", "application", "June", "month"),
            ("workshop", "application", "September", "day"),
            ("article", "application", "November", "month"),
            ("talk", "application", "February", "month"),
        ]
        audit = session.scalars(select(AuditEvent)).one()
        assert (audit.actor, audit.action, audit.details["application_id"]) == (
            MEMBER,
            "application.submitted",
            application.id,
        )
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons] == [
        ("Approve", ids.APPROVE, str(application.id)),
        ("Reject", ids.REJECT, str(application.id)),
    ]


def test_field_errors_name_the_field_and_the_line_and_nothing_is_stored(bot: Bot) -> None:
    view = open_form(bot)
    bad_lines = "\n".join(
        [
            "talk https://youtu.be/abc 2026-02 Fine",
            "dance https://x.org/a 2026-01 Unknown type",
            "talk ftp://x.org/b 2026-01 Bad link",
            "talk https://youtu.be/abc/ 2026-01 Same link again",
            "talk https://x.org/c 2027-01 Future",
            "talk https://x.org/d",
        ]
    )

    response = submit(
        bot,
        view,
        name="  ",
        github="not a handle",
        img="javascript:alert(1)",
        linkedin="two words",
        contributions=bad_lines,
        motivation="x" * 2001,
    )

    assert response.json["response_action"] == "errors"
    errors = response.json["errors"]
    assert set(errors) == {"name", "github", "img", "linkedin", "contributions", "motivation"}
    assert errors["name"] == "Please fill this in."
    assert errors["motivation"] == "This is too long (at most 2000 characters)."
    assert errors["contributions"] == (
        "Line 2: unknown type (use one of article, talk, presentation, video, podcast, workshop, initiative, "
        "booth, content_review, special, other); Line 3: the link must start with http:// or https://; "
        "Line 4: repeats the link of an earlier line; Line 5: the date is in the future; "
        "Line 6: needs TYPE LINK YYYY-MM TITLE."
    )
    assert count(bot, Application) == count(bot, Member) == count(bot, Contribution) == 0

    empty = submit(bot, view, contributions="   \n ")
    assert empty.json["errors"] == {"contributions": "Please fill this in."}


def test_double_submit_makes_one_application_and_one_review_post(bot: Bot) -> None:
    view = open_form(bot)

    first = submit(bot, view)
    second = submit(bot, view)

    assert first.status == 200 and not first.body
    assert second.json["response_action"] == "update"
    assert "is with the TSC" in json.dumps(second.json["view"])
    bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))
    assert count(bot, Application) == 1 and count(bot, Contribution) == 4
    assert len(bot.fake.messages_in(REVIEW_CHANNEL)) == 1


def test_someone_who_cannot_apply_is_told_where_things_stand(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    enrol(bot.db, MEMBER, date(2026, 1, 10))
    assert "You are already an ambassador" in json.dumps(open_form(bot)["blocks"])
    assert "Your term ends on 2027-01-09" in json.dumps(open_form(bot, count=2)["blocks"])

    view = open_form(bot, OTHER, count=3)
    submit(bot, view, OTHER, github="olek")
    bot.fake.wait_for(lambda: dm_texts(bot, OTHER))
    again = open_form(bot, OTHER, count=4)
    assert "Your application, sent" in json.dumps(again["blocks"]) and "input" not in json.dumps(
        again["blocks"]
    )


def test_a_github_handle_on_another_record_is_refused_on_the_field(bot: Bot) -> None:
    add_member(bot.db, None, "Imported Jane", github="JaneDoe")
    view = open_form(bot)

    response = submit(bot, view, github="janedoe")

    assert "admin link" in response.json["errors"]["github"]
    assert count(bot, Application) == 0


def test_without_a_review_channel_nothing_is_lost(make_bot: Any, caplog: pytest.LogCaptureFixture) -> None:
    bot = make_bot(review_channel="")
    view = open_form(bot)

    with caplog.at_level(logging.ERROR):
        submit(bot, view)
        receipt = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]

    assert "The TSC will be notified as soon as their review channel is ready; nothing is lost" in receipt
    assert "REVIEW_CHANNEL is not set" in caplog.text and "admin pending" in caplog.text
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.status)).one() == "pending"
    listed = bot.slack.command("admin pending", TSC).json["text"]
    assert "1 application waiting for a decision" in listed


def test_when_the_bot_is_not_in_the_review_channel_the_admin_is_told_what_to_do(
    make_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bot = make_bot(review_channel="C0PRIVATE")
    bot.fake.other_channels.add("C0PRIVATE")
    view = open_form(bot)

    with caplog.at_level(logging.ERROR):
        submit(bot, view)
        receipt = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]

    assert "nothing is lost" in receipt
    assert "cannot post in REVIEW_CHANNEL C0PRIVATE (not_in_channel): invite the bot" in caplog.text
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.status)).one() == "pending"
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "review")).one()
        assert (row.status, row.error) == (OutboxStatus.FAILED, "not_in_channel")


def test_a_review_post_that_failed_for_now_is_retried_and_decisions_still_find_it(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", status=500)
    view = open_form(bot)

    submit(bot, view)
    receipt = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "nothing is lost" in receipt
    assert bot.fake.messages_in(REVIEW_CHANNEL) == []

    # The scheduler's sender retries later (its backoff has passed by then).
    bot.clock.set("2026-03-15T13:00:00")
    report = deliver(bot.db, client(bot), bot.clock.now)
    assert any(key.startswith("review:") for key in report.sent)
    review = bot.fake.messages_in(REVIEW_CHANNEL)[0]
    with bot.db.transaction() as session:
        application_id = session.scalars(select(Application.id)).one()

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), channel_id="C0GENERAL")
    bot.fake.wait_for(lambda: bot.fake.calls_to("chat.update"))
    assert bot.fake.calls_to("chat.update")[0]["ts"] == review.ts
    assert "Approved" in json.dumps(bot.fake.messages_in(REVIEW_CHANNEL)[0].blocks)


def test_a_database_failure_stores_nothing_and_the_applicant_is_told_to_try_again(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_form(bot)

    def broken(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("database went away")

    # The last write of the submission's transaction (the review post's outbox row) fails.
    monkeypatch.setattr(applications, "enqueue_message", broken)
    answer = submit(bot, view)

    # Before the acknowledgement: the form stays open with what they typed, the apology under a field.
    assert answer.status == 200 and answer.json["response_action"] == "errors"
    first_input = next(block["block_id"] for block in view["blocks"] if block["type"] == "input")
    assert (
        "Sorry, something went wrong on our side and nothing was changed"
        in answer.json["errors"][first_input]
    )
    assert count(bot, Application) == count(bot, Member) == count(bot, Contribution) == 0


# --- nominations -------------------------------------------------------------------------------


def test_nominate_asks_the_nominee_and_the_button_opens_the_form(bot: Bot) -> None:
    reply = bot.slack.command("nominate <@U0OTHER|olek>", MEMBER).json["text"]

    assert "I asked <@U0OTHER> to complete an application" in reply
    dm = bot.fake.wait_for(lambda: bot.fake.messages_in("D0OTHER"))[0]
    assert "<@U0MEMBER> nominated you" in dm.text
    button = next(b for b in dm.blocks or [] if b["type"] == "actions")["elements"][0]
    with bot.db.transaction() as session:
        nomination = session.scalars(select(Application)).one()
        assert (nomination.status, nomination.nominated_by) == ("nominated", MEMBER)
        nominee = session.get(Member, nomination.member_id)
        assert nominee is not None and (nominee.slack_user_id, nominee.name) == (OTHER, "Olek Other")
    assert (button["action_id"], button["value"]) == (ids.APPLY_OPEN, str(nomination.id))

    bot.slack.click(
        ids.APPLY_OPEN,
        OTHER,
        value=button["value"],
        message={"ts": dm.ts, "type": "message"},
        channel_id="D0OTHER",
    )
    update = bot.fake.wait_for_call("views.update")[0]
    view = bot.fake.views[update["view_id"]]
    assert "<@U0MEMBER> nominated you" in json.dumps(view["blocks"])
    assert (
        next(b for b in view["blocks"] if b.get("block_id") == "name")["element"]["initial_value"]
        == "Olek Other"
    )

    submit(bot, view, OTHER, name="Olek Other", github="olek")
    review = bot.fake.wait_for(lambda: bot.fake.messages_in(REVIEW_CHANNEL))[0]
    assert "nominated by <@U0MEMBER>" in json.dumps(review.blocks)
    with bot.db.transaction() as session:
        application = session.scalars(select(Application)).one()  # the nomination became the application
        assert (application.id, application.status) == (nomination.id, "pending")


def test_nominate_replies(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    enrol(bot.db, TSC, date(2026, 1, 1), name="Tess Council")
    assert "Usage: `/ambassador nominate @someone`" in bot.slack.command("nominate olek", MEMBER).json["text"]
    assert "use `/ambassador apply`" in bot.slack.command("nominate <@U0MEMBER|jane>", MEMBER).json["text"]
    assert "already an ambassador" in bot.slack.command("nominate <@U0TSC|tess>", MEMBER).json["text"]
    assert "could not find <@U0NOBODY>" in bot.slack.command("nominate <@U0NOBODY|x>", MEMBER).json["text"]
    bot.slack.command("nominate <@U0OTHER|olek>", MEMBER)
    again = bot.slack.command("nominate <@U0OTHER|olek>", TSC).json["text"]
    assert "was already nominated by <@U0MEMBER>" in again
    assert count(bot, Application) == 1
    bot.fake.wait_for(lambda: bot.fake.messages_in("D0OTHER"))
    assert len(bot.fake.messages_in("D0OTHER")) == 1


# --- renewal -----------------------------------------------------------------------------------


def ambassador_with(bot: Bot, contributions: int) -> tuple[int, int]:
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))  # → 2027-03-01
    for month in range(contributions):
        add_contribution(bot.db, member_id, date(2026, 4 + month, 1))
    with bot.db.transaction() as session:
        return member_id, session.scalars(select(Term.id)).one()


def test_renew_command_in_the_last_thirty_days(bot: Bot) -> None:
    _, term_id = ambassador_with(bot, 4)
    bot.clock.set("2027-01-15T10:00:00")
    early = bot.slack.command("renew", MEMBER).json["text"]
    assert "Renewal opens on 2027-01-30" in early

    bot.clock.set("2027-02-10T10:00:00")
    reply = bot.slack.command("renew", MEMBER).json["text"]
    assert "Renewal requested. Your next term runs *2027-03-02* to *2028-03-01*" in reply
    assert "already asked to renew" in bot.slack.command("renew", MEMBER).json["text"]
    with bot.db.transaction() as session:
        term = session.get(Term, term_id)
        assert term is not None and term.renewal_requested_at is not None
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions == ["term.renewal_requested"]
    status = bot.slack.command("status", MEMBER).json["text"]
    assert "Renewal requested" in status


def test_renew_refusals(bot: Bot) -> None:
    assert "not a current ambassador" in bot.slack.command("renew", MEMBER).json["text"]
    ambassador_with(bot, 3)
    bot.clock.set("2027-02-10T10:00:00")
    reply = bot.slack.command("renew", MEMBER).json["text"]
    assert "needs 4 contributions and you have 3 (1 to go before 2027-03-01)" in reply


def test_the_renew_button_updates_its_message(bot: Bot) -> None:
    _, term_id = ambassador_with(bot, 4)
    bot.clock.set("2027-02-10T10:00:00")
    notice = bot.fake.messages  # a renewal DM as the #4 job sends it
    posted = client(bot).chat_postMessage(
        channel=MEMBER,
        text="Your term ends soon",
        blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": "Your term ends soon"}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ids.RENEW,
                        "text": {"type": "plain_text", "text": "Renew"},
                        "value": str(term_id),
                    }
                ],
            },
        ],
    )
    message = {"type": "message", "ts": posted["ts"], "text": "", "blocks": notice[-1].blocks}

    bot.slack.click(ids.RENEW, MEMBER, value=str(term_id), message=message, channel_id=posted["channel"])

    update = bot.fake.wait_for_call("chat.update")[0]
    assert update["ts"] == posted["ts"] and "Renewal requested" in update["text"]
    assert all(block["type"] != "actions" for block in update["blocks"])
    with bot.db.transaction() as session:
        term = session.get(Term, term_id)
        assert term is not None and term.renewal_requested_at is not None


def test_a_renew_button_for_someone_elses_term_changes_nothing(bot: Bot) -> None:
    _, term_id = ambassador_with(bot, 4)
    enrol(bot.db, OTHER, date(2026, 3, 2), name="Olek Other")
    bot.clock.set("2027-02-10T10:00:00")

    bot.slack.click(ids.RENEW, OTHER, value=str(term_id))

    reply = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert "no longer your current one" in reply["text"] and reply["response_type"] == "ephemeral"
    with bot.db.transaction() as session:
        assert session.scalars(select(Term.renewal_requested_at)).all() == [None, None]


def test_the_apply_button_on_the_app_home_opens_the_same_form(bot: Bot) -> None:
    home = {"id": "VHOMEU0OTHER", "type": "home", "blocks": [], "callback_id": ""}

    assert bot.slack.click(ids.APPLY_OPEN, OTHER, view=home).status == 200

    update = bot.fake.wait_for_call("views.update")[0]
    view = bot.fake.views[update["view_id"]]
    assert view["callback_id"] == ids.APPLY_MODAL
    assert any(block.get("block_id") == "contributions" for block in view["blocks"])


def test_an_emeritus_member_may_apply_again_and_keeps_their_history(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    member_id = enrol(bot.db, MEMBER, date(2024, 3, 1), github="janedoe")
    with bot.db.transaction() as session:
        session.get(Member, member_id).status = MemberStatus.EMERITUS  # type: ignore[union-attr]
        session.scalars(select(Term)).one().status = "lapsed"

    submit(bot, open_form(bot))
    bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))
    with bot.db.transaction() as session:
        application_id = session.scalars(select(Application.id)).one()
    bot.slack.click(ids.APPROVE, TSC, value=str(application_id))
    bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "Welcome" in t])

    with bot.db.transaction() as session:
        terms = session.execute(select(Term.start_on, Term.status).order_by(Term.id)).all()
        assert [tuple(t) for t in terms] == [(date(2024, 3, 1), "lapsed"), (date(2026, 3, 15), "active")]
        assert session.get(Member, member_id).status == "active"  # type: ignore[union-attr]


def test_submitting_the_form_does_not_ask_slack_before_the_ack(bot: Bot) -> None:
    # A newcomer has no member record to cache their time zone in: the form carries it instead.
    bot.clock.set("2026-03-15T12:00:00")
    view = open_form(bot, OTHER)
    assert json.loads(view["private_metadata"])["tz"] == "Asia/Kolkata"

    def applicant_lookups() -> int:
        # Only the applicant's: the TSC's Homes refresh after a submission and look up the TSC's zones.
        return sum(call["user"] == OTHER for call in bot.fake.calls_to("users.info"))

    looked_up = applicant_lookups()

    response = submit(bot, view, OTHER, github="olek")

    assert response.status == 200 and not response.body
    bot.fake.wait_for(lambda: bot.fake.messages_in(REVIEW_CHANNEL))
    assert applicant_lookups() == looked_up
