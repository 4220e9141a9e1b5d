"""The TSC's review through the real endpoint: Approve and Reject clicks (from the review post, the App
Home, `admin pending`), the update in place, the DMs, refusals, idempotence and concurrency."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.blocks import ids
from bot.slack.deps import Deps
from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import Database
from bot.store.models import Application, AuditEvent, Member, OutboxMessage, OutboxStatus, Term
from handlers import create_app
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.fakes.slack_requests import SlackRequests, text_value
from tests.helpers.factories import add_member
from tests.helpers.membership import dm_texts, settle  # noqa: F401 (fixture)

TSC2 = "U0TSC2"
FORM = {
    "name": "Jane Doe",
    "title": "Developer Advocate",
    "company": "Acme",
    "country": None,
    "bio": "Jane speaks about AsyncAPI.",
    "github": "janedoe",
    "twitter": None,
    "linkedin": None,
    "img": None,
    "contributions": "talk https://youtu.be/abc 2026-02 AsyncAPI at KubeCon\narticle https://x.org/a 2025-12 Specs",
    "motivation": "I love the community.",
}


def apply(bot: Bot, user: str = MEMBER) -> tuple[int, Any]:
    """Jane applies through the form; returns the application id and the review post."""
    bot.slack.command("apply", user)
    update = bot.fake.wait_for_call("views.update")[-1]
    view = bot.fake.views[update["view_id"]]
    before = len(dm_texts(bot, user))
    bot.slack.submit_view(view, {name: text_value(value) for name, value in FORM.items()}, user)
    bot.fake.wait_for(lambda: len(dm_texts(bot, user)) > before)  # the receipt comes last
    with bot.db.transaction() as session:
        application_id = session.scalars(select(Application.id).order_by(Application.id.desc())).first()
    assert application_id is not None
    return application_id, bot.fake.messages_in(REVIEW_CHANNEL)[-1]


def as_clicked(post: Any) -> dict[str, Any]:
    return {"type": "message", "ts": post.ts, "text": post.text, "blocks": post.blocks}


def reject_form(bot: Bot) -> dict[str, Any]:
    return next(v for v in bot.fake.views.values() if v.get("callback_id") == ids.REJECT_MODAL)


def audit(bot: Bot) -> list[tuple[str, str]]:
    with bot.db.transaction() as session:
        return [(e.actor, e.action) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def outbox(bot: Bot, kind: str) -> list[OutboxMessage]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_approval_updates_the_post_welcomes_and_queues_the_announcement(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    application_id, post = apply(bot)

    response = bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))

    assert response.status == 200
    update = bot.fake.wait_for_call("chat.update")[0]
    assert (update["channel"], update["ts"]) == (REVIEW_CHANNEL, post.ts)
    decided = bot.fake.messages_in(REVIEW_CHANNEL)[0]
    assert all(block["type"] != "actions" for block in decided.blocks or [])
    assert ":white_check_mark: *Approved* by <@U0TSC> on <!date^" in json.dumps(decided.blocks)
    welcome = bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "Welcome" in t])[0]
    assert "Your term runs from *2026-03-15* to *2027-03-14*" in welcome
    assert "at least *4 contributions*" in welcome
    with bot.db.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        assert (application.status, application.decided_by) == ("approved", TSC)
        member = session.get(Member, application.member_id)
        assert member is not None and member.status == "active"
        term = session.scalars(select(Term)).one()
        assert (term.start_on, term.end_on, term.status) == (date(2026, 3, 15), date(2027, 3, 14), "active")
    (announcement,) = outbox(bot, "announce")
    assert announcement.key == f"announce:member:{application.member_id}:term:{term.id}"
    assert announcement.channel == "C0ANNOUNCE" and announcement.status == OutboxStatus.PENDING
    assert announcement.text == "Jane Doe (Developer Advocate at Acme) is a new ambassador."
    assert bot.fake.messages_in("C0ANNOUNCE") == []  # the #4 announce job posts it
    assert audit(bot)[-2:] == [(TSC, "member.enrolled"), (TSC, "application.approved")]
    # The decider is told nothing more: the post they clicked shows the decision.
    assert bot.fake.responses == []


def test_the_term_starts_on_the_programs_date(make_bot: Any) -> None:
    bot = make_bot(timezone="Pacific/Auckland")
    bot.clock.set("2026-03-15T12:00:00")  # already the 16th in Auckland
    application_id, post = apply(bot)

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))

    bot.fake.wait_for_call("chat.update")
    with bot.db.transaction() as session:
        assert session.scalars(select(Term.start_on)).one() == date(2026, 3, 16)


def test_a_double_click_decides_once_and_the_second_click_is_told(bot: Bot) -> None:
    application_id, post = apply(bot)

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))
    bot.fake.wait_for_call("chat.update")
    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))

    told = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert told["response_type"] == "ephemeral" and told["replace_original"] is False
    assert "was already decided" in told["text"] and "Approved* by <@U0TSC>" in told["text"]
    assert len([t for t in dm_texts(bot, MEMBER) if "Welcome" in t]) == 1
    assert len(outbox(bot, "announce")) == 1
    assert [a for a in audit(bot) if a[1] == "application.approved"] == [(TSC, "application.approved")]


def test_non_tsc_clicks_are_refused_and_change_nothing(bot: Bot) -> None:
    application_id, post = apply(bot)

    for action in (ids.APPROVE, ids.REJECT):
        bot.slack.click(action, OTHER, value=str(application_id), message=as_clicked(post))

    refusals = bot.fake.wait_for(lambda: len(bot.fake.responses) == 2 and bot.fake.responses)
    assert all("Only TSC members can approve or reject" in r["text"] for r in refusals)
    assert all(r["response_type"] == "ephemeral" for r in refusals)
    assert bot.fake.calls_to("chat.update") == [] and bot.fake.calls_to("views.open")[1:] == []
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.status)).one() == "pending"
        refused = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "application.decision_refused")
        ).all()
        assert sorted((e.actor, e.details["decision"]) for e in refused) == [
            (OTHER, "approve"),
            (OTHER, "reject"),
        ]


def test_a_tsc_member_flagged_in_the_database_may_decide(bot: Bot) -> None:
    bot.fake.add_user(TSC2, "Second Council")
    add_member(bot.db, TSC2, "Second Council", is_tsc_member=True)
    application_id, post = apply(bot)

    bot.slack.click(ids.APPROVE, TSC2, value=str(application_id), message=as_clicked(post))

    bot.fake.wait_for_call("chat.update")
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.decided_by)).one() == TSC2


def test_reject_asks_for_a_reason_then_tells_the_applicant_kindly(bot: Bot) -> None:
    application_id, post = apply(bot)

    bot.slack.click(ids.REJECT, TSC, value=str(application_id), message=as_clicked(post))
    opened = bot.fake.wait_for(
        lambda: len(bot.fake.calls_to("views.open")) == 2 and bot.fake.calls_to("views.open")
    )
    modal = reject_form(bot)
    assert opened[-1]["view"]["callback_id"] == ids.REJECT_MODAL
    assert json.loads(modal["private_metadata"])["application_id"] == application_id

    empty = bot.slack.submit_view(modal, {"reason": text_value("   ")}, TSC)
    assert empty.json == {
        "response_action": "errors",
        "errors": {"reason": "Please give the applicant a reason."},
    }
    reason = "Please log two more talks from this year and apply again."
    done = bot.slack.submit_view(modal, {"reason": text_value(reason)}, TSC)

    assert done.status == 200 and not done.body
    update = bot.fake.wait_for_call("chat.update")[0]
    assert update["ts"] == post.ts
    assert ":x: *Not accepted* by <@U0TSC>" in json.dumps(update["blocks"]) and reason in json.dumps(
        update["blocks"]
    )
    dm = bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "thank you for applying" in t])[0]
    assert reason in dm and "apply again" in dm
    with bot.db.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        assert (application.status, application.decided_by, application.decision_reason) == (
            "rejected",
            TSC,
            reason,
        )
        member = session.get(Member, application.member_id)
        assert member is not None and member.status == "candidate"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "application.rejected")).one()
        assert (event.actor, event.details["reason"]) == (TSC, reason)
    assert outbox(bot, "announce") == []

    # A second submission of the same form decides nothing more.
    again = bot.slack.submit_view(modal, {"reason": text_value("Another reason")}, TSC)
    assert again.json["response_action"] == "update"
    assert "was already decided" in json.dumps(again.json["view"])


def test_reject_after_an_approval_says_who_decided_first(bot: Bot) -> None:
    bot.fake.add_user(TSC2, "Second Council")
    application_id, post = apply(bot)
    bot.slack.click(ids.REJECT, TSC, value=str(application_id), message=as_clicked(post))
    bot.fake.wait_for(lambda: len(bot.fake.calls_to("views.open")) == 2)
    modal = reject_form(bot)

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))
    bot.fake.wait_for_call("chat.update")
    late = bot.slack.submit_view(modal, {"reason": text_value("Not yet")}, TSC)

    assert "Approved* by <@U0TSC>" in json.dumps(late.json["view"])
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.status)).one() == "approved"


def test_approving_from_the_app_home_updates_the_review_post(bot: Bot) -> None:
    application_id, post = apply(bot)
    home = {"id": "VHOMEU0TSC", "type": "home", "blocks": [], "callback_id": ""}

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), view=home)

    update = bot.fake.wait_for_call("chat.update")[0]
    assert (update["channel"], update["ts"]) == (REVIEW_CHANNEL, post.ts)
    # No response_url from a view: the decider hears back in a DM.
    confirmation = bot.fake.wait_for(lambda: [t for t in dm_texts(bot, TSC) if "Approved Jane Doe" in t])[0]
    assert "their term runs" in confirmation


def test_approving_from_the_pending_list_confirms_privately(bot: Bot) -> None:
    _application_id, post = apply(bot)
    listed = bot.slack.command("admin pending", TSC).json
    actions = next(b for b in listed["blocks"] if b["type"] == "actions")
    payload_message = {
        "type": "message",
        "ts": "1700000999.000100",
        "text": listed["text"],
        "blocks": listed["blocks"],
    }

    response = bot.slack.interactive(
        ephemeral_click(bot, ids.APPROVE, TSC, actions["elements"][0]["value"], payload_message)
    )

    assert response.status == 200
    update = bot.fake.wait_for_call("chat.update")[0]
    assert update["ts"] == post.ts
    told = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert "Approved Jane Doe" in told["text"] and told["response_type"] == "ephemeral"


def ephemeral_click(
    bot: Bot, action_id: str, user: str, value: str, message: dict[str, Any]
) -> dict[str, Any]:
    """A click on a button of an ephemeral message (as `admin pending` shows), as Slack sends it."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T111"},
        "api_app_id": "A111",
        "token": "verification_token",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": "C0GENERAL",
            "is_ephemeral": True,
        },
        "trigger_id": bot.slack.next_id("111.333."),
        "team": {"id": "T111", "domain": "example-community"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": "C0GENERAL", "name": "general"},
        "state": {"values": {}},
        "response_url": f"{bot.slack.response_url_base}actions/T111/{bot.slack.next_id('')}/xxxxx",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "pending-actions",
                "text": {"type": "plain_text", "text": "Approve", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": "1700001000.000000",
            }
        ],
    }


def test_a_failed_update_of_the_post_leaves_the_decision_standing(bot: Bot) -> None:
    application_id, post = apply(bot)
    bot.fake.fail("chat.update", error="internal_error")

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))

    bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "Welcome" in t])
    told = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert "Approved Jane Doe" in told["text"]
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.status)).one() == "approved"


def test_a_welcome_that_slack_refuses_for_now_stays_queued(bot: Bot) -> None:
    application_id, post = apply(bot)
    bot.fake.fail("chat.postMessage", status=500)

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))

    bot.fake.wait_for_call("chat.update")
    bot.fake.wait_until_quiet()
    (welcome,) = outbox(bot, "welcome")
    assert welcome.status == OutboxStatus.PENDING and welcome.attempts == 1
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.status)).one() == "approved"


@contextmanager
def replica(bot: Bot) -> Iterator[SlackRequests]:
    """A second copy of the bot, as another process would be: its own app, server and database engine."""
    database = Database(bot.db.url)
    app = create_app(Deps(settings=bot.settings, db=database, clock=bot.clock))
    server = BackgroundServer(wsgi_app(app, database)).start()
    try:
        yield SlackRequests(server.url, response_url_base=bot.fake.response_url_base)
    finally:
        bot.fake.wait_until_quiet()
        server.stop()
        database.dispose()


def test_two_tsc_members_approving_at_once_make_one_decision(make_bot: Any) -> None:
    """Four signed clicks at once (two TSC members, each twice) on two replicas of the bot: one
    decision. On PostgreSQL the conditional UPDATE makes the others wait for the row, then find it
    decided; on SQLite the database's write lock does the same."""
    bot = make_bot(tsc_user_ids=[TSC, TSC2])
    bot.fake.add_user(TSC2, "Second Council")
    application_id, post = apply(bot)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    with replica(bot) as other_replica:

        def click(user: str, endpoint: SlackRequests) -> None:
            barrier.wait()
            response = endpoint.click(ids.APPROVE, user, value=str(application_id), message=as_clicked(post))
            statuses.append(response.status)

        threads = [
            threading.Thread(target=click, args=args)
            for args in ((TSC, bot.slack), (TSC2, other_replica), (TSC, other_replica), (TSC2, bot.slack))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        losers = bot.fake.wait_for(lambda: len(bot.fake.responses) == 3 and bot.fake.responses)

    assert statuses == [200] * 4
    with bot.db.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None and application.status == "approved"
        winner = application.decided_by
        assert len(session.scalars(select(Term)).all()) == 1
        approvals = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "application.approved")
        ).all()
        assert len(approvals) == 1
    assert all(f"Approved* by <@{winner}>" in told["text"] for told in losers)
    assert len([t for t in dm_texts(bot, MEMBER) if "Welcome" in t]) == 1
    assert len(outbox(bot, "announce")) == 1
    assert len(outbox(bot, "welcome")) == 1
